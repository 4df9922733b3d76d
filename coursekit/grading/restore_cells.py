"""Sanitize stage: nbgrader's ``OverwriteCells``, with deleted grade cells put back wherever the rest is.

With ``add_missing_cells``, nbgrader 0.9 puts a deleted grade cell back
after the cell that came before it in the source notebook, and stops with a
``KeyError`` when that cell is not in the submission as a grade or solution
cell (a locked question, a deleted neighbour, a reordered notebook).  Then the
notebook gets no grade.  Here a missing cell goes after the nearest cell
before it in the source notebook that the submission still has, whatever its
kind, or first when there is none; task cells as nbgrader puts them (at the
end).  Everything else is nbgrader's own ``OverwriteCells``.
"""
from nbgrader.preprocessors import OverwriteCells


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


class RestoreCells(OverwriteCells):
    """OverwriteCells whose ``add_missing_cells`` places every missing cell, in any notebook."""

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_ids = [cell.name for cell in source_nb.source_cells]
        source_cells = {cell.name: cell for cell in source_nb.source_cells}
        solution_ids = {cell.name for cell in source_nb.solution_cells}
        for grade_cell in source_nb.grade_cells:
            present = [_grade_id(cell) for cell in nb.cells]
            if grade_cell.name in present:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", grade_cell.name)
            cell = self.missing_cell_transform(source_cells[grade_cell.name], grade_cell.max_score,
                                               is_solution=grade_cell.name in solution_ids)
            where = 0
            if grade_cell.name in source_ids:
                before = source_ids[:source_ids.index(grade_cell.name)]
                for name in reversed(before):
                    if name in present:
                        where = present.index(name) + 1
                        break
            nb.cells.insert(where, cell)
        return nb, resources

    def add_missing_task_cells(self, nb, resources):
        # nbgrader's own, reading grade ids as a dict that may lack them
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_cells = {cell.name: cell for cell in source_nb.source_cells}
        present = {_grade_id(cell) for cell in nb.cells}
        for task_cell in source_nb.task_cells:
            if task_cell.name not in present:
                nb.cells.append(self.missing_cell_transform(source_cells[task_cell.name], task_cell.max_score,
                                                            is_task=True))
        return nb, resources
