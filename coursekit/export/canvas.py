"""Export for Canvas: the gradebook import CSV (Grades -> Import).

Canvas documents its import file as its own gradebook export: the columns
``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
column per assignment, and a second row ``Points Possible`` holding each
assignment's points. Canvas matches a row to a student by one of the id
columns; the kit fills the one named by ``c.CanvasExportPlugin.id_column`` and
leaves the others empty, so that no wrong id can win. A column Canvas does not
know becomes a new assignment, named as the column. A student who submitted
nothing has empty cells: Canvas leaves those grades as they are.
"""
from __future__ import annotations

import csv

from nbgrader.plugins.export import ExportPlugin
from traitlets import Enum, Unicode

from ..course import Course
from .grades import ClassGrades, points, read_grades, require

ID_COLUMNS = ["ID", "SIS User ID", "SIS Login ID"]
HEADER = ["Student", *ID_COLUMNS, "Section"]
#: Canvas's export starts its points row so, under the Student column.
POINTS_POSSIBLE = "    Points Possible"


class CanvasExportPlugin(ExportPlugin):
    """The Canvas gradebook import file (``c.CanvasExportPlugin.<option>``)."""

    id_column = Enum(
        ID_COLUMNS, default_value="SIS User ID",
        help="The Canvas column that identifies each student. 'ID' (Canvas's user id) and 'SIS User ID' get the "
             "student's LMS id (c.LmsExport.lms_ids, or the gradebook's lms_user_id); 'SIS Login ID' gets the "
             "nbgrader student id, the JupyterHub login, when the hub and Canvas share their logins.",
    ).tag(config=True)

    section = Unicode(
        "", help="The Section column of every row (Canvas's section name), or empty.",
    ).tag(config=True)

    def student_id(self, row) -> str:
        return row.student if self.id_column == "SIS Login ID" else row.lms_id

    def rows(self, grades: ClassGrades) -> list[list[str]]:
        """The file as rows of cells, the header first."""
        require(grades.rows, f"Canvas {self.id_column}", self.student_id)
        header = HEADER + [grades.column(part) for part in grades.parts] + [grades.total_column]
        possible = [POINTS_POSSIBLE, "", "", "", ""] + [points(p) for p in grades.parts.values()]
        lines = [header, possible + [points(grades.max_total)]]
        for row in grades.rows:
            ids = {column: "" for column in ID_COLUMNS}
            ids[self.id_column] = self.student_id(row)
            name = ", ".join(n for n in (row.last_name, row.first_name) if n) or row.student
            cells = [name, *ids.values(), self.section]
            lines.append(cells + grades.score_cells(row))
        return lines

    def export(self, gradebook) -> None:
        dest = self.to or "grades_canvas.csv"
        grades = read_grades(Course.from_config(self.config), gradebook, students=self.student or None)
        write_csv(dest, self.rows(grades))
        self.log.info("Wrote the Canvas gradebook import file %s", dest)


def write_csv(dest, lines: list[list[str]]) -> None:
    """UTF-8, comma-separated, quoted where needed (both LMSs' documented CSV)."""
    with open(dest, "w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(lines)
