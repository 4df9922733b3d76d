"""Batch grading: hostile submissions are contained, grades match plain nbgrader, nothing is lost."""
import hashlib
import json
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from coursekit.grading.batch.options import BatchGrade
from scratch import ANSWERS, COURSE, CORRECT_LOOPS, ScratchCourse, autograded_cells, student_id

pytestmark = pytest.mark.slow
EN = COURSE.assignment_for("en")

HOSTILE = sorted((ANSWERS / "hostile").glob("*.py"))
TAMPERING = sorted((ANSWERS / "tampering").glob("*.py"))
#: Graded both ways, to compare plain sequential nbgrader with the parallel batch.
COMPARED = {"alice": CORRECT_LOOPS,
            "mistaken-backward": ANSWERS / "mistakes" / "conv_backward__published_stride_less.py",
            "mistaken-mask": ANSWERS / "mistakes" / "create_mask_from_window__marks_minimum.py",
            "dies": ANSWERS / "hostile" / "exits_the_kernel.py"}


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def lost(scores):
    return {cell for cell, (score, max_score) in scores.items() if max_score and score < max_score}


def submitted_notebook(scratch, student) -> Path:
    return scratch.course.submitted_dir(student, EN) / f"{scratch.course.notebook}.ipynb"


def edit_submitted(course, student, change):
    path = submitted_notebook(course, student)
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def _delete_and_edit_tests(nb):
    nb.cells = [c for c in nb.cells if c.get("id") != "test_conv_forward"]
    for cell in nb.cells:
        if cell.get("id") == "test_zero_pad":
            cell.source = "print('all good')"
        if cell.get("id") == "test_pool_backward":
            cell.metadata["nbgrader"]["points"] = 1000


def _delete_setup(nb):
    nb.cells = [c for c in nb.cells if c.get("id") != "setup"]


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """The same submissions graded by plain nbgrader (one course) and by the batch (another)."""
    plain = ScratchCourse(tmp_path_factory.mktemp("plain"), ["en"], timeout=8)
    batch = ScratchCourse(tmp_path_factory.mktemp("batch"), ["en"], timeout=8)
    for student, path in COMPARED.items():
        plain.submit(student, path)
        batch.submit(student, path)
    plain.autograde()
    for path in HOSTILE + TAMPERING:
        batch.submit(student_id(path), path)
    batch.submit("tampers-tests", CORRECT_LOOPS)
    edit_submitted(batch, "tampers-tests", _delete_and_edit_tests)
    batch.submit("deletes-setup", CORRECT_LOOPS)
    edit_submitted(batch, "deletes-setup", _delete_setup)
    batch.submit("invalid-json", CORRECT_LOOPS)
    submitted_notebook(batch, "invalid-json").write_text('{"cells": [')
    batch.submitted_digest = tree_digest(batch.course.submitted_root)
    batch.results = {r.student: r for r in batch.grade(workers=2)}
    return plain, batch


def test_does_the_batch_give_the_grades_of_plain_nbgrader(courses):
    """Do parallel workers give every compared submission the per-cell scores of sequential `nbgrader autograde`?"""
    plain, batch = courses
    for student in COMPARED:
        assert batch.scores(student) == plain.scores(student), student


def test_does_one_submission_never_stop_the_batch(courses):
    """Did every submission, hostile or not, end with a graded notebook?"""
    _plain, batch = courses
    assert all(r.ok for r in batch.results.values()), {s: r.error for s, r in batch.results.items() if not r.ok}
    for student in batch.results:
        assert batch.autograded_notebook(student).exists(), student


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_is_each_hostile_answer_contained_to_its_own_function(courses, path):
    """Does a hostile answer lose exactly the function it attacks from (and, for a dead kernel, what came after)?"""
    _plain, batch = courses
    baseline = lost(batch.scores("alice"))
    extra = lost(batch.scores(student_id(path))) - baseline
    expected = {
        "infinite_loop": {"test_conv_forward"},
        "allocates_too_much": {"test_distribute_value"},
        "floods_the_output": set(),
        "garbage_in_an_answer": {"test_conv_single_step"},
        "reads_the_master": set(),
        "lists_what_it_can_reach": set(),
        "writes_the_gradebook": {"test_zero_pad"},
    }
    # The flood's thread starts in conv_single_step's first call (a correct function, judged in a new kernel
    # without the flood); the cells from that call on are not run again, so conv_forward on is missing.
    stopped_in = {"exits_the_kernel": "test_pool_forward", "floods_from_a_thread": "test_conv_forward"}
    if path.stem in stopped_in:  # the kernel stopped (died, or flooded for ever) in the function's first call
        scores = batch.scores(student_id(path))
        order = list(autograded_cells())
        first_lost = order.index(stopped_in[path.stem])
        for cell in order[:first_lost]:
            assert cell not in extra, "cells placed before the one where the kernel stopped keep their points"
        assert stopped_in[path.stem] in extra and "test_pool_backward" in extra
        assert all(scores[c][0] == 0 for c in extra)
    else:
        assert extra == expected[path.stem]


@pytest.mark.parametrize("path", TAMPERING, ids=lambda p: p.stem)
def test_does_tampering_earn_nothing_in_the_batch(courses, path):
    """Do rebound numpy comparisons, rebound generators and always-equal objects still lose their points?"""
    _plain, batch = courses
    assert lost(batch.scores(student_id(path))) - lost(batch.scores("alice"))


def incidents(batch, student):
    nb = json.loads(batch.autograded_notebook(student).read_text())
    return nb["metadata"].get("coursekit", {}).get("incidents", [])


def test_are_the_incidents_recorded(courses):
    """Does each contained failure leave an incident for the report (timeout, kernel death, flood, tampering)?"""
    _plain, batch = courses
    kinds = lambda student: {i["kind"] for i in incidents(batch, student)}
    assert "timeout" in kinds("infinite-loop")
    assert "kernel_died" in kinds("exits-the-kernel")
    assert "output_truncated" in kinds("floods-the-output")
    assert "tampered" in kinds("tampers-tests")
    assert "malformed" in kinds("invalid-json")
    assert kinds("alice") == set()


def test_are_edited_and_deleted_test_cells_restored(courses):
    """Do a deleted test cell, an emptied test cell and inflated points all grade as the untouched notebook?"""
    _plain, batch = courses
    scores = batch.scores("tampers-tests")
    assert scores == batch.scores("alice")
    assert scores["test_pool_backward"][1] == 20


def test_does_a_deleted_setup_cell_come_back(courses):
    """Does a notebook whose locked setup cell was deleted still grade like the untouched one?"""
    _plain, batch = courses
    assert batch.scores("deletes-setup") == batch.scores("alice")


def test_is_an_unreadable_notebook_graded_blank_with_a_reason(courses):
    """Does invalid JSON get zero autograded points and a message, instead of stopping anything?"""
    _plain, batch = courses
    scores = batch.scores("invalid-json")
    assert sum(s for s, m in scores.values() if m) == 0
    nb = nbformat.read(batch.autograded_notebook("invalid-json"), as_version=4)
    assert "could not be read" in nb.cells[0].source


def cell_output(course, student, cell_id):
    nb = nbformat.read(course.autograded_notebook(student), as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    return "".join(o.get("text", "") for o in cell.outputs)


def test_can_a_submission_read_the_master_or_write_the_gradebook(courses):
    """Did the sandbox deny reading notebooks outside the kernel's files and writing the gradebook?"""
    _plain, batch = courses
    printed = cell_output(batch, "reads-the-master", "zero_pad")
    assert not any(line.startswith("READ ") for line in printed.splitlines()), printed[:500]
    assert "DENIED" in printed  # its own notebook, which holds the hidden tests, reads as nothing
    wrote = cell_output(batch, "writes-the-gradebook", "zero_pad")
    assert "WROTE" not in wrote and wrote.count("DENIED") == 3


def test_are_submissions_left_untouched(courses):
    """Is submitted/ byte-identical after the batch?"""
    _plain, batch = courses
    assert tree_digest(batch.course.submitted_root) == batch.submitted_digest


def test_was_the_gradebook_backed_up(courses):
    """Did the batch copy the gradebook before writing to it?"""
    _plain, batch = courses
    backups = list((batch.root / BatchGrade(config=batch.course.config).backup_directory).glob("gradebook-*.db"))
    assert backups and all(b.stat().st_size > 0 for b in backups)


def test_does_a_rerun_keep_manual_grades_and_scores(courses):
    """Does grading again leave every score as it was and keep a grade entered by hand?"""
    _plain, batch = courses
    students = ["alice", "mistaken-mask"]
    before = {s: batch.scores(s) for s in students}
    with Gradebook(batch.course.db_url) as gb:
        grade = gb.find_grade("test_create_mask_from_window", COURSE.notebook, EN, "mistaken-mask")
        grade.manual_score = 3
        gb.db.commit()
    batch.grade(workers=2, students=students)
    with Gradebook(batch.course.db_url) as gb:
        grade = gb.find_grade("test_create_mask_from_window", COURSE.notebook, EN, "mistaken-mask")
        assert grade.manual_score == 3 and grade.score == 3
    after = {s: batch.scores(s) for s in students}
    before["mistaken-mask"]["test_create_mask_from_window"] = (3, before["mistaken-mask"]["test_create_mask_from_window"][1])
    assert after == before
