"""The sample class: a scratch copy of the course, a dozen students in three languages graded in it, and a
picture of its instructor report.

    python -m coursekit.demo.sample_class --out docs/report.png [--full-page]

It lives with the demo (which may use every stage) so that the report stage needs nothing of it.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path

from ..build.nbgrader_run import run_nbgrader
from ..build.release import build_all
from ..build.release_sync import copy_build_inputs
from ..course import Course, CourseError
from ..report.screenshot import DEFAULT_HEIGHT, DEFAULT_WIDTH, ChromiumMissing, find_chromium, report_screenshot
from .cycle import submit

#: The sample class: (student, language, answer file relative to the course root).
SAMPLE_CLASS = [
    ("alice", "en", "course_data/demo_submissions/alice.en.py"),
    ("dev", "en", "course_data/sample_class/correct_vectorized.py"),
    ("emma", "en", "course_data/sample_class/conv_forward__ignores_stride.py"),
    ("frank", "en", "course_data/sample_class/infinite_loop.py"),
    ("bob", "fa", "course_data/demo_submissions/bob.fa.py"),
    ("darya", "fa", "course_data/sample_class/conv_single_step__forgets_bias.py"),
    ("kian", "fa", "course_data/sample_class/zero_pad__pads_one_side.py"),
    ("sara", "fa", "course_data/sample_class/exits_the_kernel.py"),
    ("carol", "tr", "course_data/demo_submissions/carol.tr.py"),
    ("deniz", "tr", "course_data/sample_class/pool_forward__average_sums.py"),
    ("elif", "tr", "course_data/sample_class/conv_backward__published_stride_less.py"),
    ("emre", "tr", "course_data/sample_class/floods_the_output.py"),
]


def grade_sample_class(course: Course, root: Path, progress=print) -> Course:
    """Build a scratch copy of *course* in the empty folder *root* and autograde SAMPLE_CLASS in it."""
    languages = list(dict.fromkeys(lang for _, lang, _ in SAMPLE_CLASS))
    scratch = Course.load(copy_build_inputs(course, Path(root)))
    build_all(scratch, languages, progress=progress)
    for student, lang, answers in SAMPLE_CLASS:
        submit(scratch, student, lang, course.root / answers)
    for lang in languages:
        progress(f"[sample class] nbgrader autograde {scratch.assignment_for(lang)}")
        run_nbgrader(["autograde", scratch.assignment_for(lang), "--force"], scratch.root)
    return scratch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coursekit.demo.sample_class",
        description="Grade the sample class in a scratch copy of the course and save a PNG of its report.")
    parser.add_argument("--course-root", type=Path, default=None,
                        help="the course folder (default: the one the current folder belongs to)")
    parser.add_argument("--out", type=Path, required=True, help="the PNG file to write")
    parser.add_argument("--width", type=int, default=DEFAULT_WIDTH, help=f"page width (default {DEFAULT_WIDTH})")
    parser.add_argument("--height", type=int, default=DEFAULT_HEIGHT,
                        help=f"at most this many pixels of the top of the page (default {DEFAULT_HEIGHT})")
    parser.add_argument("--full-page", action="store_true", help="keep the whole page")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="sample-class-") as root:
            course = Course.load(args.course_root)
            find_chromium()  # before minutes of grading
            scratch = grade_sample_class(course, Path(root), progress=lambda message: print(message, file=sys.stderr))
            out = report_screenshot(scratch, args.out, width=args.width, height=args.height,
                                    full_page=args.full_page)
    except (ChromiumMissing, CourseError, FileNotFoundError, ValueError, RuntimeError) as err:
        print(f"sample_class: {err}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
