"""GuardLockedCells: each locked cell compared with the release; tampering noted, and undone where nbgrader would not.

As nbgrader tests its preprocessors: build the cells, run the stage, read the
notebook.  The released notebook is written into a throwaway course root,
where the stage looks for it.
"""
import copy
import logging

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from traitlets.config import Config

from coursekit.grading.guard_locked_cells import GuardLockedCells
from coursekit.grading.incidents import incidents_of

ASSIGNMENT, NOTEBOOK = "hw", "hw"


def locked(source, grade_id):
    """A locked cell that is no grade cell (the setup cell)."""
    return new_code_cell(source, metadata={"nbgrader": {"grade": False, "grade_id": grade_id, "locked": True,
                                                        "solution": False, "schema_version": 3}})


def grade_cell(source, grade_id, points=5):
    """A locked grade cell: the tests of an answer."""
    return new_code_cell(source, metadata={"nbgrader": {"grade": True, "grade_id": grade_id, "locked": True,
                                                        "points": points, "solution": False, "schema_version": 3}})


def answer(source, grade_id):
    """A solution cell: the student's to edit."""
    return new_code_cell(source, metadata={"nbgrader": {"grade": False, "grade_id": grade_id, "locked": False,
                                                        "solution": True, "schema_version": 3}})




def released():
    return new_notebook(cells=[
        new_markdown_cell("# Homework"),
        locked("import numpy as np", "setup"),
        answer("def f(x):\n    raise NotImplementedError()", "f"),
        grade_cell("assert f(1) == 2", "test_f", points=5),
        answer("def g(x):\n    raise NotImplementedError()", "g"),
        grade_cell("assert g(1) == 3", "test_g", points=10),
    ])


@pytest.fixture
def guard(tmp_path):
    """Run GuardLockedCells on a submitted notebook, against the release in a course at tmp_path."""
    folder = tmp_path / "release" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(released(), folder / f"{NOTEBOOK}.ipynb")
    config = Config()
    config.CourseDirectory.root = str(tmp_path)

    def run(nb):
        resources = {"nbgrader": {"assignment": ASSIGNMENT, "notebook": NOTEBOOK, "student": "alice"}}
        return GuardLockedCells(config=config).preprocess(nb, resources)[0]
    return run


def submitted(change=None):
    """The release as a student handed it in: answers filled in, then *change* applied."""
    nb = copy.deepcopy(released())
    nb.cells[2].source = "def f(x):\n    return 2 * x"
    if change:
        change(nb)
    return nb


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_is_an_untouched_submission_free_of_incidents(guard):
    """Does a submission whose locked cells are as released get no incident?"""
    assert incidents_of(guard(submitted())) == []


def test_is_an_edited_answer_no_tampering(guard):
    """Is changing a solution cell (the student's own) no incident?"""
    nb = submitted(lambda nb: setattr(nb.cells[4], "source", "def g(x):\n    return 3"))
    assert incidents_of(guard(nb)) == []


def test_is_an_edited_test_cell_noted(guard):
    """Does a test cell whose source was changed get a tampered incident naming the cell?"""
    nb = guard(submitted(lambda nb: setattr(cell(nb, "test_f"), "source", "print('all good')")))
    assert incidents_of(nb) == [{"kind": "tampered", "cell": "test_f",
                                 "message": "locked cell 'test_f' had its source changed; the original was restored"}]


def test_is_an_edited_test_cell_left_for_nbgrader_to_restore(guard):
    """Is an edited grade cell's source left as it is (nbgrader's OverwriteCells restores it from the gradebook)?"""
    nb = guard(submitted(lambda nb: setattr(cell(nb, "test_f"), "source", "print('all good')")))
    assert cell(nb, "test_f").source == "print('all good')"


def test_are_inflated_points_noted(guard):
    """Does a test cell whose points were raised get a tampered incident about its points?"""
    def inflate(nb):
        cell(nb, "test_g").metadata.nbgrader.points = 1000
    nb = guard(submitted(inflate))
    assert [i["message"] for i in incidents_of(nb)] == [
        "locked cell 'test_g' had its points changed; the original was restored"]


def test_is_a_deleted_test_cell_noted_but_not_put_back(guard):
    """Is a deleted grade cell noted and left for OverwriteCells.add_missing_cells to put back?"""
    nb = guard(submitted(lambda nb: nb.cells.remove(cell(nb, "test_g"))))
    assert [(i["cell"], i["message"]) for i in incidents_of(nb)] == [
        ("test_g", "locked cell 'test_g' was deleted; it was put back")]
    assert "test_g" not in [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


def test_is_a_deleted_setup_cell_put_back_in_its_place(guard):
    """Does a deleted locked cell that is no grade cell come back from the release, where it stood?"""
    nb = guard(submitted(lambda nb: nb.cells.remove(cell(nb, "setup"))))
    assert [c.source for c in nb.cells] == [c.source for c in submitted().cells]


def test_is_a_deleted_setup_cell_noted(guard):
    """Is the deletion of the setup cell recorded as tampering with that cell?"""
    nb = guard(submitted(lambda nb: nb.cells.remove(cell(nb, "setup"))))
    assert [(i["kind"], i["cell"]) for i in incidents_of(nb)] == [("tampered", "setup")]


def test_is_an_edited_setup_cell_restored(guard):
    """Does an edited locked cell that is no grade cell get its released source back?"""
    nb = guard(submitted(lambda nb: setattr(cell(nb, "setup"), "source", "import numpy as np\nnp.equal = 1")))
    assert cell(nb, "setup").source == "import numpy as np"


def test_is_each_tampered_cell_noted_once(guard):
    """Does running the stage twice on the same notebook keep one incident per cell and message?"""
    nb = guard(guard(submitted(lambda nb: setattr(cell(nb, "test_f"), "source", "pass"))))
    assert len(incidents_of(nb)) == 1


def test_does_a_missing_release_leave_the_notebook_alone(tmp_path, caplog):
    """Without a released notebook to compare with, is the notebook left as it is, with a warning?"""
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    nb = submitted(lambda nb: setattr(cell(nb, "test_f"), "source", "pass"))
    resources = {"nbgrader": {"assignment": ASSIGNMENT, "notebook": NOTEBOOK, "student": "alice"}}
    stage = GuardLockedCells(config=config)
    stage.log.propagate = True
    with caplog.at_level(logging.WARNING):
        out, _ = stage.preprocess(nb, resources)
    assert incidents_of(out) == []
    assert "no released notebook" in caplog.text
