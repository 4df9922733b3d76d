"""What a student reads is what the grader judges: the published check of each function in every release's
``cnn_checks.py`` (run in the notebook with the release's own check library) has the same cases, the same
expected values and the same verdict, in the notebook's language, as the published part of the grader's
verdict (the master's cases, judged in the grader's process)."""
import copy
import importlib

import numpy as np
import pytest

from coursekit.grading.verdict.judge import CellCheck, CourseChecks
from scratch import COURSE, load_beside

FUNCTIONS = ("zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
             "create_mask_from_window", "distribute_value", "pool_backward")
LANGUAGES = COURSE.languages


@pytest.fixture(scope="module")
def grader():
    checks = CourseChecks.for_course(COURSE)
    return checks, importlib.import_module(f"{checks.settings.checks_package}.references")


@pytest.fixture(scope="module", params=LANGUAGES)
def release(request):
    lang = request.param
    folder = COURSE.release_dir(COURSE.assignment_for(lang))
    return lang, load_beside(folder / "cnn_checks.py", f"release_cnn_checks_{lang}")


def same(a, b) -> bool:
    """Equal data: arrays by dtype, shape and values; tuples, lists and dicts item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def wrong(value):
    """A wrong result of the same form: every number moved by 0.5, every mask inverted."""
    if isinstance(value, np.ndarray):
        return ~value if value.dtype == bool else value + 0.5
    if isinstance(value, tuple):  # (Z, cache): only the result moves
        return (wrong(value[0]),) + value[1:] if len(value) == 2 and isinstance(value[1], tuple) else \
            tuple(wrong(v) for v in value)
    if isinstance(value, (float, np.floating)):
        return value + 0.5
    return value


def as_notebook_has_it(name, reference):
    """The grader's reference with the notebook's signature: the forward passes also return their cache."""
    if name == "conv_forward":
        return lambda A_prev, W, b, hparameters: (reference(A_prev, W, b, hparameters), (A_prev, W, b, hparameters))
    if name == "pool_forward":
        return lambda A_prev, hparameters, mode="max": (reference(A_prev, hparameters, mode), (A_prev, hparameters))
    return reference


def functions(name, reference):
    """The reference, and a function that gives a wrong result of the same form."""
    right = as_notebook_has_it(name, reference)
    return {"right": right, "wrong": lambda *args, **kwargs: wrong(right(*args, **kwargs))}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_are_the_published_cases_the_ones_the_grader_judges(release, grader, name):
    """Do the release's published cases call the function on the very inputs the grader sends, with as many
    checks each?"""
    _lang, module = release
    checks, _references = grader
    theirs = CellCheck(checks, name, "student").published
    ours = module.published_cases(name)
    assert len(ours) == len(theirs) > 0
    for mine, graded in zip(ours, theirs):
        assert same(mine.args, graded.args) and same(mine.kwargs, graded.kwargs)
        assert len(mine.checks) == len(graded.checks)


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("result", ["right", "wrong"])
def test_does_the_student_read_the_verdict_the_grader_gives(release, grader, name, result):
    """Run in the notebook (the release's check, its library) and judged by the grader (the master's cases,
    the grader's library) on the same function: does the student read, line for line and in the notebook's
    language, the published part of the grader's verdict?"""
    lang, module = release
    checks, references = grader
    fn = functions(name, getattr(references, name))[result]
    library = module.library
    try:
        shown = getattr(module, name)(fn).render()
        passed = True
    except library.CheckFailed as failure:
        shown, passed = failure.render(), False
    cases = CellCheck(checks, name, "student").published
    outcomes = []
    for case in cases:
        args = copy.deepcopy(case.args)
        outcomes.append(checks.check.Outcome(fn(*args, **case.kwargs), args))
    report = checks.check.judge(name, cases, outcomes, "visible")
    assert passed == report.passed == (result == "right")
    assert shown == report.render(checks.language(lang))
