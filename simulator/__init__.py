"""The buyer simulator: a population of buyers per shop and the scenarios they act out.

Buyers act only through the shop's buyer API, seen here as a small port (``simulator.port.ShopPort``); they react to
what the student does (replies, reminders, refunds, contacts about reviews), and every decision draws from a random
stream named by the scenario's seed, the buyer and the decision, so the same seed and the same student actions give
the same buyers. See ``docs/simulator.md``.
"""
