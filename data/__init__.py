"""Bundled default dataset (the top-level data/ folder, installed as supplygraph.data)."""
