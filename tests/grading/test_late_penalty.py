"""The kit's late penalty plugin (coursekit/grading/late_penalty.py)."""
import pytest

from coursekit.grading.late_penalty import DAY, LatePenalty


@pytest.mark.parametrize("seconds_late, penalty", [(0, 0), (1, 2), (DAY, 2), (DAY + 1, 4), (20 * DAY, 20)])
def test_a_share_of_the_score_per_started_day(seconds_late, penalty):
    """Is a tenth of the score taken off per day or part of a day late, and never more than the score?"""
    assert LatePenalty(fraction_per_day=0.1).late_submission_penalty("s", 20.0, seconds_late) == pytest.approx(penalty)


def test_the_fraction_is_bounded():
    """Is a share above the whole score refused?"""
    from traitlets import TraitError

    with pytest.raises(TraitError):
        LatePenalty(fraction_per_day=1.5)
