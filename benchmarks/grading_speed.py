"""How fast is a batch graded: plain nbgrader as it comes, plain nbgrader with this course's config, and
`coursekit grade`, on the same submissions, in one run.

    .venv/bin/python benchmarks/grading_speed.py [--submissions 30] [--rounds 3] [--workers 2]

1. plain ``nbgrader autograde`` with nbgrader's default pipeline (an ordinary
   kernel, no sandbox: the hidden checks do not run, so its grades differ);
2. plain ``nbgrader autograde`` with this course's ``nbgrader_config.py``
   (the sandbox, containment, trusted verdicts);
3. ``coursekit grade`` with 2 workers (warm sandboxed kernels).

Each configuration grades the same submissions (correct answers and the
catalogue's mistakes, in English) in a scratch copy of the course of its own,
*rounds* times; the figure of a round is its wall time divided by the number
of submissions.  The script prints the median of the rounds for each, the two
ratios, and whether configurations 2 and 3 gave identical grades.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: nbgrader's own Autograde stages, as nbgrader 0.9 has them without any course config.
NBGRADER_DEFAULTS = '''c = get_config()
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.Execute.kernel_name = "python3"
'''


def submissions(n: int) -> list[Path]:
    answers = [REPO / "course_data" / "demo_submissions" / "alice.en.py",
               REPO / "tests" / "answers" / "correct_vectorized.py"]
    answers += sorted((REPO / "tests" / "answers" / "mistakes").glob("*.py"))
    return [answers[i % len(answers)] for i in range(n)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    from scratch import ScratchCourse

    from coursekit.grading.batch import run_batch

    answers = submissions(args.submissions)
    students = [f"s{i:03d}" for i in range(len(answers))]
    figures: dict[str, list[float]] = {"default": [], "course": [], "batch": []}
    identical = True
    with tempfile.TemporaryDirectory(prefix="grading-speed-") as tmp:
        tmp = Path(tmp)
        secret = f"\nc.TrustedGrading.secret_file = {str(tmp / 'grader.secret')!r}\n"
        defaults = tmp / "nbgrader_defaults.py"
        defaults.write_text(NBGRADER_DEFAULTS)
        courses = {}
        for name in figures:
            courses[name] = ScratchCourse(tmp / name, ["en"], config=secret)
            for student, path in zip(students, answers):
                courses[name].submit(student, path)
        for round_ in range(args.rounds):
            for name, course in courses.items():
                started = time.perf_counter()
                if name == "default":
                    course.autograde("en", f"--JupyterApp.config_file={defaults}")
                elif name == "course":
                    course.autograde("en")
                else:
                    results = run_batch(course.course, workers=args.workers, progress=False)
                    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
                seconds = (time.perf_counter() - started) / len(students)
                figures[name].append(seconds)
                print(f"round {round_ + 1}: {name:8} {seconds:.2f} s per notebook", flush=True)
            if round_ == 0:
                differing = [s for s in students if courses["course"].scores(s) != courses["batch"].scores(s)]
                identical = not differing
                if differing:
                    print(f"grades differ between plain nbgrader and coursekit grade for: {', '.join(differing)}")
    default, course, batch = (statistics.median(figures[name]) for name in ("default", "course", "batch"))
    print(f"\n{len(students)} submissions, median of {args.rounds} rounds, seconds per notebook:")
    print(f"  plain nbgrader, nbgrader's defaults (no sandbox):   {default:.2f}")
    print(f"  plain nbgrader, this course's config (sandbox):     {course:.2f}")
    print(f"  coursekit grade, {args.workers} workers (sandbox):             {batch:.2f}")
    print(f"  ratios: {default / batch:.1f}x nbgrader's defaults, {course / batch:.1f}x this course's config")
    print(f"  identical grades (course config vs coursekit grade): {'yes' if identical else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
