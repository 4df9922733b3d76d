"""Benchmark: plain sequential `nbgrader autograde` against `coursekit grade`, sandbox on.

Builds two identical scratch copies of the course, puts the same synthetic class
in both (correct, blank, mistaken and hostile submissions, in all three
languages), grades one with plain `nbgrader autograde` (one command per
assignment, as an instructor would) and the other with the kit's batch
command, then prints the median time per notebook of each, the throughput
ratio, and whether every per-cell score is identical.

    .venv/bin/python benchmarks/batch_vs_plain.py [--submissions 40] [--workers N] [--languages en fa tr]

The machine is small and shared: run it when nothing else is, and quote medians.
"""
import argparse
import contextlib
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

from coursekit.build.nbgrader_run import run_nbgrader  # noqa: E402
from coursekit.build.release import build_all  # noqa: E402
from coursekit.build.release_sync import copy_build_inputs  # noqa: E402
from coursekit.course import Course  # noqa: E402
from coursekit.demo.cycle import submit  # noqa: E402
from coursekit.grading.batch import run_batch  # noqa: E402

COURSE = Course.load(ROOT)
ANSWERS = ROOT / "tests" / "answers"
DEMO = COURSE.data_dir / "demo_submissions"
POOL = ([DEMO / "alice.en.py", ANSWERS / "correct_vectorized.py", DEMO / "bob.fa.py"]
        + sorted((ANSWERS / "mistakes").glob("*.py")) + sorted((ANSWERS / "hostile").glob("*.py")))


def make_class(n, languages):
    """n (student, language, answer file) triples cycling through the pool and the languages."""
    picks = itertools.islice(itertools.cycle(POOL), n)
    return [(f"s{i:03d}", languages[i % len(languages)], path) for i, path in enumerate(picks)]


def scratch_course(folder: Path, students, languages) -> Course:
    folder.mkdir(parents=True)
    course = Course.load(copy_build_inputs(COURSE, folder))
    build_all(course, languages, progress=lambda message: None)
    for student, lang, path in students:
        submit(course, student, lang, path)
    return course


def all_scores(course: Course, students):
    with Gradebook(course.db_url, course.course_id) as gb:
        return {s: {g.name: g.score for g in gb.find_submission_notebook(
            course.notebook, course.assignment_for(lang), s).grades} for s, lang, _p in students}


def finish_times(course: Course):
    """When each autograded notebook was written: consecutive gaps are per-notebook times."""
    return sorted(p.stat().st_mtime for p in course.autograded_root.glob(f"*/*/{course.notebook}.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", type=int, default=0, help="batch workers (default: one per core)")
    parser.add_argument("--languages", nargs="+", default=COURSE.languages,
                        help=f"the languages of the class (default: {' '.join(COURSE.languages)})")
    args = parser.parse_args(argv)
    languages = args.languages
    students = make_class(args.submissions, languages)
    with tempfile.TemporaryDirectory() as tmp:
        plain = scratch_course(Path(tmp) / "plain", students, languages)
        batch = scratch_course(Path(tmp) / "batch", students, languages)

        started = time.perf_counter()
        for lang in languages:
            run_nbgrader(["autograde", plain.assignment_for(lang), "--force"], plain.root)
        plain_wall = time.perf_counter() - started
        gaps = [b - a for a, b in zip(finish_times(plain), finish_times(plain)[1:])]

        started = time.perf_counter()
        with contextlib.chdir(batch.root):  # as an instructor runs `coursekit grade`
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
    print(f"submissions: {n} ({', '.join(languages)}), cores: {os.cpu_count()}, batch workers: {args.workers or os.cpu_count()}")
    print(f"plain nbgrader autograde: {plain_wall:7.1f} s in all, median {statistics.median(gaps):.2f} s per notebook")
    print(f"coursekit grade:          {batch_wall:7.1f} s in all, median {statistics.median(r.seconds for r in results):.2f} s"
          f" per notebook in a worker, {batch_wall / n:.2f} s per notebook overall")
    print(f"throughput ratio (plain time / batch time): {plain_wall / batch_wall:.2f}x")
    print(f"identical per-cell scores: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
