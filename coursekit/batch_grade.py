"""Grading stage: autograde every submission with parallel workers.

``coursekit grade`` does what ``nbgrader autograde`` does, for every submitted
notebook of the course, with these differences:

- the gradebook is backed up before anything is written;
- submissions are read from a staging copy, so ``submitted/`` is never
  modified; a notebook that is not valid JSON is graded as the blank release
  notebook, with a note saying why, instead of stopping the batch;
- N worker processes grade at once (default: one per core).  Each one runs
  nbgrader's own ``Autograde`` converter with the course's configuration;
  the workers take turns on the SQLite gradebook through a file lock around
  every ``Gradebook`` session, so no two write at once;
- a progress bar, and a summary table at the end.

The grades are the ones a sequential ``nbgrader autograde`` gives
(``tests/test_batch_grade.py`` checks it, ``benchmarks/`` measures the speed).
"""
import contextlib
import datetime
import fcntl
import json
import logging
import multiprocessing
import os
import shutil
import sqlite3
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from traitlets import Bool, Integer, Unicode
from traitlets.config import Configurable

from . import COURSE_ROOT, NOTEBOOK_NAME
from .config import load_config

STAGING = ".grading/submitted"


class BatchGrade(Configurable):
    """Options of ``coursekit grade``."""

    workers = Integer(
        0, help="Worker processes grading at once; 0 means one per CPU core.",
    ).tag(config=True)

    backup_directory = Unicode(
        "backups", help="Where the gradebook is copied before each batch (relative to the course root).",
    ).tag(config=True)

    keep_backups = Integer(
        20, help="How many gradebook backups to keep; older ones are deleted.",
    ).tag(config=True)

    # Warm kernels (coursekit/warm_kernels.py); read by _init_worker below.
    warm_kernels = Bool(
        True, help="Run each worker's notebooks on warm sandboxed kernels: one long-lived bubblewrap "
                   "sandbox per worker, whose zygote has imported ipykernel, numpy, matplotlib and h5py, "
                   "forks a fresh kernel for every submission and is cleaned after it (same isolation as "
                   "the cnn-sandbox kernel; about 2 instead of 9 CPU-seconds per notebook). False starts a cold "
                   "cnn-sandbox kernel per notebook, as plain `nbgrader autograde` does.",
    ).tag(config=True)


@dataclass
class Job:
    assignment: str
    student: str


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


# --- before the batch ----------------------------------------------------------
def backup_gradebook(root: Path, settings: BatchGrade) -> Path | None:
    """Copy gradebook.db with SQLite's backup API (consistent even mid-write); prune old copies."""
    db = Path(root) / "gradebook.db"
    if not db.exists():
        return None
    folder = Path(root) / settings.backup_directory
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"gradebook-{stamp}.db"
    with contextlib.closing(sqlite3.connect(db)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    for old in sorted(folder.glob("gradebook-*.db"))[:-settings.keep_backups]:
        old.unlink()
    return target


def find_submissions(root: Path, assignments=None, students=None) -> list:
    """Every ``submitted/<student>/<assignment>/`` of the given (default: all) assignments and students."""
    jobs = []
    for folder in sorted((Path(root) / "submitted").glob("*/*")):
        if not folder.is_dir():
            continue
        if (assignments is None or folder.name in assignments) and (students is None or folder.parent.name in students):
            jobs.append(Job(folder.name, folder.parent.name))
    return jobs


def stage(root: Path, job: Job) -> list:
    """Copy one submission into the staging area; returns incidents found on the way."""
    src = Path(root) / "submitted" / job.student / job.assignment
    dest = Path(root) / STAGING / job.student / job.assignment
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    incidents = []
    path = dest / f"{NOTEBOOK_NAME}.ipynb"
    if path.exists():
        try:
            nbformat.read(path, as_version=4)
        except Exception as err:  # invalid JSON, or not a notebook at all
            why = f"{path.name} could not be read ({type(err).__name__}: {str(err)[:200]}); it was graded as the blank release notebook"
            blank = nbformat.read(Path(root) / "release" / job.assignment / f"{NOTEBOOK_NAME}.ipynb", as_version=4)
            blank.cells.insert(0, nbformat.v4.new_markdown_cell(f"**This submission could not be graded as handed in.** {why}."))
            blank.metadata.setdefault("coursekit", {})["incidents"] = [{"kind": "malformed", "cell": None, "message": why}]
            nbformat.write(blank, path)
            incidents.append(why)
    return incidents


# --- in each worker ----------------------------------------------------------
class _GradebookLock:
    """A process-wide, re-entrant lock on a file beside gradebook.db."""

    def __init__(self, path: Path):
        self.path, self.depth, self.handle = path, 0, None

    def acquire(self):
        if self.depth == 0:
            self.handle = open(self.path, "a+")
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        self.depth += 1

    def release(self):
        self.depth -= 1
        if self.depth == 0:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


def _serialize_gradebook_sessions(lock: _GradebookLock):
    """Make every nbgrader Gradebook session in this process hold *lock* from open to close."""
    from nbgrader import api

    if getattr(api.Gradebook, "_coursekit_locked", False):
        return
    original_init, original_close = api.Gradebook.__init__, api.Gradebook.close

    def __init__(self, *args, **kwargs):
        lock.acquire()
        try:
            original_init(self, *args, **kwargs)
        except BaseException:
            lock.release()
            raise

    def close(self):
        try:
            original_close(self)
        finally:
            if not getattr(self, "_coursekit_released", False):
                self._coursekit_released = True
                lock.release()

    api.Gradebook.__init__, api.Gradebook.close = __init__, close
    api.Gradebook._coursekit_locked = True


_WORKER = {}


class _ErrorLog(logging.Handler):
    """Keeps the converter's error messages (nbgrader logs the traceback, then raises a generic error)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def text(self):
        return "\n".join(self.lines)


def _init_worker(root: str):
    import warnings

    from sqlalchemy.exc import SAWarning

    # nbgrader 0.9 with SQLAlchemy 2 warns "Object ... not in session" on every
    # submission (plain `nbgrader autograde` prints the same); it changes nothing.
    warnings.filterwarnings("ignore", category=SAWarning)
    os.chdir(root)
    _WORKER["root"] = Path(root)
    _WORKER["config"] = load_config(Path(root))
    _serialize_gradebook_sessions(_GradebookLock(Path(root) / "gradebook.db.lock"))
    # Warm kernels hook (coursekit/warm_kernels.py): start this worker's sandbox now
    # (its zygote imports while the worker sets up) and have ContainedExecute take
    # its kernels from it.  Plain `nbgrader autograde` never runs this.
    if BatchGrade(config=_WORKER["config"]).warm_kernels:
        from .contained_execute import ContainedExecute
        from .warm_kernels import WarmKernelManager, prepare_worker

        prepare_worker(Path(root), _WORKER["config"])
        ContainedExecute.batch_kernel_manager_class = WarmKernelManager


def grade_one(job: Job) -> Result:
    """Autograde one submission with nbgrader's converter, in this worker process."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    root, config = _WORKER["root"], _WORKER["config"]
    started = time.perf_counter()
    coursedir = CourseDirectory(config=config, root=str(root))
    coursedir.submitted_directory = STAGING
    coursedir.assignment_id = job.assignment
    coursedir.student_id = job.student
    converter = Autograde(coursedir=coursedir, config=config)
    converter.force = True
    errors = _ErrorLog()
    converter.log.addHandler(errors)
    try:
        converter.start()
        ok, error = True, ""
    except BaseException as err:  # one bad submission never stops the batch
        ok, error = False, errors.text() or f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=3)}"
    finally:
        converter.log.removeHandler(errors)
    result = Result(job.assignment, job.student, ok, time.perf_counter() - started, error=error)
    graded = root / "autograded" / job.student / job.assignment / f"{NOTEBOOK_NAME}.ipynb"
    if graded.exists():
        nb = json.loads(graded.read_text())
        result.incidents = nb.get("metadata", {}).get("coursekit", {}).get("incidents", [])
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            sub = gb.find_submission(job.assignment, job.student)
            result.score, result.max_score = sub.score, sub.max_score
        except Exception:
            pass
    return result


# --- the batch -----------------------------------------------------------------
def run_batch(root: Path = COURSE_ROOT, assignments=None, workers: int = 0, progress=True, console=None,
              students=None):
    """Grade every submission; returns the list of Results (in submission order)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    root = Path(root)
    console = console or Console()
    settings = BatchGrade(config=load_config(root))
    workers = workers or settings.workers or os.cpu_count() or 1
    jobs = find_submissions(root, assignments, students)
    if not jobs:
        console.print("no submissions found under submitted/")
        return []
    backup = backup_gradebook(root, settings)
    if backup:
        console.print(f"gradebook backed up to {backup.relative_to(root)}")
    staged = {(j.assignment, j.student): stage(root, j) for j in jobs}

    results = []
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(min(workers, len(jobs)), initializer=_init_worker, initargs=(str(root),)) as pool, \
            Progress(TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     TextColumn("{task.description}"), console=console, disable=not progress) as bar:
        task = bar.add_task("", total=len(jobs))
        for result in pool.imap_unordered(grade_one, jobs):
            results.append(result)
            bar.update(task, advance=1, description=f"{result.student} ({result.seconds:.1f} s)")
    order = {(j.assignment, j.student): i for i, j in enumerate(jobs)}
    results.sort(key=lambda r: order[(r.assignment, r.student)])
    for r in results:
        for why in staged[(r.assignment, r.student)]:
            if not any(i.get("kind") == "malformed" for i in r.incidents):
                r.incidents.append({"kind": "malformed", "cell": None, "message": why})
    return results


def print_summary(results, console=None):
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=f"Graded {len(results)} submissions")
    for name, justify in [("student", "left"), ("assignment", "left"), ("score", "right"),
                          ("seconds", "right"), ("notes", "left")]:
        table.add_column(name, justify=justify, overflow="fold")
    for r in results:
        notes = "; ".join(f"{i['kind']}" + (f" in {i['cell']}" if i.get("cell") else "") for i in r.incidents)
        if not r.ok:
            notes = ("FAILED: " + r.error.splitlines()[0] + ("; " if notes else "")) + notes
        table.add_row(r.student, r.assignment, f"{r.score:g} / {r.max_score:g}", f"{r.seconds:.1f}", notes or "-")
    console.print(table)
    seconds = sorted(r.seconds for r in results)
    if seconds:
        console.print(f"median time per submission in a worker: {seconds[len(seconds) // 2]:.2f} s")
