"""How `coursekit grade` scales with worker processes, locally and on a Dask cluster, and what that means for
classes of 10,000 and 100,000.

    .venv/bin/python benchmarks/scaling.py [--submissions 40] [--rounds 3]

The same submissions (correct answers and the catalogue's mistakes, in
English) are graded, sandbox on, in a scratch copy of the course of their own
for each configuration:

- local workers: ``coursekit grade`` with 1, then 2 worker processes;
- Dask: a ``LocalCluster`` on this machine (a scheduler, and worker processes
  behind nannies, as ``dask worker --nworkers N --nthreads 1`` starts them),
  with 1, then 2 workers, and ``coursekit grade --scheduler``.

Each configuration grades its batch *rounds* times (a re-run grades again,
idempotently); the figure of a round is its wall time.  The script prints, per
configuration, the median wall time, seconds per submission, submissions per
minute, the speed-up over one local worker, and whether the grades are those
of the first configuration; then when the first result reached the
coordinator and the seconds per submission after it (the last result's time
less the first's, over the submissions after the first): the rate once the
workers are warm, start-up apart.

The projection assumes what the measurement shows: each worker process
grades at the rate measured here with 2 processes on this 2-core machine
(coordinator included), a machine of this size runs 2 of them, and the
coordinator records results at the rate ``benchmarks/recording_speed.py``
measures (``--recording-rate``, results per second), beside the grading, so
that a batch takes the longer of the two.  Only the 1-machine row is measured;
the others are arithmetic on these rates, printed as such.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLASSES = (10_000, 100_000)
MACHINES = (1, 8, 32)
#: Worker processes per machine of this size (one per core).
PROCESSES_PER_MACHINE = 2


def submissions(n: int) -> list[Path]:
    answers = [REPO / "course_data" / "demo_submissions" / "alice.en.py",
               REPO / "tests" / "answers" / "correct_vectorized.py"]
    answers += sorted((REPO / "tests" / "answers" / "mistakes").glob("*.py"))
    return [answers[i % len(answers)] for i in range(n)]


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.0f} min"


def projection(process_s: float, recording_rate: float | None) -> str:
    """The table of projected wall times, with its arithmetic."""
    lines = [f"\nprojection: {process_s:.2f} s per submission per worker process (the 2-process rate above), "
             f"{PROCESSES_PER_MACHINE} processes per machine of this size"
             + (f", the coordinator recording {recording_rate:.0f} results/s" if recording_rate else "")]
    lines.append(f"  {'submissions':>11} {'machines':>8}  {'grading':>24}  {'recording':>20}  {'batch':>8}")
    for size in CLASSES:
        for machines in MACHINES:
            processes = machines * PROCESSES_PER_MACHINE
            grading = size * process_s / processes
            recording = size / recording_rate if recording_rate else 0.0
            kind = "measured rate" if machines == 1 else "projected"
            lines.append(f"  {size:>11,} {machines:>8}  {size:,} x {process_s:.2f} / {processes:<3} = {hours(grading):>7}"
                         f"  {size:,} / {recording_rate or 0:.0f} = {hours(recording):>7}  "
                         f"{hours(max(grading, recording)):>8}  ({kind})")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--recording-rate", type=float, default=None,
                        help="results the coordinator records per second (from recording_speed.py), for the projection")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    from distributed import Client, LocalCluster
    from scratch import ScratchCourse

    from coursekit.grading.batch import run_batch
    from coursekit.grading.batch.record import RecordingThread

    arrivals: list[float] = []  # when each result reached the coordinator, in this round
    put = RecordingThread.put

    def timed_put(self, *args, **kwargs):
        arrivals.append(time.perf_counter())
        return put(self, *args, **kwargs)

    RecordingThread.put = timed_put
    answers = submissions(args.submissions)
    students = [f"s{i:03d}" for i in range(len(answers))]
    configurations = [("local, 1 worker", 1, False), ("local, 2 workers", 2, False),
                      ("Dask, 1 worker", 1, True), ("Dask, 2 workers", 2, True)]
    walls: dict[str, list[float]] = {name: [] for name, _, _ in configurations}
    warm: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in configurations}
    grades: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="scaling-") as tmp:
        tmp = Path(tmp)
        secret = f"\nc.TrustedGrading.secret_file = {str(tmp / 'grader.secret')!r}\n"
        for index, (name, workers, dask) in enumerate(configurations):
            course = ScratchCourse(tmp / f"course{index}", ["en"], config=secret)
            for student, path in zip(students, answers):
                course.submit(student, path)
            cluster = client = None
            if dask:
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, worker_dashboard_address=None)
                client = Client(cluster, set_as_default=False)
                client.wait_for_workers(workers, timeout=120)
            try:
                for round_ in range(args.rounds):
                    arrivals.clear()
                    started = time.perf_counter()
                    if dask:
                        results = run_batch(course.course, progress=False, scheduler=cluster.scheduler.address)
                    else:
                        results = run_batch(course.course, workers=workers, progress=False)
                    wall = time.perf_counter() - started
                    failed = [f"{r.student}: {r.error}" for r in results if not r.ok]
                    if failed:
                        print(f"{name}: {len(failed)} submissions failed: {failed[:3]}")
                        return 1
                    walls[name].append(wall)
                    if len(arrivals) > 1:
                        warm[name].append((arrivals[0] - started, (arrivals[-1] - arrivals[0]) / (len(arrivals) - 1)))
                    print(f"round {round_ + 1}: {name:17} {wall:6.1f} s", flush=True)
                grades[name] = {s: course.scores(s) for s in students}
            finally:
                if client is not None:
                    client.close()
                    cluster.close()

    first = configurations[0][0]
    base = statistics.median(walls[first])
    n = len(students)
    print(f"\n{n} submissions, sandbox on, median of {args.rounds} rounds:")
    print(f"{'configuration':18} {'wall':>8} {'s/submission':>13} {'per minute':>11} {'speed-up':>9}  same grades")
    per_process = []
    for name, workers, _dask in configurations:
        wall = statistics.median(walls[name])
        per_process.append(wall / n * workers)
        same = "yes" if grades[name] == grades[first] else "NO"
        print(f"{name:18} {wall:7.1f}s {wall / n:13.2f} {60 * n / wall:11.1f} {base / wall:8.2f}x  {same}")
    print(f"\n{'configuration':18} {'first result':>13} {'then s/submission':>18}   (medians)")
    for name, _workers, _dask in configurations:
        if warm[name]:
            print(f"{name:18} {statistics.median(f for f, _ in warm[name]):12.2f}s "
                  f"{statistics.median(r for _, r in warm[name]):18.3f}")
    # The slowest per-process rate measured with 2 processes on this machine stands for a worker process elsewhere.
    process_s = max(statistics.median(walls[name]) / n * workers
                    for name, workers, _ in configurations if workers == 2)
    print(projection(process_s, args.recording_rate))
    same = all(grades[name] == grades[first] for name in grades)
    print(f"identical grades in every configuration: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
