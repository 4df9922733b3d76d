"""FeedbackLanguage and the feedback template: the page says which language it is in.

The preprocessor reads the assignment's language from the course's
configuration; the exporter writes it on ``<html>``.  No grading happens.
"""
import re

import pytest
from nbformat.v4 import new_markdown_cell, new_notebook
from traitlets.config import Config

from coursekit.feedback.language import FeedbackHTMLExporter, FeedbackLanguage
from scratch import COURSE


def language(assignment, **options):
    """``resources["language_code"]`` after FeedbackLanguage, for *assignment* in a course configured by *options*."""
    config = Config()
    for name, value in options.items():
        cls, _, trait = name.partition("__")
        config[cls][trait] = value
    resources = {"nbgrader": {"assignment": assignment, "student": "alice", "notebook": "cnn_step_by_step"}}
    return FeedbackLanguage(config=config).preprocess(new_notebook(), resources)[1]["language_code"]


@pytest.mark.parametrize("lang", ["en", "fa", "tr"])
def test_is_the_language_that_of_the_assignment(lang):
    """Does cnn_step_by_step_<lang> give the language <lang>?"""
    assert language(f"cnn_step_by_step_{lang}") == lang


def test_is_the_language_found_for_a_course_of_another_name():
    """Does a course configured with another master (c.Course.master) get its languages from that name?"""
    assert language("convolutions_fa", Course__master="convolutions") == "fa"


def test_is_a_language_that_is_not_configured_the_default():
    """Does an assignment suffix that is no configured language (c.Course.languages) give the default?"""
    assert language("cnn_step_by_step_de", Course__languages=["en", "fa"]) == "en"


def test_is_an_assignment_that_is_no_language_version_the_default():
    """Does an assignment without a language suffix give c.FeedbackLanguage.default_language?"""
    assert language("homework1", FeedbackLanguage__default_language="tr") == "tr"


def test_does_the_feedback_page_carry_the_language_on_html():
    """With the course's configuration, does the feedback exporter write <html lang="fa"> for a Persian assignment?"""
    from nbgrader.converters import GenerateFeedback

    # nbgrader's converter adds its template and style folders to the course's configuration,
    # and runs its stages (FeedbackLanguage among them) inside the exporter, after it has set up the resources.
    converter = GenerateFeedback(coursedir=COURSE.coursedir, config=COURSE.config)
    exporter = converter.exporter_class(config=converter.config)
    exporter.register_preprocessor(FeedbackLanguage(config=converter.config), enabled=True)
    grades = {"assignment": COURSE.assignment_for("fa"), "notebook": COURSE.notebook, "score": 0, "max_score": 0,
              "late_penalty": 0}  # as GetGrades leaves them
    nb = new_notebook(cells=[new_markdown_cell("سلام")])
    html, _ = exporter.from_notebook_node(nb, resources={"nbgrader": grades})
    assert type(exporter) is FeedbackHTMLExporter
    assert re.findall(r"<html[^>]*>", html) == ['<html lang="fa">']
