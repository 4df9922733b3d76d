"""``coursekit grade``: autograde every submission of the course with parallel workers.

It does what ``nbgrader autograde`` does, for every submitted notebook, with
these differences:

- the gradebook is backed up before anything is written (SQLite; a PostgreSQL gradebook is backed up
  with pg_dump, by the instructor);
- submissions are read from a staging copy, so ``submitted/`` is never
  modified; a notebook that is not valid JSON is graded as the blank release
  notebook, with a note saying why, instead of stopping the batch;
- workers execute the notebooks (``execute.py``) and decide what nbgrader's
  SaveAutoGrades would write (``stages.py``): local processes (``local.py``,
  one per core by default) or the workers of a Dask cluster (``cluster.py``,
  with ``c.BatchGrade.scheduler``); the coordinator records the results in
  groups, one transaction each, in a thread of its own (``record.py``), so
  only one process writes the gradebook, SQLite or PostgreSQL;
- a progress bar, and a summary table at the end.

The grades are the ones a sequential ``nbgrader autograde`` gives
(``tests/grading/test_batch.py`` checks it; ``benchmarks/`` measures the speed).
"""
from __future__ import annotations

import os
import signal
import threading

from ...course import Course
from .bundle import make_bundle
from .options import BatchGrade
from .record import Recorder, RecordingThread, Result
from .submissions import backup_gradebook, find_submissions, stage, staged_submissions, staging_root
from ..sandbox.folders import remove_stale_folders


class StopRequest:
    """SIGINT and SIGTERM ask the batch to stop: their handlers only set a flag.

    The coordinator looks at it between two results (never in the middle of
    recording one), stops its workers within a bound, and reports what it had
    not graded yet as not graded; nothing of those is written.
    """

    def __init__(self):
        self.signal = None
        self._before = {}

    @property
    def requested(self) -> bool:
        return self.signal is not None

    def _set(self, signum, frame):
        self.signal = signum

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._before[signum] = signal.signal(signum, self._set)
        return self

    def __exit__(self, *exc):
        for signum, handler in self._before.items():
            signal.signal(signum, handler)


def files_of(course: Course, job) -> dict[str, bytes]:
    """The staged submission's files, as the worker receives them."""
    folder = staged_submissions(course) / job.student / job.assignment
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_batch(course: Course, assignments=None, workers: int = 0, progress=True, console=None, students=None,
              scheduler: str | None = None) -> list[Result]:
    """Grade every submission; returns the Results, in submission order."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = console or Console()
    settings = BatchGrade(config=course.config)
    jobs = find_submissions(course, assignments, students)
    if not jobs:
        console.print(f"no submissions found under {course.relative(course.submitted_root)}/")
        return []
    remove_stale_folders()
    remove_stale_folders(staging_root(course))
    backup = backup_gradebook(course)
    if backup:
        console.print(f"gradebook backed up to {course.relative(backup)}")
    elif course.sqlite_path is None:
        console.print("the gradebook is not SQLite: coursekit backs up SQLite gradebooks only; back this one up "
                      "with the database's own tools (pg_dump for PostgreSQL) before grading")
    problems = {job: stage(course, job) for job in jobs}
    bundle = make_bundle(course, {job.assignment for job in jobs})
    recorder = Recorder(course)
    results: dict = {}
    answered: set = set()
    lock = threading.Lock()
    with StopRequest() as stop, Progress(TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=console, disable=not progress) as bar:
        task = bar.add_task("", total=len(jobs))

        def on_recorded(job, result, attempts):
            result.attempts = attempts
            for why in problems[job]:
                if not any(i.get("kind") == "malformed" for i in result.incidents):
                    result.incidents.append({"kind": "malformed", "cell": None, "message": why})
            with lock:
                results[job] = result
                bar.update(task, advance=1, description=f"{job.student} ({result.seconds:.1f} s)")

        recording = RecordingThread(recorder, on_recorded, settings.record_group, settings.record_wait_s)

        def on_result(job, executed, attempts):
            if job in answered:
                return  # a second answer for a submission already recorded
            answered.add(job)
            if executed.notebook is None:
                on_recorded(job, Result(job.assignment, job.student, False, executed.seconds, error=executed.error),
                            attempts)
            else:
                recording.put(job, executed, attempts)

        scheduler = scheduler if scheduler is not None else settings.scheduler
        try:
            if scheduler:
                from .cluster import run_on_cluster
                run_on_cluster(course, scheduler, bundle, jobs, lambda job: files_of(course, job), on_result, stop)
            else:
                from .local import LocalWorkers
                count = min(workers or settings.workers or os.cpu_count() or 1, len(jobs))
                LocalWorkers(course.root, bundle, count, attempts=settings.attempts,
                             timeout_s=settings.notebook_timeout_s).run(jobs, lambda job: files_of(course, job),
                                                                       on_result, stop)
        finally:
            recording.close()  # what the workers sent back is recorded, even when the batch stops
    why = ("the batch was stopped before it was graded" if stop.requested
           else "no worker reported a result for it")
    for job in jobs:  # every submission is reported, graded or not
        results.setdefault(job, Result(job.assignment, job.student, False, 0.0, error=f"{why}; grade it again"))
    return [results[job] for job in jobs]


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
        if r.attempts > 1 and r.ok:
            notes = f"graded on attempt {r.attempts}" + ("; " if notes else "") + notes
        if not r.ok:
            notes = ("FAILED: " + r.error.splitlines()[0] + ("; " if notes else "")) + notes
        table.add_row(r.student, r.assignment, f"{r.score:g} / {r.max_score:g}", f"{r.seconds:.1f}", notes or "-")
    console.print(table)
    seconds = sorted(r.seconds for r in results)
    if seconds:
        console.print(f"median time per submission: {seconds[len(seconds) // 2]:.2f} s")
