"""The hidden checks on their own: no kernel, no nbgrader, in seconds.

The master's solutions and the catalogued answers are trusted code, so they
run here, in the test's process; their results still cross the wire format,
so each check sees what it sees when grading.
"""
import re

import nbformat
import numpy as np
import pytest

from coursekit.grading.verdict.judge import CourseChecks
from coursekit.grading.verdict.local import namespace_of, verdict_here
from coursekit.demo.answers import load_answers
from scratch import ANSWERS, COURSE

CHECKS = CourseChecks.for_course(COURSE)
FUNCTIONS = [name for name in CHECKS.hidden.CHECKS if hasattr(CHECKS.unit(name), "FUNCTION")]
MISTAKES = sorted((ANSWERS / "mistakes").glob("*.py"))
EXERCISE_MISTAKES = sorted((ANSWERS / "exercises" / "mistakes").glob("*.py"))


def master_solutions() -> str:
    """The code of the master's solution cells, as one module."""
    cells = nbformat.read(COURSE.master_path, as_version=4).cells
    code = [c.source for c in cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
    return re.sub(r"### (BEGIN|END) SOLUTION", "", "\n\n".join(code))


def answers_namespace(path=None, student="alice") -> dict:
    """The master's solutions, with the code cells of the answer file *path* run after them, for *student*'s
    numbers (the dict ``numbers`` that the notebook's your_numbers cell makes)."""
    namespace = namespace_of(f"numbers = {numbers_source(student)}\n" + master_solutions())
    if path is not None:
        for key, source in load_answers(path).items():
            if not key.startswith("answer_") and key != "LAYOUT":  # written answers are markdown
                exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - catalogued answers
    return namespace


def numbers_source(student) -> str:
    """Python that makes *student*'s numbers, as the notebook draws them for the course."""
    return f"__import__('cnn_checklib').numbers.draw({student!r}, {COURSE.numbers_salt!r})"


def failing_checks(namespace, student="alice") -> dict:
    verdicts = {name: verdict_here(CHECKS.cell(name, student), namespace) for name in CHECKS.hidden.CHECKS}
    return {name: v for name, v in verdicts.items() if not v.passed}


def test_do_the_master_solutions_pass_every_hidden_check():
    """Does the master's own solution pass every check of every graded cell, published and hidden?"""
    failed = failing_checks(answers_namespace())
    assert failed == {}, "\n".join(v.text for v in failed.values())


@pytest.mark.parametrize("path", MISTAKES + EXERCISE_MISTAKES, ids=lambda p: p.stem)
def test_does_each_catalogued_mistake_fail_exactly_its_own_check(path):
    """Does a catalogued mistake fail its own cell's check, and every other cell pass?"""
    own = path.stem.split("__")[0]
    failed = failing_checks(answers_namespace(path))
    assert set(failed) == {own}, {name: v.text for name, v in failed.items()}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_do_the_hidden_cases_catch_a_function_returning_the_published_answer(name):
    """Does a function that returns its published case's answer whatever it is given fail the hidden cases?"""
    namespace = answers_namespace()
    cell = CHECKS.cell(name, "alice")
    published = cell.published[0]
    answer = namespace[name](*published.args, **published.kwargs)
    namespace[name] = lambda *args, **kwargs: answer
    verdict = verdict_here(cell, namespace)
    assert not verdict.reports[1].passed, verdict.text


@pytest.mark.parametrize("student", ["alice", "bob"])
def test_are_the_reference_gradients_those_of_central_differences_on_every_hidden_case(student):
    """Do the reference conv_backward and pool_backward, which the hidden checks compare a student's gradients
    with, give the central differences of the reference forward passes, L = sum(forward * upstream), on every
    published and hidden case a student gets?"""
    refs = CHECKS.references
    # the hidden checks' own central differences (hidden_checks/common.py), every entry
    central_differences = CHECKS.unit("gap_backprop").numerical_gradient
    compared = 0
    for case in CHECKS.cell("conv_backward", student).published + CHECKS.cell("conv_backward", student).hidden:
        dZ, (A, W, b, hp) = case.args
        A, W, b = (np.array(x, dtype=np.float64) for x in (A, W, b))
        loss = lambda: float((refs.conv_forward(A, W, b, hp) * dZ).sum())  # noqa: E731
        for analytic, x in zip(refs.conv_backward(dZ, (A, W, b, hp)), (A, W, b)):
            compared += relative_error(analytic, central_differences(loss, x, h=1e-5)) < 1e-6
    for case in CHECKS.cell("pool_backward", student).published + CHECKS.cell("pool_backward", student).hidden:
        dA, (A, hp) = case.args
        A, mode = np.array(A, dtype=np.float64), case.kwargs.get("mode", "max")
        loss = lambda: float((refs.pool_forward(A, hp, mode) * dA).sum())  # noqa: E731
        compared += relative_error(refs.pool_backward(dA, (A, hp), mode), central_differences(loss, A, h=1e-6)) < 1e-6
    cases = [len(CHECKS.cell(n, student).published + CHECKS.cell(n, student).hidden)
             for n in ("conv_backward", "pool_backward")]
    assert compared == 3 * cases[0] + cases[1]  # every gradient of every case matched


def relative_error(analytic, numeric) -> float:
    """The largest difference, relative to the largest numerical entry (at least 1)."""
    return float(np.max(np.abs(np.asarray(analytic) - numeric))) / max(1.0, float(np.max(np.abs(numeric))))


def test_are_hidden_expected_values_never_shown():
    """Does a failing hidden case say which case and what is wrong, but never the value it expected?"""
    namespace = answers_namespace()
    namespace["conv_single_step"] = lambda a, W, b: 123.25
    verdict = verdict_here(CHECKS.cell("conv_single_step", "alice"), namespace)
    hidden = verdict.reports[1].render("en")
    assert "[window (3, 3, 4)] Z is wrong." in hidden
    assert "expected" not in hidden


def test_do_hidden_inputs_depend_on_the_student_and_stay_the_same_on_a_rerun():
    """Are a student's hidden inputs the same every time, and another student's different?"""
    def first_input(student):
        return CHECKS.cell("conv_forward", student).hidden[0].args[0]

    assert (first_input("alice") == first_input("alice")).all()
    assert not (first_input("alice") == first_input("bob")).all()


def test_does_a_missing_function_fail_with_a_clear_message():
    """Is a function the notebook never defined reported as not defined, not as a crash?"""
    namespace = answers_namespace()
    del namespace["pool_forward"]
    verdict = verdict_here(CHECKS.cell("pool_forward", "alice"), namespace)
    assert not verdict.passed
    assert "pool_forward is not defined" in verdict.text


@pytest.mark.parametrize("language", ["fa", "tr"])
def test_does_a_verdict_speak_the_notebooks_language(language):
    """Is a failing verdict rendered in the student's language when asked for it?"""
    namespace = answers_namespace()
    namespace["distribute_value"] = lambda dz, shape: dz
    english = verdict_here(CHECKS.cell("distribute_value", "alice"), namespace, "en").text
    translated = verdict_here(CHECKS.cell("distribute_value", "alice"), namespace, language).text
    assert translated != english
