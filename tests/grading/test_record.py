"""ReplayExecution: the coordinator records what a worker executed, without running the notebook again.

The recorder's own copy of the submission goes through nbgrader's sanitizing
stages again, then ReplayExecution puts in the worker's outputs; it must
refuse a worker's notebook whose cells are not these.  The notebooks are
built here as the two sides hold them.
"""
import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from coursekit.grading.batch.record import ReplayExecution

KEY = ("cnn_step_by_step_en", "alice")
RESOURCES = {"nbgrader": {"assignment": KEY[0], "student": KEY[1], "notebook": "cnn_step_by_step"}}


def submission():
    return new_notebook(cells=[new_code_cell("def f(x):\n    return 2 * x"), new_code_cell("check.f(f)")])


def executed_copy(nb, *outputs):
    """What the worker sends back: its copy of *nb*, executed, through nbformat's JSON."""
    done = copy.deepcopy(nb)
    for cell, output in zip(done.cells, outputs):
        cell.outputs = [output]
    return nbformat.reads(nbformat.writes(done), as_version=4)


def replay(nb, executed):
    ReplayExecution.executed[KEY] = executed
    try:
        return ReplayExecution().preprocess(nb, RESOURCES)[0]
    finally:
        ReplayExecution.executed.pop(KEY, None)


def test_are_the_workers_outputs_put_in():
    """Does the recorded notebook get the outputs the worker computed?"""
    nb = submission()
    passed = new_output("stream", name="stdout", text="✓ f: all 3 checks passed.\n")
    out = replay(nb, executed_copy(nb, new_output("stream", name="stdout", text=""), passed))
    assert out.cells[1].outputs == [passed]


def test_are_the_workers_incidents_kept():
    """Does the recorded notebook keep the incidents the worker noted in its metadata?"""
    nb = submission()
    done = executed_copy(nb)
    done.metadata["coursekit"] = {"incidents": [{"kind": "timeout", "cell": "f", "message": "30 s"}]}
    assert replay(nb, done).metadata["coursekit"]["incidents"][0]["kind"] == "timeout"


def test_is_a_notebook_of_other_cells_refused():
    """Does a worker's notebook whose cells differ from the recorder's (another source) raise ValueError?"""
    nb = submission()
    other = executed_copy(nb)
    other.cells[1].source = "print('all good')"
    with pytest.raises(ValueError, match="other cells"):
        replay(nb, other)


@pytest.mark.filterwarnings("ignore:Cell is missing an id field")
def test_is_a_put_back_test_cell_replayed():
    """Is a submission whose deleted test cell nbgrader put back recorded, though the put-back cell has no id?

    nbgrader's OverwriteCells.add_missing_cells (on in nbgrader_config.py) puts a deleted grade cell back
    as a cell without an id; the worker's copy gets a random id when nbformat writes it for the
    coordinator, the recorder's copy has none (or another): the two are the same cells.
    """
    nb = submission()
    nb.cells.append(nbformat.from_dict({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                        "source": "# This cell (id:test_g) was missing from the submission.\n"}))
    recorder_side = copy.deepcopy(nb)
    out = replay(recorder_side, executed_copy(nb))
    assert len(out.cells) == 3
