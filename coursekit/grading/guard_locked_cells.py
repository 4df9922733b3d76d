"""Sanitize stage: compare every locked cell with the release; note and undo tampering.

Runs in ``Autograde.sanitize_preprocessors`` before nbgrader's
``OverwriteCells``, which restores the source and points of the grade cells
from the gradebook (and, with ``add_missing_cells``, puts deleted grade cells
back).  This stage adds what nbgrader does not do:

- it records a ``tampered`` incident for each locked cell whose source or
  points differ from the released notebook, or that was deleted, so that the
  instructor report can show it;
- it puts back locked cells that are not grade cells (the setup cell) when
  they were deleted, from the released notebook, so that one deleted import
  cell does not zero the whole notebook.
"""
import copy

import nbformat

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from ..course import Course
from .incidents import record_incident


def _key(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _locked(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked") or (meta.get("grade") and not meta.get("solution")))


class GuardLockedCells(NbGraderPreprocessor):
    """Record edited or deleted locked cells; put deleted non-grade locked cells back."""

    def preprocess(self, nb, resources):
        released = self._released_notebook(resources)
        if released is None:
            return nb, resources
        submitted = {_key(c): c for c in nb.cells if _key(c)}
        previous = None
        for ref in released.cells:
            key = _key(ref)
            if not key or not _locked(ref):
                previous = key or previous
                continue
            cell = submitted.get(key)
            if cell is None:
                record_incident(nb, "tampered", ref, f"locked cell {key!r} was deleted; it was put back")
                if not utils.is_grade(ref):  # grade cells come back through OverwriteCells
                    self._insert_after(nb, previous, copy.deepcopy(ref))
            elif cell.source != ref.source or self._points(cell) != self._points(ref):
                what = "source" if cell.source != ref.source else "points"
                record_incident(nb, "tampered", ref, f"locked cell {key!r} had its {what} changed; the original was restored")
                if not utils.is_grade(ref):
                    cell.source = ref.source
            previous = key
        return nb, resources

    @staticmethod
    def _points(cell):
        return cell.get("metadata", {}).get("nbgrader", {}).get("points")

    @staticmethod
    def _insert_after(nb, previous_key, cell):
        keys = [_key(c) for c in nb.cells]
        where = keys.index(previous_key) + 1 if previous_key in keys else 0
        nb.cells.insert(where, cell)

    def _released_notebook(self, resources):
        info = resources.get("nbgrader", {})
        course = Course.from_config(self.config)
        path = course.release_dir(info.get("assignment", "")) / f"{info.get('notebook', '')}.ipynb"
        if not path.exists():
            self.log.warning("GuardLockedCells: no released notebook at %s; locked cells not compared", path)
            return None
        return nbformat.read(path, as_version=4)
