"""The instructor report links the similarity page: a section with the count of similar pairs."""
import os
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from coursekit.report.page import write_report
from coursekit.similarity.options import SimilarityReport

from helpers import labelled_set, scratch_course, write_class


def test_does_the_instructor_report_link_the_similarity_page(tmp_path, monkeypatch):
    """Does `coursekit report` write similarity.html beside report.html and link it from a section that says how
    many pairs are similar?"""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])  # alembic
    course = scratch_course(tmp_path / "course")
    write_class(course, labelled_set(8, 2), tmp_path / "answers")
    Gradebook(course.db_url, course.course_id).close()  # graded by nobody yet: an empty gradebook
    report = write_report(course, tmp_path / "report")
    similar = tmp_path / "report" / SimilarityReport().output_name
    assert similar.is_file()
    text = report.read_text(encoding="utf-8")
    section = text.split('<h2 id="similarity">')[1].split("<h2")[0]
    assert f'href="{similar.name}"' in section and "pair" in section and "Similar is not copied" in section


def test_can_the_report_leave_the_similarity_page_out(tmp_path, monkeypatch):
    """With c.SimilarityReport.in_instructor_report = False, does `coursekit report` write no similarity page and no
    section?"""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    course = scratch_course(tmp_path / "course")
    write_class(course, labelled_set(3, 0), tmp_path / "answers")
    Gradebook(course.db_url, course.course_id).close()
    course.config.SimilarityReport.in_instructor_report = False
    report = write_report(course, tmp_path / "report")
    assert not (tmp_path / "report" / SimilarityReport().output_name).exists()
    assert 'id="similarity"' not in report.read_text(encoding="utf-8")
