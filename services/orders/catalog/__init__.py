"""The demo catalogs (one data file per platform profile) and the carriers' tracking-number formats."""
