"""The rows the LMS files are written from (coursekit/export/grades.py)."""
import pytest
from nbgrader.api import Gradebook

from coursekit.export.grades import ExportError, LmsExport, read_grades, require
from lms_gradebook import lms_course  # noqa: F401 (a fixture)

pytestmark = pytest.mark.filterwarnings(
    # nbgrader's own add_submission trips these SQLAlchemy autoflush warnings
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning")


@pytest.fixture
def grades(lms_course):
    with Gradebook(lms_course.db_url, lms_course.course_id) as gb:
        return read_grades(lms_course, gb)


def rows_by_student(grades):
    return {row.student: row for row in grades.rows}


def test_parts_are_the_cells_worth_points_in_notebook_order(grades):
    """Are the parts the graded cells worth points, in the notebook's order, with their points?"""
    assert grades.parts == {"zero_pad": 2, "written": 3, "conv_forward": 5}
    assert grades.max_total == 10


def test_written_answers_count_with_the_graders_score(grades):
    """Does a written answer carry the score a grader gave it?"""
    ayla = rows_by_student(grades)["ayla"]
    assert ayla.assignment == "cnn_step_by_step_en"
    assert ayla.parts == {"zero_pad": 2, "written": 2, "conv_forward": 5}
    assert ayla.total == 9


def test_latest_submission_counts_when_a_student_used_two_languages(grades):
    """Is a student who submitted in Persian, then late in English, graded on the English, late one?"""
    dara = rows_by_student(grades)["dara"]
    assert dara.assignment == "cnn_step_by_step_en"
    assert dara.parts == {"zero_pad": 2, "written": 1, "conv_forward": 0}


def test_total_is_the_parts_less_the_late_penalty_never_below_zero(grades):
    """Is the late penalty taken off the total, and a penalty larger than the score a zero, not a debt?"""
    rows = rows_by_student(grades)
    assert rows["dara"].late_penalty == 1.0 and rows["dara"].total == 2
    assert rows["sina"].parts["zero_pad"] == 0.5 and rows["sina"].total == 0


def test_a_student_who_submitted_nothing_is_a_row_without_an_assignment(grades):
    """Is a student of the gradebook with no submission still a row, marked as not submitted?"""
    tom = rows_by_student(grades)["tom"]
    assert not tom.submitted and tom.parts == {}
    assert grades.score_cells(tom) == ["", "", "", ""]


def test_lms_ids_in_the_config_win_over_the_gradebook(grades):
    """Does c.LmsExport.lms_ids override the gradebook's lms_user_id, and the gradebook's fill the rest?"""
    rows = rows_by_student(grades)
    assert rows["dara"].lms_id == "S-0002"
    assert rows["ayla"].lms_id == "S-0001"


def test_columns_are_named_for_the_configured_title(grades):
    """Are the columns '<title>: <part>' and '<title>: total', with the title of c.LmsExport.title?"""
    assert grades.column("zero_pad") == "CNN: zero_pad"
    assert grades.total_column == "CNN: total"


def test_an_unmatched_student_is_named(grades):
    """Is every student without the id the LMS needs named in the error, instead of a row the LMS drops?"""
    rows = rows_by_student(grades)
    rows["ayla"].lms_id = rows["sina"].lms_id = ""
    with pytest.raises(ExportError, match="no LMS id for ayla, sina"):
        require(grades.rows, "LMS id", lambda row: row.lms_id)


def test_default_title_and_no_ids():
    """Does the export work out of the box: a title, and no id mapping until an instructor sets one?"""
    options = LmsExport()
    assert options.title and options.lms_ids == {}
