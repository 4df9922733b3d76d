"""Meta-tests of the hidden tests: one mistake costs one function, tampering earns nothing."""
from pathlib import Path

import pytest

from scratch import ANSWERS, CORRECT_LOOPS, autograded_cells, student_id

MISTAKES = sorted((ANSWERS / "mistakes").glob("*.py"))
TAMPERING = sorted((ANSWERS / "tampering").glob("*.py"))
FUNCTIONS = ["zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
             "create_mask_from_window", "distribute_value", "pool_backward"]
AUTOGRADED = autograded_cells()


def lost(scores):
    """The autograded cells that did not get full marks (written answers wait for a grader)."""
    return {cell for cell, (score, max_score) in scores.items() if cell in AUTOGRADED and score < max_score}


def test_is_the_catalogue_large_enough():
    """Does the catalogue hold at least two realistic mistakes for every function?"""
    for fn in FUNCTIONS:
        assert len([p for p in MISTAKES if p.name.startswith(fn + "__")]) >= 2, fn


@pytest.mark.slow
@pytest.mark.parametrize("student", ["correct-loops", "correct-vectorized"])
def test_do_correct_solutions_get_full_marks(catalogue_grades, student):
    """Does a correct answer get every point, whether it loops or vectorises without helpers?"""
    scores = catalogue_grades[student]
    assert lost(scores) == set()
    assert sum(s for s, _m in scores.values()) == sum(AUTOGRADED.values())


@pytest.mark.slow
@pytest.mark.parametrize("path", MISTAKES, ids=lambda p: p.stem)
def test_does_a_mistake_cost_its_own_function_only(catalogue_grades, path):
    """Does each catalogued mistake lose points on its own function and nowhere else?"""
    function = path.stem.split("__")[0]
    assert lost(catalogue_grades[student_id(path)]) == {f"test_{function}"}


@pytest.mark.slow
@pytest.mark.parametrize("path", TAMPERING, ids=lambda p: p.stem)
def test_does_tampering_earn_nothing(catalogue_grades, path):
    """Does an answer that rebinds numpy, the random generators or equality still lose its points?"""
    from coursekit.demo.answers import load_answers

    own = {k for k in load_answers(path) if k in FUNCTIONS} - (set(load_answers(CORRECT_LOOPS)) - _overridden(path))
    assert own, "the tampering file must replace at least one function"
    assert {f"test_{fn}" for fn in own} <= lost(catalogue_grades[student_id(path)])


def _overridden(path: Path) -> set:
    import ast

    tree = ast.parse(path.read_text())
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CELLS" for t in node.targets):
            names |= set(ast.literal_eval(node.value))
    return names
