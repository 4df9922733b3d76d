"""Before the batch: the submissions to grade, a staging copy of each, and a backup of the gradebook."""
from __future__ import annotations

import contextlib
import datetime
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ...course import Course
from ..incidents import record_incident
from .options import BatchGrade


@dataclass(frozen=True)
class Job:
    """One submission: an assignment of one student."""

    assignment: str
    student: str


def find_submissions(course: Course, assignments=None, students=None) -> list[Job]:
    """Every ``submitted/<student>/<assignment>/`` of the given (default: all) assignments and students."""
    jobs = []
    for folder in sorted(course.submitted_root.glob("*/*")):
        if not folder.is_dir():
            continue
        if (assignments is None or folder.name in assignments) and (students is None or folder.parent.name in students):
            jobs.append(Job(folder.name, folder.parent.name))
    return jobs


def staging_root(course: Course) -> Path:
    return course.root / BatchGrade(config=course.config).staging_directory


def staged_submissions(course: Course) -> Path:
    """The staging copy of submitted/, which the batch grades from."""
    return staging_root(course) / "submitted"


def stage(course: Course, job: Job) -> list[str]:
    """Copy one submission into the staging area; returns what was wrong with it on the way.

    A notebook that cannot be read (not JSON, not a notebook) is replaced by
    the blank release notebook, with a note at its top, and graded as such.
    """
    src = course.submitted_dir(job.student, job.assignment)
    dest = staged_submissions(course) / job.student / job.assignment
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    problems = []
    path = dest / f"{course.notebook}.ipynb"
    if path.exists():
        try:
            nbformat.read(path, as_version=4)
        except Exception as err:  # noqa: BLE001 - invalid JSON, or not a notebook at all
            why = (f"{path.name} could not be read ({type(err).__name__}: {str(err)[:200]}); it was graded as the "
                   "blank release notebook")
            blank = nbformat.read(course.release_notebook(job.assignment), as_version=4)
            blank.cells.insert(0, nbformat.v4.new_markdown_cell(
                f"**This submission could not be graded as handed in.** {why}."))
            record_incident(blank, "malformed", None, why)
            nbformat.write(blank, path)
            problems.append(why)
    return problems


def backup_gradebook(course: Course) -> Path | None:
    """Copy an SQLite gradebook with SQLite's backup API (consistent even mid-write); prune old copies."""
    settings = BatchGrade(config=course.config)
    db = course.sqlite_path
    if db is None or not db.exists() or settings.keep_backups == 0:
        return None
    folder = course.root / settings.backup_directory
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"gradebook-{stamp}.db"
    with contextlib.closing(sqlite3.connect(db)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    backups = sorted(folder.glob("gradebook-*.db"))
    for old in backups[:len(backups) - settings.keep_backups]:
        old.unlink()
    return target
