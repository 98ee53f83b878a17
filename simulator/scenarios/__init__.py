"""The shipped scenarios (YAML), a package so that a regular install carries the files."""
