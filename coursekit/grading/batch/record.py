"""In the coordinator: record each executed notebook with nbgrader's own Autograde converter.

The converter does everything ``nbgrader autograde`` does (the student and
submission records, the files copied from the source folder, sanitizing,
``SaveAutoGrades``, late penalties, the autograded notebook on disk), except
running the notebook: ``ReplayExecution`` stands where ``ContainedExecute``
is configured and puts in the outputs that a worker computed.  Only the
coordinator writes the gradebook, one submission after another.
"""
from __future__ import annotations

import json
import logging
import time
import warnings
from dataclasses import dataclass, field

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from ...course import Course
from .submissions import Job, staged_submissions


@dataclass
class Result:
    assignment: str
    student: str
    ok: bool
    seconds: float
    score: float = 0.0
    max_score: float = 0.0
    incidents: list = field(default_factory=list)
    error: str = ""
    attempts: int = 1


class ReplayExecution(NbGraderPreprocessor):
    """Put in the outputs (and incidents) of the notebook a worker executed, instead of running it again."""

    #: {(assignment, student): executed notebook}, set by the coordinator just before each conversion.
    executed: dict = {}

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        executed = self.executed.pop((info["assignment"], info["student"]))
        if [_identity(c) for c in executed.cells] != [_identity(c) for c in nb.cells]:
            raise ValueError("the worker executed other cells than these; the submission must be graded again")
        for cell, done in zip(nb.cells, executed.cells):
            if cell.cell_type == "code":
                cell.outputs = done.outputs
                cell.execution_count = done.execution_count
        kit = executed.metadata.get("coursekit")
        if kit is not None:
            nb.metadata["coursekit"] = kit
        return nb, resources


def _identity(cell) -> tuple:
    """What must be the same in the worker's and the recorder's copy of a cell.

    Not the cell id: nbgrader puts a deleted test cell back without one, and
    nbformat gives it a random id when the worker writes the notebook.
    """
    grade = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type, cell.source, grade.get("grade_id"), grade.get("grade"), grade.get("points")


def _is_metadata_check(stage) -> bool:
    name = stage if isinstance(stage, str) else stage.__name__
    return name.rsplit(".", 1)[-1] == "CheckCellMetadata"


def _faster_sqlite_commits() -> None:
    """Write-ahead logging, and no disk flush at every commit, for the SQLite gradebooks of this process.

    nbgrader commits after every cell it scores; with SQLite's defaults each
    commit waits for the disk.  In WAL mode with synchronous=NORMAL a crash
    can lose the last commits but never damages the file, and a batch is
    graded again idempotently.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if event.contains(Engine, "connect", _sqlite_pragmas):
        return
    event.listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(connection, record) -> None:
    if type(connection).__module__.startswith("sqlite3"):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


class _ErrorLog(logging.Handler):
    """Keeps the converter's error messages (nbgrader logs the traceback, then raises a generic error)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


class Recorder:
    """Records executed notebooks in the course's gradebook, through nbgrader's Autograde converter."""

    def __init__(self, course: Course):
        from sqlalchemy.exc import SAWarning

        from ..contained_execute import ContainedExecute

        # nbgrader 0.9 with SQLAlchemy 2 warns "Object of type <Submitted...> not in session" on every
        # submission (plain `nbgrader autograde` prints the same); it changes nothing.
        warnings.filterwarnings("ignore", message="Object of type <Submitted", category=SAWarning)

        self.course = course
        self.config = course.config.copy()
        replay = f"{ReplayExecution.__module__}.{ReplayExecution.__name__}"
        executing = {ContainedExecute, f"{ContainedExecute.__module__}.{ContainedExecute.__name__}",
                     "nbgrader.preprocessors.Execute", "coursekit.grading.contained_execute.ContainedExecute"}
        from .execute import autograde_stages
        sanitizing, grading = autograde_stages(course.config)
        # The worker ran nbgrader's metadata check, before and after executing, on these very cells; here it
        # would only repeat that (a jsonschema validation of every cell, most of the recording's time).
        self.config.Autograde.sanitize_preprocessors = [s for s in sanitizing if not _is_metadata_check(s)]
        self.config.Autograde.autograde_preprocessors = [replay if s in executing else s for s in grading
                                                         if not _is_metadata_check(s)]
        if course.sqlite_path is not None:
            _faster_sqlite_commits()

    def record(self, job: Job, notebook: str, seconds: float) -> Result:
        from nbgrader.api import Gradebook
        from nbgrader.converters import Autograde
        from nbgrader.coursedir import CourseDirectory

        started = time.perf_counter()
        course = self.course
        coursedir = CourseDirectory(config=self.config, root=str(course.root))
        coursedir.submitted_directory = str(staged_submissions(course).relative_to(course.root))
        coursedir.assignment_id = job.assignment
        coursedir.student_id = job.student
        ReplayExecution.executed[(job.assignment, job.student)] = nbformat.reads(notebook, as_version=4)
        converter = Autograde(coursedir=coursedir, config=self.config)
        converter.force = True
        errors = _ErrorLog()
        converter.log.addHandler(errors)
        try:
            converter.start()
            ok, error = True, ""
        except BaseException as err:  # noqa: BLE001 - one submission never stops the batch
            if isinstance(err, KeyboardInterrupt):
                raise
            ok, error = False, "\n".join(errors.lines) or f"{type(err).__name__}: {err}"
        finally:
            converter.log.removeHandler(errors)
            ReplayExecution.executed.pop((job.assignment, job.student), None)
        result = Result(job.assignment, job.student, ok, seconds + time.perf_counter() - started, error=error)
        graded = course.autograded_notebook(job.student, job.assignment)
        if graded.exists():
            try:
                result.incidents = json.loads(graded.read_text()).get("metadata", {}).get("coursekit", {}).get(
                    "incidents", [])
            except ValueError:
                pass
        with Gradebook(course.db_url, course.course_id) as gb:
            try:
                sub = gb.find_submission(job.assignment, job.student)
                result.score, result.max_score = sub.score, sub.max_score
            except Exception:  # noqa: BLE001 - no submission record: the conversion failed early
                pass
        return result
