"""Shops as every service sees them: the platform profile, the simulated clock and the local copy of both."""
