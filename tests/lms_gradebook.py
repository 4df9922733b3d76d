"""A small gradebook for the export tests: two language versions of the assignment, four students.

Built with nbgrader's own API in a temporary course folder (no nbgrader
subprocess, no kernel). The notebook ``cnn_step_by_step`` has, in this order,
``zero_pad`` (2 points), ``written`` (a written answer, 3 points), ``prompt``
(a task worth nothing) and ``conv_forward`` (5 points), in English and Persian.
"""
from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from coursekit.build.nbgrader_run import environment
from coursekit.course import Course, load_config

#: grade id -> (points, cell type), in notebook order.
CELLS = {"zero_pad": (2, "code"), "written": (3, "markdown"), "prompt": (0, "markdown"), "conv_forward": (5, "code")}
DUE = datetime.datetime(2026, 3, 1, 12, 0)

CONFIG = """c = get_config()
c.CourseDirectory.course_id = "cnn-test"
c.Course.languages = ["en", "fa"]
c.LmsExport.title = "CNN"
c.LmsExport.lms_ids = {"dara": "S-0002"}
"""

#: student -> first name, last name, email, lms_user_id in the gradebook
STUDENTS = {
    "ayla": ("Ayla", "Demir", "ayla@example.edu", "S-0001"),
    "dara": ("دارا", "رضایی", "dara@example.edu", "GRADEBOOK-ID"),  # overridden by c.LmsExport.lms_ids
    "sina": ("Sina", "Karimi", "sina@example.edu", "S-0003"),
    "tom": ("Tom", "Nobody", "tom@example.edu", "S-0004"),  # submits nothing
}


def _release_notebook(course: Course, assignment: str) -> None:
    nb = nbformat.v4.new_notebook()
    for name, (points, kind) in CELLS.items():
        maker = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = maker("")
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": name, "points": points}
        nb.cells.append(cell)
    path = course.release_notebook(assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _submit(gb, course, student, lang, when, scores, penalty=0.0):
    assignment = course.assignment_for(lang)
    submission = gb.add_submission(assignment, student, timestamp=when)
    notebook = submission.notebooks[0]
    for grade in notebook.grades:
        if grade.name in scores:
            if grade.cell_type == "code":
                grade.auto_score = scores[grade.name]
            else:
                grade.manual_score = scores[grade.name]
    notebook.late_submission_penalty = penalty
    gb.db.commit()


def make_course(root: Path) -> Course:
    """The course folder with its config, release notebooks and gradebook."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    course = Course(root, load_config(root))
    # nbgrader runs `alembic`, beside this interpreter, when it creates a gradebook
    with environment(PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")), \
            Gradebook(course.db_url, course.course_id) as gb:
        for lang in course.languages:
            assignment = course.assignment_for(lang)
            _release_notebook(course, assignment)
            gb.add_assignment(assignment, duedate=DUE)
            gb.add_notebook(course.notebook, assignment)
            for name, (points, kind) in CELLS.items():
                if kind == "code" or points:
                    gb.add_grade_cell(name, course.notebook, assignment, max_score=points, cell_type=kind)
                else:
                    gb.add_grade_cell(name, course.notebook, assignment, max_score=0, cell_type=kind)
        for student, (first, last, email, lms) in STUDENTS.items():
            gb.add_student(student, first_name=first, last_name=last, email=email, lms_user_id=lms)
        on_time = DUE - datetime.timedelta(days=1)
        # ayla: English, full marks on the code, 2 of 3 on the written answer
        _submit(gb, course, "ayla", "en", on_time, {"zero_pad": 2, "written": 2, "conv_forward": 5})
        # dara: Persian first, then English a day late (the late one counts, with its penalty)
        _submit(gb, course, "dara", "fa", on_time, {"zero_pad": 2, "written": 3, "conv_forward": 5})
        _submit(gb, course, "dara", "en", DUE + datetime.timedelta(days=1),
                {"zero_pad": 2, "written": 1, "conv_forward": 0}, penalty=1.0)
        # sina: Persian, late, with a penalty larger than the score
        _submit(gb, course, "sina", "fa", DUE + datetime.timedelta(hours=2), {"zero_pad": 0.5}, penalty=4.0)
    return course


@pytest.fixture(scope="session")
def lms_course(tmp_path_factory) -> Course:
    """The course of the export tests, made once (creating a gradebook takes a second or two)."""
    return make_course(tmp_path_factory.mktemp("lms") / "course")
