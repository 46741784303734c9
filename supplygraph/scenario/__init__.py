"""Scenarios: files and flags, selectors, the licence rule, resolution onto edges."""
