"""Grading: every submission run in the sandbox, its failures contained, its grade decided outside it."""
