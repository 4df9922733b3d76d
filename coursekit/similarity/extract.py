"""Similarity, first step: submissions and reference solutions -> the code of their answer cells.

An answer cell is a code cell that nbgrader marks ``solution: true``; its
``grade_id`` is the same in every language version, so the cells of an
English and a Persian submission are compared one to one.  The release's own
version of each answer cell (the scaffold and the given lines, in every
language) is what ``fingerprint`` removes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..course import Course
from ..demo.answers import AnswerError, fill, load_answers


@dataclass
class CodeSubmission:
    """The answer cells of one submission, or of one reference solution."""

    name: str  # the student, or the reference file relative to its folder
    assignment: str  # the language version, cnn_step_by_step_fa
    language: str | None
    cells: dict[str, str]  # grade_id -> source, in notebook order
    path: Path
    reference: bool = False
    student: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.language})" if self.language else self.name


@dataclass
class Extracted:
    """What the similarity report compares, read once."""

    master: str
    submissions: list[CodeSubmission]
    references: list[CodeSubmission]
    release: list[str]  # every answer cell's release version, in every language
    cell_order: list[str]  # grade ids in notebook order
    skipped: list[str] = field(default_factory=list)  # files that could not be read, with why


def answer_cells(nb) -> dict[str, str]:
    """``{grade_id: source}`` of the code cells nbgrader marks as solutions."""
    cells = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and meta.get("grade_id"):
            cells[meta["grade_id"]] = cell.source
    return cells


def language_assignments(course: Course) -> list[str]:
    """The language versions of the course's assignment: cnn_step_by_step_en, _fa, _tr."""
    return [course.assignment_for(lang) for lang in course.languages]


def release_answer_cells(course: Course) -> tuple[list[str], list[str]]:
    """(every release version of every answer cell, the grade ids in notebook order)."""
    sources, order = [], []
    for assignment in language_assignments(course):
        path = course.release_notebook(assignment)
        if not path.is_file():
            continue
        cells = answer_cells(nbformat.read(path, as_version=4))
        sources += cells.values()
        order += [key for key in cells if key not in order]
    if not order:
        raise FileNotFoundError(f"{course.relative(course.release_dir(language_assignments(course)[0]))}: no "
                                "release notebook; run `coursekit build` first")
    return sources, order


def _read_notebook(path: Path, skipped: list[str], course: Course) -> dict[str, str] | None:
    try:
        return answer_cells(nbformat.read(path, as_version=4))
    except Exception as err:  # an unreadable submission is named on the page, not a crash
        skipped.append(f"{course.relative(path)}: {type(err).__name__}: {err}")
        return None


def class_submissions(course: Course, skipped: list[str]) -> list[CodeSubmission]:
    """Every ``submitted/<student>/<master>_<lang>/<notebook>.ipynb``, in every language."""
    found = []
    for assignment in language_assignments(course):
        for folder in sorted(course.submitted_root.glob(f"*/{assignment}")):
            student = folder.parent.name
            path = course.submitted_dir(student, assignment) / f"{course.notebook}.ipynb"
            if not path.is_file():
                skipped.append(f"{course.relative(folder)}: no {path.name}")
                continue
            cells = _read_notebook(path, skipped, course)
            if cells is not None:
                found.append(CodeSubmission(student, assignment, course.language_of(assignment), cells, path,
                                            student=student))
    return found


def reference_solutions(course: Course, folders: list[str], skipped: list[str]) -> list[CodeSubmission]:
    """Every ``.ipynb`` and ``.py`` answer file under *folders* (relative to the course root or absolute)."""
    template = course.release_notebook(course.assignment_for(course.source_language))
    found = []
    for name in folders:
        folder = (course.root / name).resolve()
        if not folder.is_dir():
            raise FileNotFoundError(f"{name}: no such folder of reference solutions")
        for path in sorted(folder.rglob("*")):
            if path.suffix == ".ipynb" and ".ipynb_checkpoints" not in path.parts:
                cells = _read_notebook(path, skipped, course)
            elif path.suffix == ".py":
                try:
                    nb = fill(nbformat.read(template, as_version=4), load_answers(path), origin=str(path))
                except (AnswerError, OSError) as err:
                    skipped.append(f"{path}: {err}" if isinstance(err, OSError) else str(err))
                    continue
                cells = answer_cells(nb)
            else:
                continue
            if cells is not None:
                label = f"{folder.name}/{path.relative_to(folder)}"
                found.append(CodeSubmission(label, "", None, cells, path, reference=True))
    return found


def extract(course: Course, reference_dirs: list[str] = ()) -> Extracted:
    """The class's submissions, the reference solutions and the release's answer cells."""
    skipped: list[str] = []
    release, order = release_answer_cells(course)
    return Extracted(course.master, class_submissions(course, skipped),
                     reference_solutions(course, list(reference_dirs), skipped), release, order, skipped)
