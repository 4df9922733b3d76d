"""What a grading worker needs from the coordinator besides its own copy of the course.

A worker never opens the course's gradebook: it gets *definitions*, a small
gradebook that holds only the assignments, notebooks and cells (what
nbgrader's sanitizing stage reads), and the files of each assignment's
source folder (nbgrader puts them beside the notebook when it grades).  Both
are built once per batch and sent to every worker, be it a local process or a
Dask worker on another machine.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

from ...build.nbgrader_run import nbgrader_env
from ...course import Course


@dataclass
class Bundle:
    definitions: bytes
    #: {assignment: {path relative to the source folder: bytes}}, notebooks excepted.
    sources: dict = field(default_factory=dict)


@contextlib.contextmanager
def alembic_on_path():
    """nbgrader runs the `alembic` program, beside this interpreter, to make a new gradebook.

    Not with ``nbgrader.utils.setenv``: it deletes the variable when it restores it (nbgrader 0.9.6 looks
    up the old value under the new value's name), and with PATH gone every later subprocess of this
    process searches only /bin and /usr/bin.
    """
    before = os.environ.get("PATH")
    os.environ["PATH"] = nbgrader_env()["PATH"]
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = before


def export_definitions(course: Course, assignments, path: Path) -> Path:
    """Write a gradebook at *path* with the definitions of *assignments* (no student, no grade)."""
    with alembic_on_path(), Gradebook(course.db_url, course.course_id) as src, \
            Gradebook(f"sqlite:///{path}", course.course_id) as dst:
        for name in assignments:
            assignment = src.find_assignment(name)
            dst.update_or_create_assignment(name, duedate=assignment.duedate)
            for nb in assignment.notebooks:
                dst.update_or_create_notebook(nb.name, name, kernelspec=nb.kernelspec)
                for cell in nb.grade_cells:
                    dst.update_or_create_grade_cell(cell.name, nb.name, name, max_score=cell.max_score,
                                                    cell_type=cell.cell_type)
                for cell in nb.solution_cells:
                    dst.update_or_create_solution_cell(cell.name, nb.name, name)
                for cell in nb.task_cells:
                    dst.update_or_create_task_cell(cell.name, nb.name, name, max_score=cell.max_score,
                                                   cell_type=cell.cell_type)
                for cell in nb.source_cells:
                    dst.update_or_create_source_cell(cell.name, nb.name, name, cell_type=cell.cell_type,
                                                     locked=cell.locked, source=cell.source, checksum=cell.checksum)
    return path


def source_files(course: Course, assignment: str) -> dict[str, bytes]:
    """The files nbgrader copies from ``source/<assignment>/`` next to a graded notebook."""
    folder = course.source_dir(assignment)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: the assignment's source folder is missing; run `coursekit build`")
    ignored = {".ipynb_checkpoints", "__pycache__"}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix != ".ipynb" and p.suffix != ".pyc" and not ignored & set(p.parts)}


def make_bundle(course: Course, assignments) -> Bundle:
    assignments = sorted(set(assignments))
    with tempfile.TemporaryDirectory(prefix="definitions-") as tmp:
        definitions = export_definitions(course, assignments, Path(tmp) / "definitions.db").read_bytes()
    return Bundle(definitions, {a: source_files(course, a) for a in assignments})
