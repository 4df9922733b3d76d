"""The course works with plain nbgrader commands, end to end."""
import csv
import subprocess
import sys

import nbformat
import pytest

from coursekit.build.nbgrader_run import nbgrader_env, run_nbgrader
from scratch import ANSWERS, COURSE, CORRECT_LOOPS, autograded_cells

EN = COURSE.assignment_for("en")
#: Where the grader-only hidden checks live (never in a notebook, a release or a feedback page).
HIDDEN_CHECKS = COURSE.root / "hidden_checks"


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


@pytest.mark.slow
def test_does_the_master_pass_validate():
    """Does `nbgrader validate` pass on the master notebook, solutions in place?"""
    proc = nbgrader(["validate", COURSE.master_path.name], COURSE.master_dir)
    assert "Success! Your notebook passes all the tests." in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.slow
def test_does_every_test_fail_on_the_release(english_course):
    """Does `nbgrader validate --invert` find that no test passes on the unanswered release?"""
    release = english_course.course.release_notebook(EN)
    proc = nbgrader(["validate", "--invert", release.name], release.parent)
    assert "Success! The notebook does not pass any tests." in proc.stdout, proc.stdout + proc.stderr


def test_is_nothing_secret_left_in_the_release():
    """Does the committed release hold no solution line, no hidden test line and no region marker?"""
    master = nbformat.read(COURSE.master_path, as_version=4)
    secret = solution_lines(master) | hidden_lines(master)
    assert len(secret) > 50
    for release in sorted(COURSE.folder("release_directory").glob("*/*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(release, as_version=4).cells)
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, release
        leaked = [line for line in secret if line in text]
        assert leaked == [], f"{release}: {leaked[:3]}"


def test_is_no_line_of_the_grader_only_checks_in_the_release():
    """Does no committed release notebook hold a substantial line of the hidden checks' own code (hidden_checks/)?"""
    master = nbformat.read(COURSE.master_path, as_version=4)
    published = {line.strip() for cell in master.cells for line in cell.source.split("\n")}
    public = published - solution_lines(master) - hidden_lines(master)  # the notebook's scaffold: signatures...
    public |= {line.strip() for path in COURSE.master_dir.glob("*.py") for line in path.read_text().split("\n")}
    code = {line.strip() for path in HIDDEN_CHECKS.glob("*.py") for line in path.read_text().split("\n")
            if len(line.strip()) > 24 and not line.strip().startswith(("#", '"'))} - public
    assert len(code) > 50
    for release in sorted(COURSE.folder("release_directory").glob("*/*.ipynb")):
        text = release.read_text(encoding="utf-8")
        assert [line for line in code if line in text] == [], release


@pytest.fixture(scope="module")
def graded_pair(english_course):
    """A correct and a mistaken submission, autograded and with feedback."""
    english_course.submit("rt-correct", CORRECT_LOOPS)
    english_course.submit("rt-mistaken", ANSWERS / "mistakes" / "conv_backward__published_stride_less.py")
    english_course.autograde("en", "--student=rt-*")
    run_nbgrader(["generate_feedback", EN, "--force", "--student=rt-*"], english_course.root)
    return english_course


def feedback_html(scratch, student):
    return (scratch.course.feedback_dir(student, EN) / f"{COURSE.notebook}.html").read_text()


@pytest.mark.slow
def test_does_feedback_show_the_message_but_not_the_hidden_code(graded_pair):
    """Does the feedback of a failing submission show the check's message and none of the hidden tests?"""
    html = feedback_html(graded_pair, "rt-mistaken")
    master = nbformat.read(COURSE.master_path, as_version=4)
    assert "conv_backward: " in html and "checks failed" in html
    assert "BEGIN HIDDEN TESTS" not in html and "hidden check: conv_backward" not in html
    leaked = [line for line in hidden_lines(master) if line in html or line.replace('"', "&quot;") in html]
    assert leaked == []


@pytest.mark.slow
def test_does_feedback_quote_no_line_of_the_grader_only_checks(graded_pair):
    """Does no substantial line of hidden_checks/conv_backward.py reach the feedback of a failing conv_backward?"""
    html = feedback_html(graded_pair, "rt-mistaken")
    code = [line.strip() for line in (HIDDEN_CHECKS / "conv_backward.py").read_text().split("\n")
            if len(line.strip()) > 24 and not line.strip().startswith(("#", '"'))]
    assert len(code) > 5
    assert [line for line in code if line in html or line.replace('"', "&quot;") in html] == []


@pytest.mark.slow
def test_would_plain_nbgrader_have_shown_the_hidden_code(graded_pair):
    """Without the kit's feedback stage, does nbgrader's own feedback quote the hidden tests (the bug the stage fixes)?"""
    plain = ["--GenerateFeedback.preprocessors=nbgrader.preprocessors.GetGrades",
             "--GenerateFeedback.preprocessors=nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
    run_nbgrader(["generate_feedback", EN, "--force", "--student=rt-mistaken", *plain], graded_pair.root)
    try:
        assert "hidden check: conv_backward" in feedback_html(graded_pair, "rt-mistaken")
    finally:
        run_nbgrader(["generate_feedback", EN, "--force", "--student=rt-mistaken"], graded_pair.root)


@pytest.mark.slow
def test_does_export_write_one_row_per_submission(graded_pair):
    """Does `nbgrader export` write grades.csv with the graded scores?"""
    run_nbgrader(["export", "--to", "grades.csv"], graded_pair.root)
    rows = {r["student_id"]: r for r in csv.DictReader(open(graded_pair.root / "grades.csv"))}
    # The written answers wait for a grader: only the autograded points are in yet.
    full = sum(autograded_cells().values())
    assert float(rows["rt-correct"]["raw_score"]) == full == 120.0
    assert float(rows["rt-mistaken"]["raw_score"]) == full - 20.0


@pytest.mark.slow
def test_are_hidden_test_cells_restored_from_the_gradebook(graded_pair):
    """Does the autograded notebook name and pass the hidden check that the release never contained?"""
    nb = nbformat.read(graded_pair.autograded_notebook("rt-correct"), as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == "test_conv_backward")
    assert "# hidden check: conv_backward" in cell.source
    printed = "".join(o.get("text", "") for o in cell.outputs)
    assert "conv_backward: all 3 hidden checks passed." in printed
