"""The Persian feedback page reads right: its output lines, its inline code and its own labels.

These tests render pages with the kit's exporter and nbgrader's feedback
template from small notebooks, and read the catalogs of the repository;
tests/browser/test_student_view.py measures a real page in Chromium.
"""
from __future__ import annotations

import re

import polib
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursekit import lab_style
from coursekit.feedback.bidi_lines import LRI, LRM, PDI, RLI, RLM, line_direction, mark_line, mark_lines
from coursekit.feedback.labels import HIDDEN_TESTS_PLACEHOLDER, LABELS, Labels, labels_for
from coursekit.feedback.language import FeedbackLanguage
from coursekit.feedback.strip_hidden_tests import StripHiddenTests
from scratch import COURSE
from test_feedback_page import render

#: A verdict line as cnn_checks writes it in Persian: the whole line isolated right to left, values left to right.
HEADER = f"{RLI}{LRI}conv_single_step{PDI}: از {LRI}1{PDI} بررسی، {LRI}1{PDI} مورد ناموفق بود.{PDI}"
HINT = f"{RLI}  راهنمایی: عدد را با {LRI}b.item(){PDI} بیرون بکشید.{PDI}"


# --- each output line in its own direction ------------------------------------------------------------------

def test_is_a_line_that_is_one_right_to_left_isolate_right_to_left():
    """Is a line that cnn_checks isolated right to left as a whole taken as right to left, though the Unicode
    rule skips isolates and finds no strong letter outside it?"""
    assert line_direction(HEADER) == "rtl" and line_direction(HINT) == "rtl"


@pytest.mark.parametrize("line, direction", [
    ("x.shape = (4, 3, 3, 2)", "ltr"),
    ("[[0. 0.]", None),
    ("راهنمایی: b", "rtl"),
    (f"{LRI}x_pad{PDI} نادرست است", "rtl"),  # the isolated code name does not decide
    (f"{LRI}متن{PDI} x", "ltr"),
])
def test_is_a_line_direction_that_of_its_first_strong_letter_outside_isolates(line, direction):
    """Does a line take the direction of its first strong letter, with isolated runs skipped?"""
    assert line_direction(line) == direction


def test_does_a_persian_verdict_line_starting_with_a_code_name_get_a_right_to_left_mark():
    """Chromium takes the first strong letter even inside an isolate: does a verdict line whose first letter is
    a code name get U+200F in front, and an English line nothing?"""
    assert mark_line(HEADER) == RLM + HEADER
    assert mark_line("x.shape = (4, 3, 3, 2)") == "x.shape = (4, 3, 3, 2)"
    assert mark_line(f"{LRI}متن{PDI} x") == LRM + f"{LRI}متن{PDI} x"
    assert mark_line(RLM + HEADER) == RLM + HEADER  # marked once


def test_are_the_lines_of_an_output_marked_one_by_one_and_its_line_breaks_kept():
    """Is each line of a whole output marked on its own, with empty lines and the final newline kept?"""
    text = f"{HEADER}\n\nx = 1\n{HINT}\n"
    assert mark_lines(text) == f"{RLM}{HEADER}\n\nx = 1\n{RLM}{HINT}\n"


def test_does_every_right_to_left_line_not_opened_by_a_persian_letter_get_its_mark():
    """A right-to-left isolate holding isolated code (what your_numbers prints first): is it marked, and is a
    line that a Persian letter opens left alone?"""
    numbers = f"{RLI}عددهای شما، برای شناسهٔ {LRI}student-7{PDI} (کد {LRI}bc96f6eec5{PDI}):{PDI}"
    assert mark_lines(numbers) == RLM + numbers
    assert mark_lines("راهنمایی: b.item()") == "راهنمایی: b.item()"


def error_page(lang: str = "fa") -> str:
    nb = new_notebook(cells=[new_code_cell("check.conv_single_step(conv_single_step)", outputs=[
        new_output("error", ename="CheckFailed", evalue="", traceback=[f"{HEADER}\n{HINT}"]),
        new_output("stream", name="stdout", text=f"{HEADER}\nx = 1\n")])])
    html, _ = render(lang, nb=nb)
    return html


def test_does_the_page_mark_the_lines_of_error_and_stream_outputs():
    """In the page, does each Persian verdict line of an error and of a stream output carry its mark?"""
    html = error_page()
    assert html.count(RLM + HEADER) == 2
    assert "\nx = 1" in html and RLM + "x = 1" not in html


# --- the stylesheet ------------------------------------------------------------------------------------------

def rules(css: str) -> dict[str, str]:
    """``{selector list: declarations}`` of a stylesheet without nesting (comments removed)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return {" ".join(sel.split()): body.strip() for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)}


def test_does_the_stylesheet_wrap_output_lines_and_start_each_at_its_own_side():
    """Do output lines, in JupyterLab and in nbconvert's pages, wrap between words and take each its own
    direction and start edge?"""
    found = {sel: body for sel, body in rules(lab_style.stylesheet()).items() if "pre" in sel and "output" in sel.lower()}
    assert found, "no rule for output text"
    selectors, body = next(iter(found.items()))
    assert ".jp-OutputArea-output" in selectors and "div.output_area" in selectors
    for declaration in ("unicode-bidi: plaintext", "text-align: start", "white-space: pre-wrap",
                        "overflow-wrap: anywhere", "word-break: normal"):
        assert declaration in body


def test_does_the_stylesheet_isolate_inline_code_in_right_to_left_prose():
    """Is inline code in a right-to-left block (JupyterLab's and nbconvert's) an isolated left-to-right run?"""
    code = [body for sel, body in rules(lab_style.stylesheet()).items() if "code" in sel and '[dir="rtl"]' in sel]
    assert len(code) == 1
    assert "direction: ltr" in code[0] and "unicode-bidi: isolate" in code[0]


# --- the page's labels in the assignment's language ----------------------------------------------------------

#: English words of nbgrader's feedback page that a Persian or Turkish page must not show.
ENGLISH_LABELS = ["Test cell", "Written response", "Student's answer", "Score:", "(Top)", "Grade cell",
                  "hidden tests ran here"]


def graded_notebook():
    """A small graded notebook: a written answer, a test cell whose hidden region was cut out, a task."""
    def meta(**nbgrader):
        return {"nbgrader": {"schema_version": 3, "locked": False, "solution": False, "grade": False,
                             "task": False, "score": 1.0, "points": 2.0, **nbgrader}}
    return new_notebook(cells=[
        new_markdown_cell('<div dir="rtl" lang="fa">\n\nخروجی `(28, 28, 16)` است.\n\n</div>',
                          metadata=meta(grade_id="answer_pooling", solution=True, grade=True)),
        new_code_cell("check.zero_pad(zero_pad)\n### BEGIN HIDDEN TESTS\n_hidden_checks.run('zero_pad')\n"
                      "### END HIDDEN TESTS", metadata=meta(grade_id="test_zero_pad", grade=True, locked=True)),
        new_markdown_cell("a task", metadata=meta(grade_id="task_1", task=True)),
    ])


def feedback_page(lang: str) -> str:
    """The feedback page of graded_notebook() for the assignment of *lang*, as GenerateFeedback makes it."""
    from nbgrader.converters import GenerateFeedback

    converter = GenerateFeedback(coursedir=COURSE.coursedir, config=COURSE.config)
    exporter = converter.exporter_class(config=converter.config)
    for stage in (StripHiddenTests, FeedbackLanguage):
        exporter.register_preprocessor(stage(config=converter.config), enabled=True)
    grades = {"assignment": COURSE.assignment_for(lang), "notebook": COURSE.notebook, "score": 3.0,
              "max_score": 6.0, "late_penalty": 0}
    html, _ = exporter.from_notebook_node(graded_notebook(), resources={"nbgrader": grades})
    return html


def catalog(lang: str) -> dict[str, str]:
    return {e.msgid: e.msgstr for e in polib.pofile(str(COURSE.catalog_path("messages", lang)))
            if e.msgstr and "fuzzy" not in e.flags and not e.obsolete}


@pytest.mark.parametrize("lang", ["fa", "tr"])
def test_does_the_feedback_page_show_its_labels_and_placeholder_in_the_assignments_language(lang):
    """Does a Persian or Turkish feedback page write nbgrader's labels and the hidden-tests line from the
    catalog, with no English label left?"""
    html = feedback_page(lang)
    text = re.sub(r"<[^>]+>", "", html)
    left = [word for word in ENGLISH_LABELS if word in text]
    assert left == [], f"English left in the {lang} page: {left}"
    translated = catalog(lang)
    for msgid in ("Test cell", "Written response", "Student's answer", "Top", HIDDEN_TESTS_PLACEHOLDER):
        assert translated[msgid] in text, msgid
    assert "# " + translated[HIDDEN_TESTS_PLACEHOLDER] in text


def test_does_the_english_page_keep_nbgraders_labels():
    """Does an English feedback page still say "Test cell", "Score:" and "(Top)"?"""
    text = re.sub(r"<[^>]+>", "", feedback_page("en"))
    for word in ("Test cell", "Written response", "Student's answer", "Score:", "(Top)",
                 "# (hidden tests ran here; their results are below)"):
        assert word in text


def test_are_the_persian_headings_right_to_left_and_the_scores_isolated():
    """In the Persian page, are the headings and the table of contents right to left, and each score
    "1.0 / 2.0" an isolated left-to-right run?"""
    html = feedback_page("fa")
    headings = re.findall(r'<div class="panel-heading"([^>]*)>', html)
    assert len(headings) >= 3 and all('dir="rtl"' in h for h in headings)
    assert re.search(r'نمره: <bdi dir="ltr">1\.0 / 2\.0</bdi>', html)
    assert re.search(r'<bdi dir="ltr"><code>test_zero_pad</code></bdi>', html)
    turkish = re.findall(r'<div class="panel-heading"([^>]*)>', feedback_page("tr"))
    assert turkish and all('dir="ltr"' in h for h in turkish)


def test_does_a_label_escape_its_translation_and_its_values():
    """Is a label HTML with its text and values escaped (a translation cannot inject markup)?"""
    labels = Labels("xx", {"Score: {score}": "<b>S</b>: {score}"})
    assert str(labels("Score: {score}", score="<1>")) == '&lt;b&gt;S&lt;/b&gt;: <bdi dir="ltr">&lt;1&gt;</bdi>'


@pytest.mark.parametrize("lang", ["fa", "tr"])
def test_is_every_label_translated_in_the_catalogs(lang):
    """Does the messages catalog of each language translate every label of the page (no fuzzy entry)?"""
    labels = labels_for(COURSE, lang)
    missing = [msgid for msgid in (*LABELS, HIDDEN_TESTS_PLACEHOLDER) if msgid not in labels.translations]
    assert missing == []
    assert labels.direction == ("rtl" if lang == "fa" else "ltr")
