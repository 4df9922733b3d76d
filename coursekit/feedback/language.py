"""Feedback stage: the feedback page says which language it is in, and lays it out.

nbgrader's feedback template writes a bare ``<html>``.  This preprocessor runs
in ``GenerateFeedback`` and puts the language of the graded assignment
(``cnn_step_by_step_fa`` -> ``fa``) in ``resources["language_code"]``; the
template ``feedback/templates/feedback/feedback_language.html.j2`` extends nbgrader's
feedback template and writes it as ``<html lang="...">``.  The right-to-left
layout itself comes from the ``<div dir="rtl">`` that the build put around
each Persian markdown cell, which the feedback keeps, and from the kit's
stylesheet (``coursekit.lab_style``, the one JupyterLab gets), which the page
inlines.  Formulas are typeset offline (``offline_math``).
"""
from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from .. import lab_style
from ..course import Course
from .offline_math import mathjax_files, mathjax_url

#: Template folders for ``HTMLExporter.extra_template_basedirs``: the kit's
#: first, then nbgrader's, whose ``feedback/index.html.j2`` the kit's extends.
TEMPLATE_DIRS = [
    str(Path(__file__).resolve().parent / "templates"),
    str(Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"),
]
#: For ``HTMLExporter.template_file``: found in the kit's ``templates/feedback/``.
TEMPLATE_FILE = "feedback_language.html.j2"


class FeedbackHTMLExporter(HTMLExporter):
    """The exporter of ``GenerateFeedback`` only.

    Its own class name lets nbgrader_config.py give it the kit's template
    without touching ``HTMLExporter``, which formgrader renders its grading
    pages with.  Its templates see the page's stylesheet and MathJax's URL;
    MathJax's files go beside the page.
    """

    def _create_environment(self):
        environment = super()._create_environment()
        environment.globals.update(offline_mathjax_url=mathjax_url(), rtl_stylesheet=lab_style.stylesheet())
        return environment

    def from_notebook_node(self, nb, resources=None, **kwargs):
        output, resources = super().from_notebook_node(nb, resources, **kwargs)
        # nbgrader's writer saves resources["outputs"] beside the page.
        resources.setdefault("outputs", {}).update(mathjax_files())
        return output, resources


class FeedbackLanguage(NbGraderPreprocessor):
    """Set the feedback page's language from the assignment's language suffix."""

    default_language = Unicode(
        "en", help="The language of an assignment that is no language version of the master (see c.Course.languages).",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        assignment = resources.get("nbgrader", {}).get("assignment", "")
        resources["language_code"] = Course.from_config(self.config).language_of(assignment) or self.default_language
        return nb, resources
