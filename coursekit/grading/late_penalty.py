"""A late penalty for nbgrader's ``AssignLatePenalties``: a share of the score off per day late.

nbgrader's own plugin takes nothing or everything (``penalty_method``
``none`` or ``zero``). Set in ``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "coursekit.grading.late_penalty.LatePenalty"
    c.LatePenalty.fraction_per_day = 0.1

nbgrader records the penalty per notebook beside the score, its CSV and the
feedback page show it, and ``coursekit export`` takes it off the LMS total.
"""
from __future__ import annotations

import math

from nbgrader.plugins.latesubmission import LateSubmissionPlugin
from traitlets import Float

DAY = 24 * 3600


class LatePenalty(LateSubmissionPlugin):
    """A share of the notebook's score off for each day or part of a day late, never more than the score."""

    fraction_per_day = Float(
        0.1, min=0.0, max=1.0,
        help="The share of the score taken off for each started day past the due date (0.1: a tenth per day).",
    ).tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        days = math.ceil(total_seconds_late / DAY) if total_seconds_late > 0 else 0
        penalty = min(score, score * self.fraction_per_day * days)
        self.log.info("%s is %d day(s) late: %.2f of %.2f points off", student_id, days, penalty, score)
        return penalty
