"""Recording: the workers decide what nbgrader's SaveAutoGrades would write, the coordinator writes it in bulk.

The fast tests check the workers' stand-ins for nbgrader's stages on
notebooks built here.  The slow ones grade real submissions: the recorder
must write what plain ``nbgrader autograde`` writes (grades, comments,
checksums' verdicts, timestamps, late penalties), and a coordinator killed
in the middle of a transaction must leave none of that group's results and
all of the groups before it.
"""
from __future__ import annotations

import datetime
import pickle
import subprocess
import sys

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader import utils
from nbgrader.nbgraderformat import ValidationError
from nbgrader.preprocessors import CheckCellMetadata

from coursekit.grading.batch.stages import (CachedCheckCellMetadata, CollectAutoGrades, UnsupportedStage,
                                            worker_stages)


def graded(source, grade_id, points=5, solution=False, outputs=(), cell=new_code_cell, checksum=True):
    """A cell with nbgrader's metadata, as generate_assignment leaves it (checksum of the released source)."""
    c = cell(source)
    c.metadata["nbgrader"] = {"grade": points is not None, "solution": solution, "locked": not solution,
                              "grade_id": grade_id, "schema_version": 3, "task": False}
    if points is not None:
        c.metadata["nbgrader"]["points"] = points
    if checksum:
        c.metadata["nbgrader"]["checksum"] = utils.compute_checksum(c)
    if cell is new_code_cell:
        c.outputs = list(outputs)
    return c


def collect(nb):
    return CollectAutoGrades().preprocess(nb, {})[1]["autogrades"]


def test_are_scores_those_saveautogrades_decides():
    """Does a passing test get its points, a failing one (error or stderr) zero, an unanswered solution zero?"""
    passing = graded("check()", "test_a", outputs=[new_output("stream", name="stdout", text="ok\n")])
    failing = graded("check()", "test_b", outputs=[new_output("error", ename="E", evalue="", traceback=[])])
    stderr = graded("check()", "test_c", outputs=[new_output("stream", name="stderr", text="no\n")])
    unanswered = graded("# YOUR ANSWER", "written", solution=True, cell=new_markdown_cell)
    answered = graded("# YOUR ANSWER", "written2", solution=True, cell=new_markdown_cell)
    answered.source = "Because the stride skips columns."
    found = collect(new_notebook(cells=[passing, failing, stderr, unanswered, answered]))
    assert found["grades"] == {"test_a": 5.0, "test_b": 0, "test_c": 0, "written": 0, "written2": None}
    assert found["comments"] == {"written": "No response.", "written2": None}


def test_does_an_unanswered_code_solution_get_no_response():
    """Is an untouched solution cell (checksum of the release) commented "No response.", an edited one not?"""
    untouched = graded("def f():\n    pass", "f", points=None, solution=True)
    edited = graded("def g():\n    pass", "g", points=None, solution=True)
    edited.source = "def g():\n    return 1"
    found = collect(new_notebook(cells=[untouched, edited]))
    assert found == {"grades": {}, "comments": {"f": "No response.", "g": None}}


def broken_notebooks():
    no_points = graded("check()", "test_a")
    del no_points.metadata["nbgrader"]["points"]
    markdown_grade = graded("text", "w", cell=new_markdown_cell)
    duplicate = [graded("check()", "same"), graded("check()", "same")]
    old_schema = graded("check()", "test_old")
    old_schema.metadata["nbgrader"]["schema_version"] = 1
    wrong_type = graded("check()", "test_type")
    wrong_type.metadata["nbgrader"]["points"] = "five"
    return {"no points": [no_points], "markdown grade without solution": [markdown_grade],
            "duplicate grade id": duplicate, "old schema": [old_schema], "points not a number": [wrong_type]}


@pytest.mark.parametrize("case", list(broken_notebooks()))
def test_does_the_cached_metadata_check_refuse_what_nbgrader_refuses(case):
    """Does CachedCheckCellMetadata raise where nbgrader's CheckCellMetadata raises, after valid cells passed?"""
    valid = new_notebook(cells=[graded("check()", "test_a"), graded("check()", "test_b")])
    CachedCheckCellMetadata().preprocess(valid, {})
    CachedCheckCellMetadata().preprocess(valid, {})  # the second time from what it remembers
    broken = new_notebook(cells=broken_notebooks()[case])
    with pytest.raises(Exception) as plain:
        CheckCellMetadata().preprocess(broken, {})
    with pytest.raises(Exception) as cached:
        CachedCheckCellMetadata().preprocess(new_notebook(cells=broken_notebooks()[case]), {})
    assert type(cached.value) is type(plain.value) and str(cached.value) == str(plain.value)


def test_is_a_cell_that_passed_once_refused_when_its_metadata_changes():
    """Is a cell remembered by its metadata, so that the same grade id with other metadata is checked again?"""
    cell = graded("check()", "test_remembered")
    CachedCheckCellMetadata().preprocess(new_notebook(cells=[cell]), {})
    del cell.metadata["nbgrader"]["points"]
    with pytest.raises(ValidationError):
        CachedCheckCellMetadata().preprocess(new_notebook(cells=[cell]), {})


def test_do_workers_run_the_course_stages_with_the_stand_ins():
    """Does a worker run every stage of the course but the gradebook writers, in order, with the stand-ins?"""
    sanitizing = ["nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.CheckCellMetadata"]
    grading = ["x.Execute", "nbgrader.preprocessors.LimitOutput", "nbgrader.preprocessors.SaveAutoGrades",
               "nbgrader.preprocessors.AssignLatePenalties", "nbgrader.preprocessors.CheckCellMetadata"]
    worker_sanitizing, worker_grading = worker_stages(sanitizing, grading)
    cached = f"{CachedCheckCellMetadata.__module__}.CachedCheckCellMetadata"
    assert worker_sanitizing == ["nbgrader.preprocessors.ClearOutput", cached]
    assert worker_grading == ["x.Execute", "nbgrader.preprocessors.LimitOutput",
                              f"{CollectAutoGrades.__module__}.CollectAutoGrades", cached]


def definitions(folder):
    """A gradebook holding one released notebook's cells, as generate_assignment writes them; its url."""
    from nbgrader.api import Gradebook

    from coursekit.build.nbgrader_run import environment, nbgrader_env

    url = f"sqlite:///{folder / 'definitions.db'}"
    released = [graded("def f():\n    return 1", "f", points=None, solution=True), graded("assert f() == 1", "test_f"),
                graded("Explain.", "why", solution=True, cell=new_markdown_cell), graded("x = 1", "setup", points=None)]
    with environment(PATH=nbgrader_env()["PATH"]), Gradebook(url) as gb:  # a new gradebook runs `alembic`
        gb.add_assignment("a1")
        gb.add_notebook("nb", "a1")
        for cell in released:
            meta = cell.metadata["nbgrader"]
            gb.add_source_cell(meta["grade_id"], "nb", "a1", cell_type=cell.cell_type, locked=meta["locked"],
                               source=cell.source, checksum=meta["checksum"])
            if meta["grade"]:
                gb.add_grade_cell(meta["grade_id"], "nb", "a1", max_score=meta["points"], cell_type=cell.cell_type)
            if meta["solution"]:
                gb.add_solution_cell(meta["grade_id"], "nb", "a1")
    return url, released


def tampered_notebooks(released):
    """Submissions that OverwriteCells must mend: each tampers with the released cells in another way."""
    import copy

    def notebook(change):
        cells = copy.deepcopy(released)
        change(cells)
        return new_notebook(cells=cells)

    def points(cells):
        cells[1].metadata["nbgrader"]["points"] = 50

    def locked_source(cells):
        cells[1].source = "pass"
        cells[3].metadata["nbgrader"]["locked"] = False

    def cell_type(cells):
        cells[2].cell_type, cells[2].outputs, cells[2].execution_count = "code", [], None

    def unknown_and_deleted(cells):
        cells[0].metadata["nbgrader"]["grade_id"] = "not_released"
        del cells[1]

    return [notebook(change) for change in (lambda cells: None, points, locked_source, cell_type,
                                            unknown_and_deleted)]


def test_does_a_worker_mend_cells_as_overwritecells_does_reading_each_row_once(tmp_path, monkeypatch):
    """Does the worker's RestoreCells (rows remembered) give what RestoreCells gives, on notebooks tampered with
    in several ways, while reading each cell's row of the definitions once for them all?"""
    import copy

    from nbgrader.api import Gradebook
    from traitlets.config import Config

    from coursekit.grading.batch.stages import remembering
    from coursekit.grading.restore_cells import RestoreCells

    url, released = definitions(tmp_path)
    config = Config()
    config.OverwriteCells.add_missing_cells = True
    resources = {"nbgrader": {"notebook": "nb", "assignment": "a1", "db_url": url}}
    reads = []
    real_find = Gradebook.find_source_cell

    def counted(self, name, notebook, assignment):
        reads.append(name)
        return real_find(self, name, notebook, assignment)

    remembered = remembering(RestoreCells, {})
    mended = 0
    for nb in tampered_notebooks(released):
        want, _ = RestoreCells(config=config).preprocess(copy.deepcopy(nb), dict(resources))
        monkeypatch.setattr(Gradebook, "find_source_cell", counted)
        got, _ = remembered(config=config).preprocess(copy.deepcopy(nb), dict(resources))
        monkeypatch.setattr(Gradebook, "find_source_cell", real_find)
        assert got == want
        mended += want != nb
    assert mended == 4  # all but the untouched one
    assert sorted(reads) == sorted({"f", "test_f", "why", "setup", "not_released"})


def test_is_an_unknown_stage_after_saveautogrades_refused():
    """Is a stage after SaveAutoGrades that coursekit cannot vouch for refused, naming it?"""
    with pytest.raises(UnsupportedStage, match="mine.Notify"):
        worker_stages([], ["x.Execute", "nbgrader.preprocessors.SaveAutoGrades", "mine.Notify"])


# --------------------------------------------------------------------------
# With real submissions, graded by workers and by plain nbgrader
# --------------------------------------------------------------------------

DUE = datetime.datetime(2030, 1, 10, 12, 0, 0)
#: student: (answers, submitted at); "late" is a day late.
STUDENTS = {"on-time": ("CORRECT", "2030-01-09 10:00:00.000000 UTC"),
            "late": ("MISTAKE", "2030-01-11 12:00:00.000000 UTC"),
            "no-timestamp": ("CORRECT", None)}


def gradebook_rows(course) -> dict:
    """Everything autograding writes, per student: grades, comments, late penalty, timestamp."""
    from nbgrader.api import Gradebook

    rows = {}
    with Gradebook(course.course.db_url, course.course.course_id) as gb:
        for student in STUDENTS:
            nb = gb.find_submission_notebook(course.course.notebook, course.course.assignment_for("en"), student)
            rows[student] = {
                "grades": sorted((g.name, g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades),
                "comments": sorted((c.name, c.auto_comment) for c in nb.comments),
                "late_penalty": nb.late_submission_penalty,
                "timestamp": nb.assignment.timestamp,
            }
    return rows


def set_due_date(scratch) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(scratch.course.db_url, scratch.course.course_id) as gb:
        gb.update_or_create_assignment(scratch.course.assignment_for("en"), duedate=DUE)


@pytest.fixture(scope="module")
def late_courses(tmp_path_factory):
    """The same three submissions graded by plain nbgrader and by `coursekit grade`, a due date and a penalty."""
    from scratch import ANSWERS, CORRECT_LOOPS, ScratchCourse

    answers = {"CORRECT": CORRECT_LOOPS, "MISTAKE": ANSWERS / "mistakes" / "create_mask_from_window__marks_minimum.py"}
    config = '\nc.LateSubmissionPlugin.penalty_method = "zero"\n'
    courses = []
    for name in ("plain", "batch"):
        scratch = ScratchCourse(tmp_path_factory.mktemp(name), ["en"], timeout=8, config=config)
        set_due_date(scratch)
        for student, (answer, submitted_at) in STUDENTS.items():
            folder = scratch.submit(student, answers[answer])
            folder = folder if folder.is_dir() else folder.parent
            if submitted_at:
                (folder / "timestamp.txt").write_text(submitted_at)
        courses.append(scratch)
    plain, batch = courses
    plain.autograde()
    batch.results = {r.student: r for r in batch.grade(workers=1)}
    return plain, batch


@pytest.mark.slow
def test_does_the_recorder_write_what_nbgrader_writes(late_courses):
    """Are grades, comments, timestamps and late penalties those plain `nbgrader autograde` writes?"""
    plain, batch = late_courses
    assert all(r.ok for r in batch.results.values()), {s: r.error for s, r in batch.results.items()}
    expected, found = gradebook_rows(plain), gradebook_rows(batch)
    assert found == expected
    assert found["late"]["late_penalty"] > 0 and found["on-time"]["late_penalty"] is None


@pytest.mark.slow
def test_is_the_autograded_folder_that_of_nbgrader(late_courses):
    """Does autograded/<student>/<assignment>/ hold the files plain nbgrader leaves there, read-only?"""
    plain, batch = late_courses
    for student in STUDENTS:
        ours = batch.course.autograded_dir(student, batch.course.assignment_for("en"))
        theirs = plain.course.autograded_dir(student, plain.course.assignment_for("en"))
        listing = lambda folder: sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        assert listing(ours) == listing(theirs), student
        assert all(p.stat().st_mode & 0o777 == 0o444 for p in ours.rglob("*") if p.is_file())


CRASH = """
import os, pickle, signal, sys
from coursekit.course import Course
from coursekit.grading.batch.record import Recorder

root, items_file, first = sys.argv[1], sys.argv[2], int(sys.argv[3])
items = pickle.load(open(items_file, "rb"))
recorder = Recorder(Course.load(root))
recorder.record_many(items[:first])
print("first group recorded", flush=True)
db = recorder.gradebook.db
db.commit = lambda: os.kill(os.getpid(), signal.SIGKILL)  # killed with the second group's rows written, uncommitted
recorder.record_many(items[first:])
print("not reached", flush=True)
"""


@pytest.mark.slow
def test_does_a_crash_mid_transaction_lose_or_double_nothing(late_courses, tmp_path):
    """Killed before a group commits: are the earlier groups whole, that group absent, and a re-run exact?"""
    from coursekit.grading.batch.execute import Worker
    from coursekit.grading.batch.bundle import make_bundle
    from coursekit.grading.batch.record import Recorder
    from coursekit.grading.batch.run import files_of
    from coursekit.grading.batch.submissions import Job, stage
    from scratch import CORRECT_LOOPS

    _plain, batch = late_courses
    course = batch.course
    assignment = course.assignment_for("en")
    students = [f"crash-{n}" for n in range(6)]
    for student in students:
        batch.submit(student, CORRECT_LOOPS)
        stage(course, Job(assignment, student))
    worker = Worker(course.root, make_bundle(course, [assignment]))
    try:
        executed = worker.execute(Job(assignment, students[0]), files_of(course, Job(assignment, students[0])))
    finally:
        worker.close()
    assert executed.notebook is not None, executed.error
    items = [(Job(assignment, s), executed) for s in students]
    (tmp_path / "items.pickle").write_bytes(pickle.dumps(items))
    done = subprocess.run([sys.executable, "-c", CRASH, str(course.root), str(tmp_path / "items.pickle"), "3"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr
    assert "first group recorded" in done.stdout and "not reached" not in done.stdout

    from nbgrader.api import Gradebook, MissingEntry

    def auto_scores(nb):
        scores = {g.name: g.auto_score for g in nb.grades}
        return {name: scores.get(name) for name in executed.grades}

    with Gradebook(course.db_url, course.course_id) as gb:
        for student in students[:3]:
            nb = gb.find_submission_notebook(course.notebook, assignment, student)
            assert auto_scores(nb) == executed.grades
        for student in students[3:]:
            with pytest.raises(MissingEntry):
                gb.find_submission(assignment, student)
    recorder = Recorder(course)
    try:
        assert all(r.ok for r in recorder.record_many(items))
    finally:
        recorder.close()
    with Gradebook(course.db_url, course.course_id) as gb:
        definition = gb.find_notebook(course.notebook, assignment)
        rows = len(definition.grade_cells) + len(definition.task_cells)  # one grade row per cell, none twice
        for student in students:
            nb = gb.find_submission_notebook(course.notebook, assignment, student)
            assert len(nb.grades) == rows and auto_scores(nb) == executed.grades
