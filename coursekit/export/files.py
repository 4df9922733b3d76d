"""``coursekit export``: nbgrader's CSV and the LMS import files, written side by side.

nbgrader's own file is written by nbgrader's own ``CsvExportPlugin``; the
Canvas and Moodle files by the plugins of this package, from the same
gradebook, with the options of ``nbgrader_config.py``.
"""
from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins.export import CsvExportPlugin

from ..course import Course
from .canvas import CanvasExportPlugin, write_csv
from .grades import read_grades
from .moodle import MoodleExportPlugin

#: file name -> the plugin that writes it.
FILES = {"grades.csv": CsvExportPlugin, "grades_canvas.csv": CanvasExportPlugin,
         "grades_moodle.csv": MoodleExportPlugin}


def export_grades(course: Course, out: Path) -> list[Path]:
    """Write the three files into *out*; return their paths.

    Both LMS files are checked before anything is written: a student the LMS
    could not match stops the export (``ExportError``) with no file half-new.
    """
    out = Path(out)
    with Gradebook(course.db_url, course.course_id) as gb:
        grades = read_grades(course, gb)
        lms_files = {name: FILES[name](config=course.config).rows(grades)
                     for name in ("grades_canvas.csv", "grades_moodle.csv")}
        out.mkdir(parents=True, exist_ok=True)
        CsvExportPlugin(config=course.config, to=str(out / "grades.csv")).export(gb)
    for name, lines in lms_files.items():
        write_csv(out / name, lines)
    return [out / name for name in FILES]
