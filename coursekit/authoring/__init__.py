"""Authoring: what the master notebook is built from (the published expected values, the figures)."""
