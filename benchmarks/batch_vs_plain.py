"""Benchmark: plain sequential `nbgrader autograde` against `coursekit grade`, sandbox on.

Builds two identical scratch copies of the course, puts the same synthetic class
in both (correct, blank, mistaken and hostile submissions, in all three
languages), grades one with plain `nbgrader autograde` (one command per
assignment, as an instructor would) and the other with the kit's batch
command, then prints the median time per notebook of each, the throughput
ratio, and whether every per-cell score is identical.

    .venv/bin/python benchmarks/batch_vs_plain.py [--submissions 40] [--workers N]

The machine is small and shared: run it when nothing else is, and quote medians.
"""
import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coursekit import NOTEBOOK_NAME  # noqa: E402
from coursekit.batch_grade import run_batch  # noqa: E402
from coursekit.build_release import assignment_for, build_all, run_nbgrader  # noqa: E402
from coursekit.demo_cycle import submit  # noqa: E402
from coursekit.release_sync import copy_build_inputs  # noqa: E402

ANSWERS = ROOT / "tests" / "answers"
POOL = ([ROOT / "course_data" / "demo_submissions" / "alice.en.py", ANSWERS / "correct_vectorized.py",
         ROOT / "course_data" / "demo_submissions" / "bob.fa.py"]
        + sorted((ANSWERS / "mistakes").glob("*.py")) + sorted((ANSWERS / "hostile").glob("*.py")))
LANGUAGES = ["en", "fa", "tr"]


def make_class(n):
    """n (student, language, answer file) triples cycling through the pool and the languages."""
    picks = itertools.islice(itertools.cycle(POOL), n)
    return [(f"s{i:03d}", LANGUAGES[i % 3], path) for i, path in enumerate(picks)]


def scratch_course(folder: Path, students):
    folder.mkdir(parents=True)
    copy_build_inputs(ROOT, folder)
    build_all(folder, LANGUAGES, progress=lambda message: None)
    for student, lang, path in students:
        submit(folder, student, lang, path)
    return folder


def all_scores(folder: Path, students):
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        return {s: {g.name: g.score for g in gb.find_submission_notebook(NOTEBOOK_NAME, assignment_for(lang), s).grades}
                for s, lang, _p in students}


def finish_times(folder: Path):
    """When each autograded notebook was written: consecutive gaps are per-notebook times."""
    return sorted(p.stat().st_mtime for p in (folder / "autograded").glob(f"*/*/{NOTEBOOK_NAME}.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", type=int, default=0, help="batch workers (default: one per core)")
    args = parser.parse_args(argv)
    students = make_class(args.submissions)
    with tempfile.TemporaryDirectory() as tmp:
        plain = scratch_course(Path(tmp) / "plain", students)
        batch = scratch_course(Path(tmp) / "batch", students)

        started = time.perf_counter()
        for lang in LANGUAGES:
            run_nbgrader(["autograde", assignment_for(lang), "--force"], plain)
        plain_wall = time.perf_counter() - started
        gaps = [b - a for a, b in zip(finish_times(plain), finish_times(plain)[1:])]

        started = time.perf_counter()
        results = run_batch(batch, workers=args.workers, progress=False)
        batch_wall = time.perf_counter() - started

        plain_scores, batch_scores = all_scores(plain, students), all_scores(batch, students)
        same = plain_scores == batch_scores
        for student, lang, path in students:
            if plain_scores[student] != batch_scores[student]:
                cells = sorted(c for c in plain_scores[student] if plain_scores[student][c] != batch_scores[student][c])
                print(f"differs: {student} ({lang}, {path.name}): " + ", ".join(
                    f"{c} plain {plain_scores[student][c]} batch {batch_scores[student][c]}" for c in cells))
    n = len(students)
    print(f"submissions: {n} ({', '.join(LANGUAGES)}), cores: {os.cpu_count()}, batch workers: {args.workers or os.cpu_count()}")
    print(f"plain nbgrader autograde: {plain_wall:7.1f} s in all, median {statistics.median(gaps):.2f} s per notebook")
    print(f"coursekit grade:          {batch_wall:7.1f} s in all, median {statistics.median(r.seconds for r in results):.2f} s"
          f" per notebook in a worker, {batch_wall / n:.2f} s per notebook overall")
    print(f"throughput ratio (plain time / batch time): {plain_wall / batch_wall:.2f}x")
    print(f"identical per-cell scores: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
