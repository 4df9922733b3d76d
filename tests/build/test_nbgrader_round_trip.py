"""The course works with plain nbgrader commands, end to end."""
import csv
import subprocess
import sys

import nbformat
import pytest

from scratch import NOTEBOOK_NAME, REPO as COURSE_ROOT
from scratch import assignment_for
from coursekit.build.nbgrader_run import nbgrader_env, run_nbgrader
from coursekit.build.release import master_path  # FIXME
from scratch import ANSWERS, CORRECT_LOOPS, autograded_cells


def nbgrader(args, cwd):
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=nbgrader_env(),
                          capture_output=True, text=True)


def region_lines(nb, begin, end):
    """The non-trivial lines that stand only inside begin/end regions of *nb*, never outside them."""
    inside_lines, outside_lines, inside = set(), set(), False
    for cell in nb.cells:
        for line in cell.source.split("\n"):
            if begin in line:
                inside = True
            elif end in line:
                inside = False
            elif len(line.strip()) > 12:
                (inside_lines if inside else outside_lines).add(line.strip())
    return inside_lines - outside_lines


def solution_lines(nb):
    return region_lines(nb, "BEGIN SOLUTION", "END SOLUTION")


def hidden_lines(nb):
    return region_lines(nb, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def test_does_the_master_pass_validate():
    """Does `nbgrader validate` pass on the master notebook, solutions in place?"""
    proc = nbgrader(["validate", master_path().name], master_path().parent)
    assert "Success! Your notebook passes all the tests." in proc.stdout, proc.stdout + proc.stderr


def test_does_every_test_fail_on_the_release(english_course):
    """Does `nbgrader validate --invert` find that no test passes on the unanswered release?"""
    release = english_course.root / "release" / assignment_for("en")
    proc = nbgrader(["validate", "--invert", f"{NOTEBOOK_NAME}.ipynb"], release)
    assert "Success! The notebook does not pass any tests." in proc.stdout, proc.stdout + proc.stderr


def test_is_nothing_secret_left_in_the_release():
    """Does the committed release hold no solution line, no hidden test line and no region marker?"""
    master = nbformat.read(master_path(), as_version=4)
    secret = solution_lines(master) | hidden_lines(master)
    assert len(secret) > 50
    for release in sorted((COURSE_ROOT / "release").glob("*/*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(release, as_version=4).cells)
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, release
        leaked = [line for line in secret if line in text]
        assert leaked == [], f"{release}: {leaked[:3]}"


@pytest.fixture(scope="module")
def graded_pair(english_course):
    """A correct and a mistaken submission, autograded and with feedback."""
    english_course.submit("rt-correct", CORRECT_LOOPS)
    english_course.submit("rt-mistaken", ANSWERS / "mistakes" / "conv_backward__published_stride_less.py")
    english_course.autograde("en", "--student=rt-*")
    run_nbgrader(["generate_feedback", assignment_for("en"), "--force", "--student=rt-*"], english_course.root)
    return english_course


def feedback_html(course, student):
    return (course.root / "feedback" / student / assignment_for("en") / f"{NOTEBOOK_NAME}.html").read_text()


def test_does_feedback_show_the_message_but_not_the_hidden_code(graded_pair):
    """Does the feedback of a failing submission show the check's message and none of the hidden tests?"""
    html = feedback_html(graded_pair, "rt-mistaken")
    master = nbformat.read(master_path(), as_version=4)
    assert "conv_backward: " in html and "checks failed" in html
    assert "BEGIN HIDDEN TESTS" not in html and "_hidden_checks" not in html
    leaked = [line for line in hidden_lines(master) if line in html or line.replace('"', "&quot;") in html]
    assert leaked == []


def test_would_plain_nbgrader_have_shown_the_hidden_code(graded_pair):
    """Without the kit's feedback stage, does nbgrader's own feedback quote the hidden tests (the bug the stage fixes)?"""
    plain = ["--GenerateFeedback.preprocessors=nbgrader.preprocessors.GetGrades",
             "--GenerateFeedback.preprocessors=nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
    run_nbgrader(["generate_feedback", assignment_for("en"), "--force", "--student=rt-mistaken", *plain],
                 graded_pair.root)
    try:
        assert "_hidden_checks" in feedback_html(graded_pair, "rt-mistaken")
    finally:
        run_nbgrader(["generate_feedback", assignment_for("en"), "--force", "--student=rt-mistaken"], graded_pair.root)


def test_does_export_write_one_row_per_submission(graded_pair):
    """Does `nbgrader export` write grades.csv with the graded scores?"""
    run_nbgrader(["export", "--to", "grades.csv"], graded_pair.root)
    rows = {r["student_id"]: r for r in csv.DictReader(open(graded_pair.root / "grades.csv"))}
    # The written answers wait for a grader: only the autograded points are in yet.
    full = sum(autograded_cells().values())
    assert float(rows["rt-correct"]["raw_score"]) == full == 120.0
    assert float(rows["rt-mistaken"]["raw_score"]) == full - 20.0


def test_are_hidden_test_cells_restored_from_the_gradebook(graded_pair):
    """Does the autograded notebook run the hidden checks that the release never contained?"""
    nb = nbformat.read(graded_pair.autograded_notebook("rt-correct"), as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == "test_conv_backward")
    assert "_hidden_checks.conv_backward" in cell.source
    printed = "".join(o.get("text", "") for o in cell.outputs)
    assert "conv_backward: all 3 hidden checks passed." in printed
