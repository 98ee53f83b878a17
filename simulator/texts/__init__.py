"""What buyers write, per language, as data: ``<language>.yaml`` beside this file (see ``simulator.text_bank``)."""
