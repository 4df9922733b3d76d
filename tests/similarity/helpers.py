"""What the similarity tests share: the benchmark's labelled class, in a scratch course of its own.

The class is built as benchmarks/similarity.py builds it (``similarity_set``):
notebooks filled from answer files as the demo fills them, in ``submitted/``
of a course holding this course's config and ``release/``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import similarity_set  # noqa: E402
from similarity_set import labelled_set, scratch_course, write_class  # noqa: E402,F401

from coursekit.similarity.extract import CodeSubmission, answer_cells  # noqa: E402


def release_submission(course, lang: str, name: str) -> CodeSubmission:
    """A blank submission: the release notebook of *lang* as it was handed out."""
    assignment = course.assignment_for(lang)
    cells = answer_cells(nbformat.read(course.release_notebook(assignment), as_version=4))
    return CodeSubmission(name, assignment, lang, cells, course.release_notebook(assignment), student=name)
