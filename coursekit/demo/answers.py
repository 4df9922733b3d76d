"""Fill a student notebook with answers taken from a plain Python file.

An answer file defines some of the assignment's functions at top level, e.g.
``def zero_pad(X, pad): ...``.  Each definition replaces the solution cell
that defines the function of the same name.  Written and numeric answers that
are not functions go in a module-level dict ``CELLS = {grade_id: source}``.
Demo submissions and the meta-tests' catalogue of mistakes are such files.

A file may also change the notebook's layout as a student can, with
``LAYOUT = [step, ...]`` applied in order after the answers, each step one of
``("move", grade_id, "after", other_grade_id)``, ``("duplicate", grade_id)``
(a copy right after the cell) and ``("delete", grade_id)``.
"""
import ast
import json
import re
from pathlib import Path

import nbformat


class AnswerError(ValueError):
    """An answer file that cannot be applied; the message names the file."""


def load_answers(path: Path) -> dict:
    """``{function name or grade_id: the whole cell source}`` from an answer file."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as err:
        raise AnswerError(f"{path}: line {err.lineno}: {err.msg}") from err
    answers = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "BASED_ON" for t in node.targets):
            answers.update(load_answers(path.parent / ast.literal_eval(node.value)))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "LAYOUT" for t in node.targets):
            answers[LAYOUT] = [tuple(step) for step in ast.literal_eval(node.value)]
        if isinstance(node, ast.FunctionDef):
            source = ast.get_source_segment(text, node, padded=True)
            answers[node.name] = f"# GRADED FUNCTION: {node.name}\n\n{source}\n"
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CELLS" for t in node.targets):
            answers.update(ast.literal_eval(node.value))
    return answers


#: The key of load_answers' result that holds the layout steps.
LAYOUT = "LAYOUT"


def _index(nb, grade_id, origin):
    for index, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise AnswerError(f"{origin}: LAYOUT names {grade_id!r}, which the notebook does not have")


def rearrange(nb, steps, origin: str = "answers"):
    """Apply the LAYOUT *steps* to *nb* (in place)."""
    for step in steps:
        if step[0] == "move" and len(step) == 4 and step[2] == "after":
            cell = nb.cells.pop(_index(nb, step[1], origin))
            nb.cells.insert(_index(nb, step[3], origin) + 1, cell)
        elif step[0] == "duplicate" and len(step) == 2:
            index = _index(nb, step[1], origin)
            copy = nbformat.from_dict(json.loads(json.dumps(nb.cells[index])))
            if "id" in copy:  # a pasted cell gets an id of its own
                copy["id"] = f"{copy['id']}-copy"[:64]
            nb.cells.insert(index + 1, copy)
        elif step[0] == "delete" and len(step) == 2:
            del nb.cells[_index(nb, step[1], origin)]
        else:
            raise AnswerError(f"{origin}: unknown LAYOUT step {step!r}")
    return nb


def _defined_function(source: str):
    match = re.search(r"^def (\w+)\(", source, re.MULTILINE)
    return match.group(1) if match else None


def fill(nb, answers: dict, origin: str = "answers"):
    """A copy of *nb* with every solution cell that has an answer replaced by it."""
    nb = nbformat.from_dict(nb)
    answers = dict(answers)
    layout = answers.pop(LAYOUT, [])
    used = set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        key = meta.get("grade_id")
        name = _defined_function(cell.source) if cell.cell_type == "code" else None
        if name in answers:
            cell.source = answers[name]
            used.add(name)
        elif key in answers:
            cell.source = answers[key]
            used.add(key)
    unused = set(answers) - used
    if unused:
        raise AnswerError(f"{origin}: no solution cell for {', '.join(sorted(unused))}")
    return rearrange(nb, layout, origin)
