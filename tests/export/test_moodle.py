"""The Moodle grade import file (coursekit/export/moodle.py).

Moodle's CSV import maps one identifying column to a user field
(``useridnumber``, ``username`` or ``useremail``) and each other column to a
grade item; the identifying columns are named as Moodle's own export names them.
"""
import pytest
from nbgrader.api import Gradebook

from coursekit.export.grades import ExportError, read_grades
from coursekit.export.moodle import ID_COLUMNS, MoodleExportPlugin
from lms_gradebook import lms_course  # noqa: F401 (a fixture)

pytestmark = pytest.mark.filterwarnings(
    # nbgrader's own add_submission trips these SQLAlchemy autoflush warnings
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning")

PARTS = ["CNN: zero_pad", "CNN: written", "CNN: conv_forward", "CNN: total"]


@pytest.fixture
def grades(lms_course):
    with Gradebook(lms_course.db_url, lms_course.course_id) as gb:
        return read_grades(lms_course, gb)


def by_id(lines):
    return {line[2]: dict(zip(lines[0], line)) for line in lines[1:]}


def test_header_is_names_the_id_number_then_one_column_per_part_and_the_total(grades):
    """Does the header hold the names, Moodle's 'ID number', then one column per graded part and the total?"""
    lines = MoodleExportPlugin().rows(grades)
    assert lines[0] == ["First name", "Last name", "ID number"] + PARTS


def test_no_points_row(grades):
    """Is every row after the header a student (Moodle reads no points row: grade items keep their own)?"""
    lines = MoodleExportPlugin().rows(grades)
    assert len(lines) == 1 + len(grades.rows)
    assert set(by_id(lines)) == {"S-0001", "S-0002", "S-0003", "S-0004"}


@pytest.mark.parametrize("column, expected", [
    ("Username", {"ayla", "dara", "sina", "tom"}),
    ("Email address", {"ayla@example.edu", "dara@example.edu", "sina@example.edu", "tom@example.edu"}),
])
def test_username_or_email_identify_students(grades, column, expected):
    """With id_column 'Username' or 'Email address', does that column, so named, identify each student?"""
    lines = MoodleExportPlugin(id_column=column).rows(grades)
    assert lines[0][2] == column and ID_COLUMNS[column] in ("username", "useremail")
    assert set(by_id(lines)) == expected


def test_scores_and_penalised_total(grades):
    """Are the parts' points and the total after the late penalty in the student's row; empty when nothing came?"""
    rows = by_id(MoodleExportPlugin().rows(grades))
    assert [rows["S-0001"][c] for c in PARTS] == ["2", "2", "5", "9"]
    assert rows["S-0002"]["First name"] == "دارا" and rows["S-0002"]["CNN: total"] == "2"
    assert [rows["S-0004"][c] for c in PARTS] == ["", "", "", ""]


def test_a_student_without_email_is_refused(grades):
    """With id_column 'Email address', is a student without an email refused, naming them?"""
    grades.rows[0].email = ""
    with pytest.raises(ExportError, match=f"no Moodle Email address for {grades.rows[0].student}"):
        MoodleExportPlugin(id_column="Email address").rows(grades)
