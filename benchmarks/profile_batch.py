"""Where the time of grading one notebook goes, from cProfile: a worker's side and the coordinator's.

    .venv/bin/python benchmarks/profile_batch.py [--notebooks 10] [--top N]

A scratch copy of the course is built (English only); a worker (warm kernels,
sandbox on) executes the submissions one after another, and the coordinator
records each result alone (a group of one; ``recording_speed.py`` measures
groups), each under cProfile.  The table gives, per notebook, the time in
each part: kernel start, the notebook's own cells (its imports apart), the
trusted verdicts, nbgrader's sanitizing, the scores and checksums
(``CollectAutoGrades``), the notebook's (de)serialization; the coordinator's
gradebook rows and files.  Times are wall-clock medians over the notebooks
and include waiting for the kernel, which runs in another process.
"""
from __future__ import annotations

import argparse
import cProfile
import inspect
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

class Stopwatch:
    """Time spent in chosen methods, summed per part; wraps them for this benchmark only."""

    def __init__(self):
        self.spent: dict[str, float] = {}

    def add(self, part: str, seconds: float) -> None:
        self.spent[part] = self.spent.get(part, 0.0) + seconds

    def wrap(self, owner, name: str, part_of):
        original = getattr(owner, name)
        watch = self

        if inspect.iscoroutinefunction(original):
            async def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    watch.add(part_of(*args, **kwargs), time.perf_counter() - started)
        else:
            def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    watch.add(part_of(*args, **kwargs), time.perf_counter() - started)
        setattr(owner, name, timed)


def _cell_part(executor, cell, resources, index):
    from coursekit.grading.verdict.stage import hidden_check_of

    if cell.cell_type != "code":
        return "other"
    if hidden_check_of(cell):
        return "trusted verdicts (grader and kernel)"
    if cell.get("id") == "setup":
        return "setup cell (imports)"
    return "the notebook's other cells"


def _stats_sum(stats: pstats.Stats, fragment: str, name: str) -> float:
    """Cumulative time of every function *name* in files matching *fragment* (none calling another)."""
    return sum(cumulative for (file, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items()
               if fragment in file and function == name)


def _stats_time(stats: pstats.Stats, fragment: str, name: str) -> float:
    total = 0.0
    for (file, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        if fragment in file and function == name:
            total = max(total, cumulative)
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", type=int, default=10)
    parser.add_argument("--top", type=int, default=0, help="also print the worker's N most costly functions")
    parser.add_argument("--sort", default="tottime", help="the order of --top: tottime or cumulative")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    from scratch import CORRECT_LOOPS, ScratchCourse

    from coursekit.grading.batch.bundle import make_bundle
    from coursekit.grading.batch.execute import Worker
    from coursekit.grading.batch.record import Recorder
    from coursekit.grading.batch.run import files_of
    from coursekit.grading.batch.submissions import find_submissions, stage

    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        secret = Path(tmp) / "grader.secret"
        scratch = ScratchCourse(Path(tmp) / "course", ["en"],
                                config=f"\nc.TrustedGrading.secret_file = {str(secret)!r}\n")
        course = scratch.course
        for i in range(args.notebooks + 1):
            scratch.submit(f"s{i:03d}", CORRECT_LOOPS)
        jobs = find_submissions(course)
        for job in jobs:
            stage(course, job)
        bundle = make_bundle(course, {job.assignment for job in jobs})
        from nbclient import NotebookClient

        from coursekit.grading.contained_execute import ContainedExecute

        watch = Stopwatch()
        # The names nbclient's setup_kernel calls (synchronous wrappers of the async methods).
        for name in ("start_new_kernel", "start_new_kernel_client"):
            watch.wrap(ContainedExecute, name, lambda *a, **k: "kernel start")
        watch.wrap(NotebookClient, "_cleanup_kernel", lambda *a, **k: "kernel shutdown, sandbox reset")
        watch.wrap(ContainedExecute, "_run_cell", _cell_part)
        # The graded cells are judged together, after the last cell has run.
        watch.wrap(ContainedExecute, "_judge_deferred", lambda *a, **k: "trusted verdicts (grader and kernel)")
        watch.wrap(Recorder, "_write_files", lambda *a, **k: "autograded folder (files)")  # in a thread of its own
        worker = Worker(course.root, bundle)
        recorder = Recorder(course)
        rows: dict[str, list[float]] = {}
        try:
            for index, job in enumerate(jobs):
                files = files_of(course, job)
                profile = cProfile.Profile()
                watch.spent.clear()
                started = time.perf_counter()
                profile.enable()
                executed = worker.execute(job, files)
                profile.disable()
                executed_at = time.perf_counter()
                record = cProfile.Profile()
                record.enable()
                recorder.record(job, executed)
                record.disable()
                done = time.perf_counter()
                if index == 0:
                    continue  # the first notebook also waits for the sandbox's imports
                stats = pstats.Stats(profile)
                recording = pstats.Stats(record)
                row = {
                    "worker, in all": executed_at - started,
                    **{part: watch.spent.get(part, 0.0) for part in (
                        "kernel start", "setup cell (imports)", "the notebook's other cells",
                        "trusted verdicts (grader and kernel)", "kernel shutdown, sandbox reset")},
                    "nbgrader sanitizing (worker)": sum(_stats_time(stats, frag, "preprocess") for frag in (
                        "overwritecells.py", "clearoutput.py", "deduplicateids.py", "overwritekernelspec.py",
                        "guard_locked_cells.py")),
                    "metadata checks (CachedCheckCellMetadata, twice)": _stats_sum(stats, "nbgraderformat/v3.py",
                                                                                   "validate_nb"),
                    "scores and checksums (CollectAutoGrades)": _stats_sum(stats, "batch/stages.py", "preprocess_cell"),
                    "notebook read and written (nbformat)": _stats_sum(stats, "nbformat/__init__.py", "reads")
                    + _stats_sum(stats, "nbformat/__init__.py", "writes"),
                    "coordinator, in all (a group of one)": done - executed_at,
                    "gradebook rows (one transaction)": _stats_time(recording, "batch/record.py", "_record_group")
                    - watch.spent.get("autograded folder (files)", 0.0),
                    "autograded folder (files)": watch.spent.get("autograded folder (files)", 0.0),
                }
                for key, value in row.items():
                    rows.setdefault(key, []).append(value)
        finally:
            worker.close()
    if args.top:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    print(f"median seconds per notebook over {args.notebooks} notebooks (after the first):")
    for key, values in rows.items():
        print(f"  {key:52} {statistics.median(values):6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
