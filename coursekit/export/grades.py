"""Export, first stage: one row per student, read from the gradebook through nbgrader's API.

The LMS knows one assignment, where nbgrader has one per language
(``cnn_step_by_step_en``, ``_fa``, ``_tr``): a student's row is their
submission in whichever language they chose (the latest, if they submitted in
two).  Its parts are the graded cells worth points, in the notebook's order,
with their scores as the gradebook has them (autograded, or set by a grader);
the total is their sum less nbgrader's late penalty, never below zero (as in
nbgrader's own CSV).  Which id the LMS knows a student by is decided here too
(``LmsExport``).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from traitlets import Dict, Unicode
from traitlets.config import Configurable

from ..course import Course


class ExportError(RuntimeError):
    """The grades cannot be exported as asked; the message names the students or the option."""


class LmsExport(Configurable):
    """Options of ``coursekit export``, the grade files for Canvas and Moodle (``c.LmsExport.<option>``)."""

    title = Unicode(
        "CNN Step by Step",
        help="The assignment's name in the LMS: each column is '<title>: <graded part>', and '<title>: total'.",
    ).tag(config=True)

    lms_ids = Dict(
        value_trait=Unicode(), key_trait=Unicode(), default_value={},
        help="The id the LMS knows each student by (Canvas's SIS User ID, Moodle's ID number), keyed by nbgrader "
             "student id. A student not listed here has the gradebook's lms_user_id "
             "(`nbgrader db student add --lms-user-id`).",
    ).tag(config=True)


@dataclass
class StudentGrades:
    """One student's line in the LMS: who, and their points."""

    student: str
    first_name: str
    last_name: str
    email: str
    lms_id: str
    assignment: str | None = None  # the language version graded; None when nothing was submitted
    parts: dict[str, float] = field(default_factory=dict)  # grade id -> points
    late_penalty: float = 0.0

    @property
    def submitted(self) -> bool:
        return self.assignment is not None

    @property
    def total(self) -> float:
        return max(0.0, sum(self.parts.values()) - self.late_penalty)

    @property
    def full_name(self) -> str:
        return " ".join(name for name in (self.first_name, self.last_name) if name) or self.student


@dataclass
class ClassGrades:
    """What the LMS files hold: the title, the graded parts with their points, one row per student."""

    title: str
    parts: dict[str, float]  # grade id -> max points, in notebook order
    rows: list[StudentGrades]

    @property
    def max_total(self) -> float:
        return sum(self.parts.values())

    def column(self, part: str) -> str:
        return f"{self.title}: {part}"

    @property
    def total_column(self) -> str:
        return f"{self.title}: total"

    def score_cells(self, row: StudentGrades) -> list[str]:
        """*row*'s points under each part's column, then the total; all empty when nothing was submitted."""
        if not row.submitted:
            return [""] * (len(self.parts) + 1)
        return [points(row.parts.get(part, 0.0)) for part in self.parts] + [points(row.total)]


def points(value: float) -> str:
    """A score as the LMS reads it: no float noise, no trailing zeros (``7.5``, ``10``)."""
    return f"{round(value, 4):g}"


def _notebook_order(course: Course, assignments: list[str]) -> list[str]:
    """The grade ids in the order of the first released notebook found."""
    for assignment in assignments:
        path = course.release_notebook(assignment)
        if path.is_file():
            nb = nbformat.read(path, as_version=4)
            return [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
                    if cell.metadata.get("nbgrader", {}).get("grade")]
    return []


def _when(submission) -> datetime.datetime:
    return submission.timestamp or datetime.datetime.min


def read_grades(course: Course, gb: Gradebook, options: LmsExport | None = None,
                students: list[str] | None = None) -> ClassGrades:
    """Every student of the gradebook *gb* (or only *students*), with their grades in the course's assignment."""
    options = options or LmsExport(config=course.config)
    known = {a.name for a in gb.assignments}
    assignments = [course.assignment_for(lang) for lang in course.languages if course.assignment_for(lang) in known]
    maxima: dict[str, float] = {}
    rows = []
    for name in assignments:
        for notebook in gb.find_assignment(name).notebooks:
            for cell in notebook.grade_cells:
                if cell.max_score:
                    maxima.setdefault(cell.name, cell.max_score)
    for student in gb.students:
        if students and student.id not in students:
            continue
        row = StudentGrades(student.id, student.first_name or "", student.last_name or "", student.email or "",
                            options.lms_ids.get(student.id) or student.lms_user_id or "")
        latest = None
        for name in assignments:
            try:
                submission = gb.find_submission(name, student.id)
            except MissingEntry:
                continue
            if latest is None or _when(submission) > _when(latest):
                latest = submission
        if latest is not None:
            row.assignment = latest.assignment.name
            row.late_penalty = latest.late_submission_penalty or 0.0
            for notebook in latest.notebooks:
                for grade in notebook.grades:
                    if grade.name in maxima:
                        row.parts[grade.name] = grade.score or 0.0
        rows.append(row)
    order = _notebook_order(course, assignments)
    ranked = sorted(maxima, key=lambda part: (order.index(part) if part in order else len(order), part))
    return ClassGrades(options.title, {part: maxima[part] for part in ranked}, rows)


def require(rows: list[StudentGrades], what: str, value) -> None:
    """Refuse to write a file the LMS cannot match: name every student whose *value(row)* is empty."""
    missing = [row.student for row in rows if not value(row)]
    if missing:
        raise ExportError(f"no {what} for {', '.join(missing)}: set c.LmsExport.lms_ids in nbgrader_config.py, "
                          "or the students' LMS ids in the gradebook (nbgrader db student add --lms-user-id)")
