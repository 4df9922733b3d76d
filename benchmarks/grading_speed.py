"""How fast is a batch graded: plain nbgrader as it comes, plain nbgrader with this course's config, and
`coursekit grade`, on the same submissions, in one run.

    .venv/bin/python benchmarks/grading_speed.py [--submissions 30] [--rounds 3] [--workers 2]

1. plain ``nbgrader autograde`` as an instructor without this kit has it: a
   course folder whose ``nbgrader_config.py`` names the course and nothing
   else, so nbgrader's default pipeline (an ordinary ``python3`` kernel, no
   sandbox: the hidden checks do not run, so its grades differ);
2. plain ``nbgrader autograde`` with this course's ``nbgrader_config.py``
   (the sandbox, containment, trusted verdicts);
3. the command ``coursekit grade --workers 2`` (warm sandboxed kernels).

Each is the whole command, run as a program in the course folder, start-up
included.  Each configuration grades the same submissions (correct answers
and the catalogue's mistakes, in English) in a scratch copy of the course of
its own, *rounds* times, the three taking turns; the figure of a round is the
command's wall time divided by the number of submissions.  The script prints
the median of the rounds for each, the two ratios, and whether
configurations 2 and 3 gave identical grades.

Configuration 1 used to be this course's folder with nbgrader's default
stages given in a file passed with ``--JupyterApp.config_file``: nbgrader
reads the course folder's ``nbgrader_config.py`` after that file, so the
course's own stages (sandbox and verdicts) won, and the "defaults" were 2.4
times slower than nbgrader's defaults really are.  Now the folder's own
config file is plain.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: All the configuration a plain nbgrader course needs: its id (the gradebook is <root>/gradebook.db).
PLAIN_NBGRADER_CONFIG = '''c = get_config()
c.CourseDirectory.course_id = {course_id!r}
'''


def submissions(n: int) -> list[Path]:
    answers = [REPO / "course_data" / "demo_submissions" / "alice.en.py",
               REPO / "tests" / "answers" / "correct_vectorized.py"]
    answers += sorted((REPO / "tests" / "answers" / "mistakes").glob("*.py"))
    return [answers[i % len(answers)] for i in range(n)]


def coursekit_grade(root: Path, workers: int) -> None:
    """`coursekit grade` as an instructor types it in the course folder."""
    command = [str(Path(sys.executable).parent / "coursekit"), "grade", "--workers", str(workers)]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0 or "FAILED" in done.stdout:
        raise SystemExit(f"coursekit grade failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    from scratch import ScratchCourse

    answers = submissions(args.submissions)
    students = [f"s{i:03d}" for i in range(len(answers))]
    figures: dict[str, list[float]] = {"default": [], "course": [], "batch": []}
    identical = True
    with tempfile.TemporaryDirectory(prefix="grading-speed-") as tmp:
        tmp = Path(tmp)
        secret = f"\nc.TrustedGrading.secret_file = {str(tmp / 'grader.secret')!r}\n"
        courses = {}
        for name in figures:
            courses[name] = ScratchCourse(tmp / name, ["en"], config=secret)
            for student, path in zip(students, answers):
                courses[name].submit(student, path)
        plain = courses["default"]
        (plain.root / "nbgrader_config.py").write_text(PLAIN_NBGRADER_CONFIG.format(course_id=plain.course.course_id))
        for round_ in range(args.rounds):
            for name, course in courses.items():
                started = time.perf_counter()
                if name == "batch":
                    coursekit_grade(course.root, args.workers)
                else:
                    course.autograde("en")
                seconds = (time.perf_counter() - started) / len(students)
                figures[name].append(seconds)
                print(f"round {round_ + 1}: {name:8} {seconds:.2f} s per notebook", flush=True)
            if round_ == 0:
                differing = [s for s in students if courses["course"].scores(s) != courses["batch"].scores(s)]
                identical = not differing
                if differing:
                    print(f"grades differ between plain nbgrader and coursekit grade for: {', '.join(differing)}")
    default, course, batch = (statistics.median(figures[name]) for name in ("default", "course", "batch"))
    print(f"\n{len(students)} submissions, median of {args.rounds} rounds, seconds per notebook, whole command:")
    print(f"  plain nbgrader, nbgrader's defaults (no sandbox):   {default:.2f}")
    print(f"  plain nbgrader, this course's config (sandbox):     {course:.2f}")
    print(f"  coursekit grade --workers {args.workers} (sandbox):            {batch:.2f}")
    print(f"  ratios: {default / batch:.1f}x nbgrader's defaults, {course / batch:.1f}x this course's config")
    print(f"  identical grades (course config vs coursekit grade): {'yes' if identical else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
