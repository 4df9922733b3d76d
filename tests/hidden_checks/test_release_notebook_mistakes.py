"""Every catalogued mistake fails its visible check in the release notebook, before the student submits.

The release notebook of each language is filled with the catalogued answers and run, whole, in a real kernel
beside its own ``cnn_checks`` and data, as a student runs it.  The answers share notebooks where they can: one
answer per function in a notebook, and the mistakes of the helpers (``zero_pad``, ``conv_single_step``...)
never beside those of the functions that call them, whose visible checks call the student's helpers.
"""
import shutil
from collections import defaultdict

import nbformat
import pytest

from coursekit.demo.answers import fill, load_answers
from kernel_cells import execute
from scratch import ANSWERS, COURSE, CORRECT_LOOPS
from test_hints import ALSO, LANGUAGES, TRIGGERS, shown

MISTAKES = sorted((ANSWERS / "mistakes").glob("*.py"))
#: The functions whose visible checks call no other function of the student's.
HELPERS_AND_LEAVES = {"zero_pad", "conv_single_step", "create_mask_from_window", "distribute_value", "pool_forward"}


def function_of(path):
    return path.stem.split("__")[0]


def notebooks_of_mistakes() -> list:
    """The catalogued answers, grouped into as few notebooks as the rule above allows."""
    by_function = defaultdict(list)
    for path in MISTAKES:
        by_function[function_of(path)].append(path)
    groups = []
    for leaves in (True, False):
        functions = [fn for fn in by_function if (fn in HELPERS_AND_LEAVES) == leaves]
        for i in range(max(len(by_function[fn]) for fn in functions)):
            groups.append([by_function[fn][i] for fn in functions if i < len(by_function[fn])])
    return groups


GROUPS = notebooks_of_mistakes()


def hints_of(path) -> set:
    return {hint for hint, (answer, _fn) in TRIGGERS.items() if answer == path.stem} | ALSO.get(path.stem, set())


def visible_check_error(nb, fn) -> str:
    """The error output of the cell that runs ``check.<fn>``, or "" if it printed none."""
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == f"test_{fn}":
            return "\n".join(f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error")
    raise AssertionError(f"the release notebook has no cell test_{fn}")


def test_does_every_catalogued_mistake_have_a_notebook():
    """Is every catalogued answer in exactly one of the notebooks the test below runs?"""
    assert sorted(p for group in GROUPS for p in group) == MISTAKES
    assert all(len({function_of(p) for p in group}) == len(group) for group in GROUPS)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("group", GROUPS, ids=lambda g: "+".join(function_of(p) for p in g))
def test_does_every_catalogued_mistake_fail_its_visible_check_in_the_release_notebook(group, lang, tmp_path):
    """Run in a kernel, does the release notebook stop each catalogued mistake at its function's visible check,
    with the hint of every mistake the answer makes, in the notebook's language?"""
    release = COURSE.release_dir(COURSE.assignment_for(lang))
    folder = shutil.copytree(release, tmp_path / release.name)
    answers = load_answers(CORRECT_LOOPS)
    for path in group:
        answers[function_of(path)] = load_answers(path)[function_of(path)]
    nb = fill(nbformat.read(folder / "cnn_step_by_step.ipynb", as_version=4), answers, origin=str(group))
    execute(nb, folder, timeout=120, kernel_name="python3")
    for path in group:
        error = visible_check_error(nb, function_of(path))
        assert error.startswith("CheckFailed"), f"{path.stem}: the visible check passed"
        for hint in hints_of(path):
            assert shown(error, hint, lang), f"{path.stem}: no hint {hint}\n{error}"
