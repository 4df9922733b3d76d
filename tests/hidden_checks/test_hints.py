"""Hints: a failing result that shows a common mistake says which, in the student's language.

Each hint is triggered by a catalogued answer that makes that mistake, and
shown both by the grader (the graded feedback) and by the visible check in
the student's notebook (the release's cnn_checks, run here on the answer's
functions).  Answers that make none of these mistakes get no hint.
"""
import importlib.util
import re

import polib
import pytest

from coursekit.grading.verdict.local import verdict_here
from scratch import CORRECT_LOOPS, load_beside, ANSWERS, COURSE
from test_hidden_checks import CHECKS, answers_namespace

LANGUAGES = ["en", "fa", "tr"]
MISTAKES = ANSWERS / "mistakes"
#: {hint: (the answer that makes the mistake, the function it shows in)}; every visible check names it too.
TRIGGERS = {
    "float_of_array": ("conv_single_step__float_of_b", "conv_single_step"),
    "bias_as_array": ("conv_single_step__bias_as_array", "conv_single_step"),
    "removed_numpy_alias": ("conv_single_step__np_float_of_b", "conv_single_step"),
    "size_not_whole": ("conv_forward__sizes_by_true_division", "conv_forward"),
    "integer_array": ("pool_backward__integer_gradient", "pool_backward"),
    "floor_division": ("distribute_value__floor_division", "distribute_value"),
    "boolean_mask_in_place": ("pool_backward__scales_the_mask_in_place", "pool_backward"),
    "bias_everywhere": ("conv_single_step__bias_in_every_product", "conv_single_step"),
    "unpad_minus_pad": ("conv_backward__unpads_with_minus_pad", "conv_backward"),
    "stride_ignored": ("conv_forward__ignores_stride", "conv_forward"),
    "pooled_across_channels": ("pool_forward__pools_across_channels", "pool_forward"),
    "pooled_across_batch": ("pool_forward__pools_across_batch", "pool_forward"),
    "rows_columns_swapped": ("conv_forward__swaps_rows_and_columns", "conv_forward"),
    "mask_holds_values": ("create_mask_from_window__holds_the_maximum", "create_mask_from_window"),
    "divided_by_sides": ("distribute_value__divides_by_sum", "distribute_value"),
    "overwrites_overlaps": ("pool_backward__overwrites_overlaps", "pool_backward"),
    "last_example_only": ("conv_backward__bias_from_last_example", "conv_backward"),
}
#: Other answers that show mistakes of the same list: the same mistake written another way, or shown by the
#: error it raises rather than by a wrong value, or two mistakes at once.
ALSO = {
    "conv_backward__published_stride_less": {"stride_ignored", "unpad_minus_pad"},
    "conv_backward__unpads_each_example_with_minus_pad": {"unpad_minus_pad"},
    "conv_forward__rounds_with_np_int": {"removed_numpy_alias"},
    "conv_forward__integer_output": {"integer_array"},
    "pool_forward__ignores_stride": {"stride_ignored"},
    "pool_backward__ignores_stride": {"stride_ignored"},
}
#: Every (hint, answer, function) that the tests below run, in the three languages.
EVERY_TRIGGER = [(hint, answer, fn) for hint, (answer, fn) in TRIGGERS.items()] + [
    (hint, answer, answer.split("__")[0]) for answer, hints in ALSO.items() for hint in sorted(hints)]


def hint_text(hint: str, lang: str) -> str:
    """The hint as the *lang* catalog translates it."""
    english = CHECKS.check.HINTS[hint]
    if lang == "en":
        return english
    entry = polib.pofile(str(COURSE.catalog_path("messages", lang))).find(english)
    assert entry is not None and entry.msgstr, f"{lang}: no translation of the hint {hint}"
    return entry.msgstr


def shown(text: str, hint: str, lang: str) -> bool:
    """Is the hint in *text* (the isolate characters of right-to-left output aside)?"""
    def plain(s):
        return "".join(c for c in s if c not in "\u2066\u2067\u2068\u2069")
    # A hint's placeholders ({alias}) are filled from the error: any text may stand in their place.
    pattern = ".+?".join(re.escape(fragment) for fragment in re.split(r"\{\w+\}", plain(hint_text(hint, lang))))
    return re.search(pattern, plain(text)) is not None


def release_checks(lang: str):
    """The visible checks of the *lang* release, as a student's notebook imports them."""
    folder = COURSE.release_dir(COURSE.assignment_for(lang))
    return load_beside(folder / "cnn_checks.py", f"release_cnn_checks_{lang}")


def visible_failure(lang: str, answer: str, fn: str) -> str:
    namespace = answers_namespace(MISTAKES / f"{answer}.py")
    checks = release_checks(lang)
    with pytest.raises(checks.library.CheckFailed) as failed:
        getattr(checks, fn)(namespace[fn])
    return str(failed.value)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("hint, answer, fn", EVERY_TRIGGER, ids=lambda v: v)
def test_does_the_grader_name_the_mistake(hint, answer, fn, lang):
    """Does the graded feedback of an answer that makes the mistake carry its hint, in the student's language?"""
    verdict = verdict_here(CHECKS.cell(fn, "alice"), answers_namespace(MISTAKES / f"{answer}.py"), lang)
    assert not verdict.passed
    assert shown(verdict.text, hint, lang), verdict.text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("hint, answer, fn", EVERY_TRIGGER, ids=lambda v: v)
def test_does_the_visible_check_name_the_mistake(hint, answer, fn, lang):
    """Does the check in the student's notebook give the same hint, from the release's fingerprints and its
    error models alone?"""
    assert shown(visible_failure(lang, answer, fn), hint, lang)


def catalogued_hints(answer: str) -> set:
    return {h for h, (a, _) in TRIGGERS.items() if a == answer} | ALSO.get(answer, set())


@pytest.mark.parametrize("path", sorted(MISTAKES.glob("*.py")), ids=lambda p: p.stem)
def test_does_an_answer_get_only_the_hints_of_its_mistake(path):
    """Does every catalogued answer get exactly the hints of the mistake it makes (none for the others)?"""
    namespace = answers_namespace(path)
    text = "\n".join(verdict_here(CHECKS.cell(name, "alice"), namespace).text for name in CHECKS.hidden.CHECKS)
    found = {hint for hint in CHECKS.check.HINTS if shown(text, hint, "en")}
    assert found == catalogued_hints(path.stem)


def test_does_a_correct_answer_get_no_hint():
    """Does the master's solution pass everything, with no hint anywhere?"""
    namespace = answers_namespace()
    for name in CHECKS.hidden.CHECKS:
        verdict = verdict_here(CHECKS.cell(name, "alice"), namespace)
        assert verdict.passed and "Hint" not in verdict.text


#: The correct answers of the catalogue, each written its own way.
CORRECT_VARIANTS = {"master": None, "loops": CORRECT_LOOPS, "vectorized": ANSWERS / "correct_vectorized.py"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_does_no_mistake_model_fire_on_a_correct_variant(variant, lang):
    """Does a correct answer, however written, pass the grader and the release's visible checks with no hint, and
    does no mistake model (by fingerprint, by value or by error) name a mistake in any of its results?"""
    namespace = answers_namespace(CORRECT_VARIANTS[variant])
    checks = release_checks(lang)
    for name in CHECKS.hidden.CHECKS:
        cell = CHECKS.cell(name, "alice")
        verdict = verdict_here(cell, namespace, lang)
        assert verdict.passed, verdict.text
        assert not any(f["mistake"] for f in verdict.record()["failures"])
        if cell.function is None:
            continue
        getattr(checks, name)(namespace[name])  # raises if it fails
        for case in [c for c in cell.published + cell.hidden if c.diagnose]:  # asked outright: "not mine"
            args = [a.copy() if hasattr(a, "copy") else a for a in case.args]
            outcome = CHECKS.check.Outcome(namespace[name](*args, **case.kwargs), tuple(args))
            assert case.diagnose(outcome) is None, (name, case.label)


def test_does_a_hint_never_show_a_hidden_expected_value():
    """Is a hidden case's failure with a hint free of the values the grader expected?"""
    verdict = verdict_here(CHECKS.cell("distribute_value", "alice"),
                           answers_namespace(MISTAKES / "distribute_value__divides_by_sum.py"), "en")
    hidden = verdict.reports[1].render("en")
    assert "expected" not in hidden and "Hint" in hidden
