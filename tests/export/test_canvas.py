"""The Canvas gradebook import file (coursekit/export/canvas.py).

Canvas documents the file as its gradebook export: ``Student``, ``ID``,
``SIS User ID``, ``SIS Login ID``, ``Section``, one column per assignment, and
a ``Points Possible`` row under the header.
"""
import csv

import pytest
from nbgrader.api import Gradebook

from coursekit.export.canvas import CanvasExportPlugin
from coursekit.export.grades import ExportError, read_grades
from lms_gradebook import lms_course  # noqa: F401 (a fixture)

pytestmark = pytest.mark.filterwarnings(
    # nbgrader's own add_submission trips these SQLAlchemy autoflush warnings
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning")

DOCUMENTED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


@pytest.fixture
def grades(lms_course):
    with Gradebook(lms_course.db_url, lms_course.course_id) as gb:
        return read_grades(lms_course, gb)


def by_student(lines):
    return {line[0]: dict(zip(lines[0], line)) for line in lines[2:]}


def test_header_is_canvas_columns_then_one_per_part_and_the_total(grades):
    """Does the header hold Canvas's five documented columns, then one column per graded part and the total?"""
    lines = CanvasExportPlugin().rows(grades)
    assert lines[0] == DOCUMENTED + ["CNN: zero_pad", "CNN: written", "CNN: conv_forward", "CNN: total"]


def test_points_possible_row(grades):
    """Is the second row Canvas's 'Points Possible', with each part's points and the total's?"""
    possible = CanvasExportPlugin().rows(grades)[1]
    assert possible[0].strip() == "Points Possible"
    assert possible[1:5] == ["", "", "", ""]
    assert possible[5:] == ["2", "3", "5", "10"]


def test_students_are_matched_by_sis_user_id_only(grades):
    """Is the student's LMS id under SIS User ID, with ID and SIS Login ID left empty so that no wrong id wins?"""
    rows = by_student(CanvasExportPlugin().rows(grades))
    ayla = rows["Demir, Ayla"]
    assert (ayla["ID"], ayla["SIS User ID"], ayla["SIS Login ID"]) == ("", "S-0001", "")
    assert rows["رضایی, دارا"]["SIS User ID"] == "S-0002"  # from c.LmsExport.lms_ids


def test_sis_login_id_carries_the_hub_login(grades):
    """With id_column 'SIS Login ID', is the nbgrader student id (the hub login) what identifies the student?"""
    rows = by_student(CanvasExportPlugin(id_column="SIS Login ID", section="A1").rows(grades))
    assert [rows[name]["SIS Login ID"] for name in rows] == [row.student for row in grades.rows]
    assert {rows[name]["Section"] for name in rows} == {"A1"}
    assert {rows[name]["SIS User ID"] for name in rows} == {""}


def test_scores_and_penalised_total(grades):
    """Are the parts' points and the total after the late penalty in the student's row; empty when nothing came?"""
    rows = by_student(CanvasExportPlugin().rows(grades))
    assert [rows["Demir, Ayla"][c] for c in ("CNN: zero_pad", "CNN: written", "CNN: conv_forward", "CNN: total")] \
        == ["2", "2", "5", "9"]
    assert rows["رضایی, دارا"]["CNN: total"] == "2"
    assert rows["Karimi, Sina"]["CNN: zero_pad"] == "0.5" and rows["Karimi, Sina"]["CNN: total"] == "0"
    assert rows["Nobody, Tom"]["CNN: total"] == ""


def test_an_unknown_canvas_id_is_refused(grades):
    """With id_column 'ID', is a student without an LMS id refused, naming them?"""
    grades.rows[-1].lms_id = ""
    with pytest.raises(ExportError, match=f"no Canvas ID for {grades.rows[-1].student}"):
        CanvasExportPlugin(id_column="ID").rows(grades)


def test_file_reads_back_as_utf8_csv(grades, tmp_path):
    """Does the written file read back, Persian names and all, as the rows it was written from?"""
    lines = CanvasExportPlugin().rows(grades)
    from coursekit.export.canvas import write_csv

    write_csv(tmp_path / "canvas.csv", lines)
    with open(tmp_path / "canvas.csv", encoding="utf-8", newline="") as file:
        assert list(csv.reader(file)) == lines
