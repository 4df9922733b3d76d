"""Feedback stage: the feedback page's own words, in the assignment's language.

nbgrader's feedback template writes its labels in English ("Test cell",
"Score: 2.0 / 5.0", "(Top)" ...), and ``StripHiddenTests`` writes an English
line where a hidden region was cut out.  Those words are messages like the
checks' ones: marked with ``_()`` here, extracted by ``coursekit catalogs
update`` into ``translations/messages/<lang>.po`` (this file is one of the
kit's message files), and translated there.  ``Labels`` reads the catalog of
the assignment's language and gives the template each label as HTML, with
its values (scores, cell names) isolated left to right, so that ``2.0 / 5.0``
keeps its order in a right-to-left label.
"""
from __future__ import annotations

import functools
import string
from pathlib import Path

from markupsafe import Markup, escape

from ..course import Course


def _(text: str) -> str:
    """Marks *text* as a message to translate (the catalog tools look for this name)."""
    return text


#: The labels of nbgrader's feedback page, in the order the page shows them.
LABELS = (
    # TRANSLATORS: a feedback page's label; {score} is the points, as "2.0 / 5.0" (kept left to right).
    _("Score: {score}"),
    # TRANSLATORS: a feedback page's label: a cell of checks that the grader ran.
    _("Test cell"),
    # TRANSLATORS: a feedback page's label: a code cell that the student wrote and a grader marks by hand.
    _("Coding free-response"),
    # TRANSLATORS: a feedback page's label: the answer to a written question.
    _("Written response"),
    # TRANSLATORS: a feedback page's label: a task that a grader marks by hand.
    _("Task"),
    # TRANSLATORS: a feedback page's label: a link to a grader's comment.
    _("Comment"),
    # TRANSLATORS: a feedback page's label: points taken off a submission handed in late.
    _("Late submission penalty"),
    # TRANSLATORS: a feedback page's heading over what the student wrote in a cell.
    _("Student's answer"),
    # TRANSLATORS: a feedback page's heading over a task the student did.
    _("Student's task"),
    # TRANSLATORS: a feedback page's heading; {cell} is the cell's name in code, as "test_zero_pad".
    _("Grade cell: {cell}"),
    # TRANSLATORS: a feedback page's link back to the top of the page.
    _("Top"),
    # TRANSLATORS: a feedback page's heading over a grader's comments.
    _("Comments:"),
)
#: What stands in a feedback cell where the hidden checks' code was cut out (after "# ", a Python comment).
# TRANSLATORS: a comment line in a feedback page's code cell, where the grader's hidden checks were cut out.
HIDDEN_TESTS_PLACEHOLDER = _("(hidden tests ran here; their results are below)")


class Labels:
    """The page's labels in one language: ``labels("Score: {score}", score="2.0 / 5.0")`` is HTML."""

    def __init__(self, lang: str = "en", translations: dict[str, str] | None = None, direction: str = "ltr"):
        self.lang, self.direction = lang, direction
        self.translations = translations or {}

    def text(self, msgid: str) -> str:
        """The plain text of *msgid* in this language (the English when the catalog has none)."""
        return self.translations.get(msgid) or msgid

    def __call__(self, msgid: str, **values) -> Markup:
        """*msgid* in this language as HTML; each value isolated left to right (``<bdi dir="ltr">``)."""
        fields = {name: Markup('<bdi dir="ltr">{}</bdi>').format(value) for name, value in values.items()}
        return Markup(_Formatter().vformat(self.text(msgid), (), fields))


class _Formatter(string.Formatter):
    """str.format that escapes the literal text; the fields are already HTML."""

    def parse(self, format_string):
        for literal, field, spec, conversion in super().parse(format_string):
            yield str(escape(literal)), field, spec, conversion


def labels_for(course: Course, lang: str | None) -> Labels:
    """The labels of *lang* from the course's messages catalog (English ones for the source language)."""
    lang = lang or course.source_language
    if lang == course.source_language:
        return Labels(lang, {}, course.direction(lang))
    return Labels(lang, _translations(course.catalog_path("messages", lang)), course.direction(lang))


@functools.lru_cache(maxsize=8)
def _translations_at(path: Path, mtime: float) -> dict[str, str]:
    from ..translation.catalogs import read_catalog

    wanted = set(LABELS) | {HIDDEN_TESTS_PLACEHOLDER}
    return {m.id: m.string for m in read_catalog(path)
            if m.id in wanted and m.string and not m.fuzzy}


def _translations(path: Path) -> dict[str, str]:
    """The translated labels of the catalog at *path*; none when there is no catalog."""
    path = Path(path)
    return _translations_at(path, path.stat().st_mtime) if path.exists() else {}


def assignment_labels(config, resources) -> Labels:
    """The labels of the assignment that nbgrader is giving feedback on (its language from the name)."""
    course = Course.from_config(config)
    assignment = resources.get("nbgrader", {}).get("assignment", "")
    return labels_for(course, course.language_of(assignment))
