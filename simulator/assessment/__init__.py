"""Reply assessment: every student reply a buyer reads is checked on explicit rubric items, each with its evidence,
so buyers react to it and instructors can grade it later. Rules are data per language (``lexicon/``)."""

from simulator.assessment.context import ReplyContext
from simulator.assessment.rubric import FAIL, NA, PASS, WARN, Assessment, ItemResult, assess

__all__ = ["FAIL", "NA", "PASS", "WARN", "Assessment", "ItemResult", "ReplyContext", "assess"]
