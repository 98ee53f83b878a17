"""Service plumbing: the database, the app factory's common parts, health, metrics, errors and auth."""
