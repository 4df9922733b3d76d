"""Sanitize stage: a cell that was copied (pasted twice) is graded once, and the copy is noted.

nbgrader's ``DeduplicateIds`` keeps the nbgrader metadata of the last cell
with a given grade id and empties it (``{}``) on the earlier copies.  Those
empty dicts then make nbgrader 0.9's ``OverwriteCells`` stop with
``KeyError: 'grade_id'`` when ``add_missing_cells`` is on, and the notebook
gets no grade at all.  This stage is ``DeduplicateIds`` with that fixed: the
copies lose their nbgrader metadata entirely (they run as ordinary cells),
and a ``duplicated`` incident names each copied cell for the report.
"""
from nbgrader import utils
from nbgrader.preprocessors import DeduplicateIds

from .incidents import record_incident


class DeduplicateCells(DeduplicateIds):
    """nbgrader's DeduplicateIds, leaving no empty metadata behind and recording what it found."""

    def preprocess(self, nb, resources):
        self._nb = nb
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", None) == {}:
                del cell.metadata["nbgrader"]
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        if utils.is_grade(cell) or utils.is_solution(cell) or utils.is_locked(cell):
            grade_id = cell.metadata.nbgrader.get("grade_id")
            if grade_id is None:  # nbgrader's own code would stop here; the cell is ungradable, not the notebook
                cell.metadata.nbgrader = {}
                return cell, resources
            if grade_id in self.grade_ids:
                record_incident(self._nb, "duplicated", cell,
                                f"cell {grade_id!r} appears more than once; the last copy was graded")
        return super().preprocess_cell(cell, resources, cell_index)
