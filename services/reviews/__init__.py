"""Reviews with stars and dimension scores, follow-ups, seller replies and the neutral/negative review workflow."""
