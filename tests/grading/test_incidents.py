"""Incidents: what went wrong while grading, one schema (incidents.KINDS) for the stages that record and the report."""
import re
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook

import coursekit
from coursekit.grading.incidents import KINDS, incidents_of, record_incident

GRADED = new_code_cell("check.zero_pad(zero_pad)", metadata={"nbgrader": {"grade_id": "test_zero_pad"}})


def test_is_an_incident_kept_in_the_notebooks_metadata():
    """Does record_incident() append {kind, cell, message} to nb.metadata.coursekit.incidents?"""
    nb = new_notebook()
    record_incident(nb, "timeout", GRADED, "cell ran for more than 30 s")
    assert nb.metadata["coursekit"]["incidents"] == [
        {"kind": "timeout", "cell": "test_zero_pad", "message": "cell ran for more than 30 s"}]


def test_is_a_cell_without_grade_id_named_by_its_id():
    """Is a cell that has no grade id named by its cell id?"""
    nb = new_notebook()
    cell = new_code_cell("print(1)")
    record_incident(nb, "output_truncated", cell, "cut")
    assert incidents_of(nb)[0]["cell"] == cell.id


def test_is_a_whole_notebook_incident_about_no_cell():
    """Is an incident about the whole notebook recorded with the cell None?"""
    nb = new_notebook()
    record_incident(nb, "malformed", None, "not JSON")
    assert incidents_of(nb)[0]["cell"] is None


def test_is_the_same_incident_recorded_once():
    """Is an incident of the same kind, cell and message recorded only once?"""
    nb = new_notebook()
    for _ in range(2):
        record_incident(nb, "timeout", GRADED, "cell ran for more than 30 s")
    assert len(incidents_of(nb)) == 1


def test_does_an_unknown_kind_fail_naming_the_known_ones():
    """Does a kind that is not in KINDS raise a ValueError listing the kinds?"""
    with pytest.raises(ValueError, match="expected one of .*tampered"):
        record_incident(new_notebook(), "exploded", None, "boom")


def test_does_a_notebook_without_incidents_have_none():
    """Does incidents_of() give an empty list for a notebook no stage wrote into?"""
    assert incidents_of(new_notebook()) == []


def test_does_every_stage_record_a_kind_of_the_schema():
    """Is every incident kind that the kit's code records (or builds as a dict) one of KINDS?"""
    package = Path(coursekit.__file__).parent
    used = set()
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'record_incident\([^,()]+(?:\([^()]*\))?,\s*"(\w+)"', text))
        used |= set(re.findall(r'"kind":\s*"(\w+)"', text))
    assert used >= {"tampered", "kernel_died", "timeout", "output_truncated", "malformed"}
    assert used - set(KINDS) == set()


def test_does_the_report_name_every_kind():
    """Does the instructor report have a label for every kind of incident?"""
    from coursekit.report.data import ATTENTION_LABELS

    assert set(KINDS) <= set(ATTENTION_LABELS)
