"""Hints: a failing result that shows a common mistake says which, in the student's language.

Each hint is triggered by a catalogued answer that makes that mistake, and
shown both by the grader (the graded feedback) and by the visible check in
the student's notebook (the release's cnn_checks, run here on the answer's
functions).  Answers that make none of these mistakes get no hint.
"""
import importlib.util

import polib
import pytest

from coursekit.grading.verdict.local import verdict_here
from scratch import load_beside, ANSWERS, COURSE
from test_hidden_checks import CHECKS, answers_namespace

LANGUAGES = ["en", "fa", "tr"]
MISTAKES = ANSWERS / "mistakes"
#: {hint: (the answer that makes the mistake, the function it shows in, shown by the visible check too)}
TRIGGERS = {
    "float_of_array": ("conv_single_step__float_of_b", "conv_single_step", True),
    "bias_everywhere": ("conv_single_step__bias_in_every_product", "conv_single_step", True),
    "unpad_minus_pad": ("conv_backward__unpads_with_minus_pad", "conv_backward", False),  # the published pad is 2
    "stride_ignored": ("conv_forward__ignores_stride", "conv_forward", True),
    "pooled_across_channels": ("pool_forward__pools_across_channels", "pool_forward", True),
    "pooled_across_batch": ("pool_forward__pools_across_batch", "pool_forward", True),
    "rows_columns_swapped": ("conv_forward__swaps_rows_and_columns", "conv_forward", True),
    "mask_holds_values": ("create_mask_from_window__holds_the_maximum", "create_mask_from_window", True),
    "divided_by_sides": ("distribute_value__divides_by_sum", "distribute_value", False),  # 2 + 2 = 2 * 2
    "overwrites_overlaps": ("pool_backward__overwrites_overlaps", "pool_backward", True),
    "last_example_only": ("conv_backward__bias_from_last_example", "conv_backward", True),
}
#: Other answers that show a mistake of the same list.
ALSO = {"conv_backward__published_stride_less": "stride_ignored", "pool_forward__ignores_stride": "stride_ignored",
        "pool_backward__ignores_stride": "stride_ignored"}


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
    return plain(hint_text(hint, lang)) in plain(text)


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
@pytest.mark.parametrize("hint", TRIGGERS)
def test_does_the_grader_name_the_mistake(hint, lang):
    """Does the graded feedback of an answer that makes the mistake carry its hint, in the student's language?"""
    answer, fn, _ = TRIGGERS[hint]
    verdict = verdict_here(CHECKS.cell(fn, "alice"), answers_namespace(MISTAKES / f"{answer}.py"), lang)
    assert not verdict.passed
    assert shown(verdict.text, hint, lang), verdict.text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("hint", [h for h, (_, _, visible) in TRIGGERS.items() if visible])
def test_does_the_visible_check_name_the_mistake(hint, lang):
    """Does the check in the student's notebook give the same hint, from the release's fingerprints alone?"""
    answer, fn, _ = TRIGGERS[hint]
    assert shown(visible_failure(lang, answer, fn), hint, lang)


def catalogued_hints(answer: str) -> set:
    expected = {h for h, (a, _, _) in TRIGGERS.items() if a == answer}
    return expected | ({ALSO[answer]} if answer in ALSO else set())


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


def test_does_a_hint_never_show_a_hidden_expected_value():
    """Is a hidden case's failure with a hint free of the values the grader expected?"""
    verdict = verdict_here(CHECKS.cell("distribute_value", "alice"),
                           answers_namespace(MISTAKES / "distribute_value__divides_by_sum.py"), "en")
    hidden = verdict.reports[1].render("en")
    assert "expected" not in hidden and "Hint" in hidden
