"""Export for Moodle: the grade import CSV (Grades -> Import -> CSV file).

Moodle's CSV import reads a header row and one row per student. In its
mapping step the teacher picks the column that identifies students ("Map
from") and the user field it holds ("Map to": ``useridnumber``, ``username`` or
``useremail``), then maps each grade column to a grade item or to a new one.
The kit writes the student's name, one identifying column named as Moodle's
own export names it (``ID number``, ``Username`` or ``Email address``,
``c.MoodleExportPlugin.id_column``), then one column per graded part and the
total. A student who submitted nothing has empty cells: Moodle imports no
grade for them.
"""
from __future__ import annotations

from nbgrader.plugins.export import ExportPlugin
from traitlets import Enum

from ..course import Course
from .canvas import write_csv
from .grades import ClassGrades, read_grades, require

#: Moodle's name of each identifying column -> the user field it maps to in the import.
ID_COLUMNS = {"ID number": "useridnumber", "Username": "username", "Email address": "useremail"}


class MoodleExportPlugin(ExportPlugin):
    """The Moodle grade import file (``c.MoodleExportPlugin.<option>``)."""

    id_column = Enum(
        list(ID_COLUMNS), default_value="ID number",
        help="The column that identifies each student: 'ID number' (the student's LMS id, c.LmsExport.lms_ids or "
             "the gradebook's lms_user_id), 'Username' (the nbgrader student id, the JupyterHub login) or "
             "'Email address' (the gradebook's email). Map it to useridnumber, username or useremail on import.",
    ).tag(config=True)

    def student_id(self, row) -> str:
        return {"ID number": row.lms_id, "Username": row.student, "Email address": row.email}[self.id_column]

    def rows(self, grades: ClassGrades) -> list[list[str]]:
        """The file as rows of cells, the header first."""
        require(grades.rows, f"Moodle {self.id_column}", self.student_id)
        lines = [["First name", "Last name", self.id_column]
                 + [grades.column(part) for part in grades.parts] + [grades.total_column]]
        for row in grades.rows:
            cells = [row.first_name, row.last_name, self.student_id(row)]
            lines.append(cells + grades.score_cells(row))
        return lines

    def export(self, gradebook) -> None:
        dest = self.to or "grades_moodle.csv"
        grades = read_grades(Course.from_config(self.config), gradebook, students=self.student or None)
        write_csv(dest, self.rows(grades))
        self.log.info("Wrote the Moodle grade import file %s (map '%s' to %s)", dest, self.id_column,
                      ID_COLUMNS[self.id_column])
