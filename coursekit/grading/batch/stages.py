"""The worker's autograde pipeline: nbgrader's stages as the course configures them, with two exact stand-ins.

A worker runs the course's ``Autograde.sanitize_preprocessors`` and
``autograde_preprocessors`` in order, except that

- ``SaveAutoGrades`` becomes ``CollectAutoGrades``: the same score of every
  grade cell (``utils.determine_grade``) and the same comment of every
  solution and task cell (``utils.compute_checksum``), kept in the resources
  instead of written; the coordinator writes them (``record.py``);
- ``AssignLatePenalties`` is left to the coordinator: it needs the
  submission's timestamp and score in the gradebook;
- ``CheckCellMetadata`` becomes ``CachedCheckCellMetadata``: nbgrader's
  validator, run once per distinct cell metadata instead of once per cell;
- ``OverwriteCells`` and its subclasses (``RestoreCells``) read each cell's
  row of the batch's definitions once per worker (``remembering``), not once
  per notebook: the definitions are written once and never change.

Any other stage after ``SaveAutoGrades`` is refused: coursekit cannot tell
whether it writes the gradebook, which a worker never opens.
"""
from __future__ import annotations

import json
import traceback
from types import SimpleNamespace

import sqlalchemy
from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.preprocessors import CheckCellMetadata, NbGraderPreprocessor

from ...course import CourseError

SAVE_GRADES = "SaveAutoGrades"
LATE_PENALTIES = "AssignLatePenalties"
METADATA_CHECK = "CheckCellMetadata"


def stage_name(stage) -> str:
    return (stage if isinstance(stage, str) else stage.__name__).rsplit(".", 1)[-1]


def _qualified(cls) -> str:
    return f"{cls.__module__}.{cls.__name__}"


class UnsupportedStage(CourseError):
    """The course's autograde stages are ones coursekit grade cannot run (the message names the stage).

    A CourseError: ``coursekit grade`` says it in one line, before any submission is sent.
    """


def worker_stages(sanitizing, grading) -> tuple[list, list]:
    """The worker's (sanitizing, grading) stages for the course's nbgrader stages."""
    def swap(stages):
        return [_qualified(CachedCheckCellMetadata) if stage_name(s) == METADATA_CHECK else s for s in stages]

    names = [stage_name(s) for s in grading]
    if SAVE_GRADES not in names:
        raise UnsupportedStage(f"Autograde.autograde_preprocessors has no {SAVE_GRADES}: nothing would be graded")
    cut = names.index(SAVE_GRADES)
    after = []
    for stage, name in zip(grading[cut + 1:], names[cut + 1:]):
        if name == LATE_PENALTIES:
            continue
        if name != METADATA_CHECK:
            raise UnsupportedStage(
                f"the autograde stage {stage} comes after {SAVE_GRADES}; coursekit grade records grades and late "
                f"penalties itself and does not know whether {name} writes the gradebook: put it before "
                f"{SAVE_GRADES}, or grade with plain `nbgrader autograde`")
        after.append(stage)
    return swap(sanitizing), swap([*grading[:cut], _qualified(CollectAutoGrades), *after])


def late_penalty_stage(grading):
    """The course's AssignLatePenalties stage (class or name), or None when it has none."""
    return next((s for s in grading if stage_name(s) == LATE_PENALTIES), None)


class CollectAutoGrades(NbGraderPreprocessor):
    """``SaveAutoGrades`` without the gradebook: what it would write, in ``resources["autogrades"]``.

    ``{"grades": {grade_id: auto_score}, "comments": {grade_id: auto_comment}}``, decided by the functions
    ``SaveAutoGrades`` calls, on the cells as it sees them.
    """

    def preprocess(self, nb, resources):
        resources["autogrades"] = {"grades": {}, "comments": {}}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        found = resources["autogrades"]
        if utils.is_grade(cell):
            found["grades"][cell.metadata["nbgrader"]["grade_id"]] = utils.determine_grade(cell, self.log)[0]
        if utils.is_solution(cell) or utils.is_task(cell):
            unchanged = cell.metadata.nbgrader.get("checksum", None) == utils.compute_checksum(cell)
            found["comments"][cell.metadata["nbgrader"]["grade_id"]] = (
                "No response." if unchanged and not utils.is_task(cell) else None)
        return cell, resources


class _OncePerMetadata(MetadataValidator):
    """nbgrader's metadata validator, which skips a cell whose metadata and type already passed.

    ``validate_cell`` depends on the cell's type and nbgrader metadata only
    (the source appears in its messages); a cell that passed without a
    warning passes again.  Failures are never remembered: they are found
    again, with their message.
    """

    #: Cell types and metadata (canonical JSON) that passed, for this process.
    passed: set = set()
    #: Enough for the cells of a few assignments; past it, nothing more is remembered.
    LIMIT = 10_000

    def validate_cell(self, cell) -> None:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            return
        try:
            key = (cell.cell_type, json.dumps(meta, sort_keys=True))
        except (TypeError, ValueError):
            key = None
        if key is not None and key in self.passed:
            return
        super().validate_cell(cell)
        if key is not None and meta.get("cell_type", cell.cell_type) == cell.cell_type and len(self.passed) < self.LIMIT:
            self.passed.add(key)


class CachedCheckCellMetadata(CheckCellMetadata):
    """``CheckCellMetadata`` with ``_OncePerMetadata``: the same checks and errors, each metadata validated once."""

    _validator = None

    def preprocess(self, nb, resources):
        if CachedCheckCellMetadata._validator is None:
            CachedCheckCellMetadata._validator = _OncePerMetadata()  # reads the schema files once
        try:
            CachedCheckCellMetadata._validator.validate_nb(nb)
        except ValidationError:  # as nbgrader's CheckCellMetadata reports it
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg)
        return nb, resources


class _RememberedGradebook:
    """A gradebook whose ``find_source_cell`` and ``find_graded_cell`` answers are kept in *memo*.

    Only for definitions that never change while *memo* lives (a worker's
    batch definitions).  An answer is a copy of the row's columns, usable
    after the session that read it has closed; a missing row is remembered
    too, and raises ``MissingEntry`` again.  Everything else goes to the
    gradebook itself.
    """

    def __init__(self, gradebook, memo: dict):
        self._gradebook, self._memo = gradebook, memo

    def __enter__(self):
        self._gradebook.__enter__()
        return self

    def __exit__(self, *exc):
        return self._gradebook.__exit__(*exc)

    def __getattr__(self, name):
        return getattr(self._gradebook, name)

    def find_source_cell(self, name, notebook, assignment):
        return self._remembered("find_source_cell", name, notebook, assignment)

    def find_graded_cell(self, name, notebook, assignment):
        return self._remembered("find_graded_cell", name, notebook, assignment)

    def _remembered(self, method: str, *args):
        key = (method, *args)
        if key not in self._memo:
            try:
                row = getattr(self._gradebook, method)(*args)
                columns = sqlalchemy.inspect(row).mapper.column_attrs
                self._memo[key] = SimpleNamespace(**{c.key: getattr(row, c.key) for c in columns})
            except MissingEntry:
                self._memo[key] = None
        found = self._memo[key]
        if found is None:
            raise MissingEntry()
        return found


def remembering(stage: type, memo: dict) -> type:
    """*stage* (an ``OverwriteCells``) whose gradebook remembers its cell lookups in *memo*.

    The subclass has *stage*'s name, so the course's options for it apply.
    """
    def set_gradebook(self, gradebook):
        self._remembered_gradebook = _RememberedGradebook(gradebook, memo)

    return type(stage.__name__, (stage,), {
        "__module__": stage.__module__, "__doc__": stage.__doc__,
        "gradebook": property(lambda self: self._remembered_gradebook, set_gradebook)})
