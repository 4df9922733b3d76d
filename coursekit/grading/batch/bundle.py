"""What a grading worker needs from the coordinator besides its own copy of the course.

A worker never opens the course's gradebook: it gets *definitions*, a small
gradebook that holds only the assignments, notebooks and cells (what
nbgrader's sanitizing stage reads), and the files of each assignment's
source folder (nbgrader puts them beside the notebook when it grades).  Both
are built once per batch and sent to every worker, be it a local process or a
Dask worker on another machine.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Base, Gradebook
from sqlalchemy import create_engine, text

from ...build.nbgrader_run import environment, nbgrader_env
from ...course import Course


@dataclass
class Bundle:
    definitions: bytes
    #: {assignment: {path relative to the source folder: bytes}}, notebooks excepted.
    sources: dict = field(default_factory=dict)


def _empty_like(src: Gradebook, path: Path) -> None:
    """An empty gradebook at *path* with the tables and schema version of *src*.

    Made here because nbgrader, for a new gradebook, runs the ``alembic``
    program to learn the version: seconds of every batch.  Unsynced writes:
    the file is read once, by the workers, and thrown away.
    """
    version = src.db.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            Base.metadata.create_all(conn)
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
    finally:
        engine.dispose()


def export_definitions(course: Course, assignments, path: Path) -> Path:
    """Write a gradebook at *path* with the definitions of *assignments* (no student, no grade)."""
    # nbgrader runs the `alembic` program, beside this interpreter, to make a new gradebook.
    with environment(PATH=nbgrader_env()["PATH"]), Gradebook(course.db_url, course.course_id) as src:
        try:
            _empty_like(src, path)
        except Exception:  # noqa: BLE001 - a gradebook without a version: nbgrader makes one (runs `alembic`)
            src.db.rollback()
            path.unlink(missing_ok=True)
        with Gradebook(f"sqlite:///{path}", course.course_id) as dst:
            dst.db.execute(text("PRAGMA synchronous = OFF"))
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
