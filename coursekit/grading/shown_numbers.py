"""Sanitize stage: are the numbers that a submission shows for the exercises on paper its own?

Each student's exercises on paper have numbers of their own, drawn from their id and the course's public
salt (``cnn_checklib/numbers.py``).  The notebook's ``your_numbers`` cell shows them, with a machine-readable
part (``MIME_TYPE``: the id and a digest of the numbers).  The grade never depends on it: the hidden checks
judge every submission against the numbers of its nbgrader student id.  But a submission that shows another
id's numbers (a classmate's notebook handed in as one's own, a typed id that is not the student's, a release
of another term) is worth a look, so this stage records an ``other_numbers`` incident for the report.

It runs in ``Autograde.sanitize_preprocessors`` before nbgrader's ``ClearOutput``, which removes the outputs
the student saw.  What it reads is the student's claim, never a verdict: it only flags.
"""
import json

from nbgrader.preprocessors import NbGraderPreprocessor

from ..course import Course
from .incidents import record_incident
from .verdict.judge import CourseChecks

#: The most of a shown id that an incident repeats.
MAX_SHOWN_ID = 60


def shown_numbers(nb, mime_type):
    """``(cell, id, code)`` of every output of *nb* that shows numbers (malformed parts as None)."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data", {}) if isinstance(output, dict) else {}
            shown = data.get(mime_type) if isinstance(data, dict) else None
            if isinstance(shown, str):
                try:
                    shown = json.loads(shown)
                except ValueError:
                    shown = None
            if shown is None and not (isinstance(data, dict) and mime_type in data):
                continue
            shown = shown if isinstance(shown, dict) else {}
            student, code = shown.get("id"), shown.get("code")
            found.append((cell, student if isinstance(student, str) else None, code if isinstance(code, str) else None))
    return found


def _shown(text):
    return repr(text if len(text) <= MAX_SHOWN_ID else text[:MAX_SHOWN_ID - 1] + "…")


class CheckShownNumbers(NbGraderPreprocessor):
    """Record an ``other_numbers`` incident for every output that shows numbers not drawn for the submission's id."""

    def preprocess(self, nb, resources):
        student = resources.get("nbgrader", {}).get("student")
        if not student:
            return nb, resources
        checks = CourseChecks.for_course(Course.from_config(self.config))
        numbers = checks.check.numbers
        own = numbers.code_of(checks.numbers(student))
        for cell, shown_id, code in shown_numbers(nb, numbers.MIME_TYPE):
            if shown_id is None or code is None:
                why = "the numbers shown cannot be read"
            elif shown_id != student:
                why = f"the numbers shown are those of the id {_shown(shown_id)}"
            elif code != own:
                why = f"the numbers shown for {_shown(shown_id)} are not the course's (another salt or release)"
            else:
                continue
            record_incident(nb, "other_numbers", cell,
                            f"{why}, not of {student!r}, the submission's; it was graded with {student!r}'s numbers")
        return nb, resources
