"""Feedback stage: the feedback page says which language it is in, speaks it, and lays it out.

nbgrader's feedback template writes a bare ``<html>`` and English labels.
This preprocessor runs in ``GenerateFeedback`` and puts the language of the
graded assignment (``cnn_step_by_step_fa`` -> ``fa``) in
``resources["language_code"]``, its direction in
``resources["language_direction"]`` and its labels (``labels``) in
``resources["feedback_labels"]``; the template
``feedback/templates/feedback/feedback_language.html.j2`` extends nbgrader's
feedback template, writes ``<html lang="...">`` and the labels in that
language, right to left in Persian.  The right-to-left layout of the prose
comes from the ``<div dir="rtl">`` that the build put around each Persian
markdown cell, which the feedback keeps, and from the kit's stylesheet
(``coursekit.lab_style``, the one JupyterLab gets), which the page inlines:
it also wraps output lines and isolates inline code.  Each output line is
given its direction (``bidi_lines``).  Formulas are typeset offline
(``offline_math``).
"""
from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from .. import lab_style
from ..course import Course
from .bidi_lines import mark_lines
from .labels import Labels, labels_for
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
    pages with.  Its templates see the page's stylesheet, MathJax's URL and
    the ``bidi_lines`` filter; the labels are English until ``FeedbackLanguage``
    sets them.  MathJax's files go beside the page.
    """

    def _create_environment(self):
        environment = super()._create_environment()
        environment.globals.update(offline_mathjax_url=mathjax_url(), rtl_stylesheet=lab_style.stylesheet())
        environment.filters["bidi_lines"] = mark_lines
        return environment

    def from_notebook_node(self, nb, resources=None, **kwargs):
        resources = dict(resources or {})
        resources.setdefault("feedback_labels", Labels())
        resources.setdefault("language_direction", "ltr")
        output, resources = super().from_notebook_node(nb, resources, **kwargs)
        # nbgrader's writer saves resources["outputs"] beside the page.
        resources.setdefault("outputs", {}).update(mathjax_files())
        return output, resources


class FeedbackLanguage(NbGraderPreprocessor):
    """Set the feedback page's language, its direction and its labels from the assignment's language suffix."""

    default_language = Unicode(
        "en", help="The language of an assignment that is no language version of the master (see c.Course.languages).",
    ).tag(config=True)

    def language(self, resources) -> str:
        """The language of the assignment named in *resources* (``cnn_step_by_step_fa`` -> ``fa``)."""
        assignment = resources.get("nbgrader", {}).get("assignment", "")
        return Course.from_config(self.config).language_of(assignment) or self.default_language

    def labels(self, resources) -> Labels:
        """The page's labels in the assignment's language, from the course's messages catalog."""
        return labels_for(Course.from_config(self.config), self.language(resources))

    def preprocess(self, nb, resources):
        labels = self.labels(resources)
        resources["language_code"] = labels.lang
        resources["language_direction"] = labels.direction
        resources["feedback_labels"] = labels
        return nb, resources
