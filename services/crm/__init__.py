"""Customer profiles built from events, tags, RFM segments, grades, care tasks and the blacklist."""
