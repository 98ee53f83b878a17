"""The simulator's reference data (YAML), a package so that a regular install carries the files."""
