"""``coursekit export``: nbgrader's CSV and both LMS files, side by side (coursekit/export/files.py)."""
import csv

import pytest
from nbgrader.api import Gradebook

from coursekit.cli import main
from coursekit.options import all_options
from lms_gradebook import lms_course, make_course  # noqa: F401 (a fixture)

pytestmark = pytest.mark.filterwarnings(
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning")


def read(path):
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def test_export_writes_the_three_files(lms_course, tmp_path, capsys):
    """Does `coursekit export --out DIR` write nbgrader's grades.csv and the Canvas and Moodle files there?"""
    out = tmp_path / "out"
    assert main(["export", "--course-root", str(lms_course.root), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["grades.csv", "grades_canvas.csv", "grades_moodle.csv"]
    nbgrader_csv = read(out / "grades.csv")
    assert nbgrader_csv[0][:4] == ["assignment", "duedate", "timestamp", "student_id"]  # nbgrader's own columns
    assert read(out / "grades_canvas.csv")[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert read(out / "grades_moodle.csv")[0][:3] == ["First name", "Last name", "ID number"]
    assert "wrote" in capsys.readouterr().out


def test_config_file_options_reach_the_plugins(lms_course, tmp_path):
    """Do c.CanvasExportPlugin and c.MoodleExportPlugin options in nbgrader_config.py change the files?"""
    config = lms_course.root / "nbgrader_config.py"
    before = config.read_text(encoding="utf-8")
    config.write_text(before + 'c.CanvasExportPlugin.id_column = "SIS Login ID"\n'
                               'c.MoodleExportPlugin.id_column = "Username"\n', encoding="utf-8")
    try:
        assert main(["export", "--course-root", str(lms_course.root), "--out", str(tmp_path)]) == 0
    finally:
        config.write_text(before, encoding="utf-8")
    canvas = read(tmp_path / "grades_canvas.csv")
    assert {line[3] for line in canvas[2:]} == {"ayla", "dara", "sina", "tom"}
    assert read(tmp_path / "grades_moodle.csv")[0][2] == "Username"


def test_an_unmatched_student_writes_nothing(tmp_path, capsys):
    """Does a student the LMS could not match stop the export with their name, and leave no file behind?"""
    course = make_course(tmp_path / "course")
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.add_student("newcomer", first_name="New")  # enrolled on the hub, not yet known to the LMS
    assert main(["export", "--course-root", str(course.root), "--out", str(tmp_path / "out")]) == 2
    assert "no Canvas SIS User ID for newcomer" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_options_are_listed():
    """Does `coursekit options` list the export's options?"""
    listing = all_options()
    for option in ("c.LmsExport.lms_ids", "c.CanvasExportPlugin.id_column", "c.MoodleExportPlugin.id_column"):
        assert option in listing
