"""Hidden checks of exercise 12, a 1 x 1 convolution (graded cell test_one_by_one)."""
import cnn_checklib as check
from cnn_checklib import Case

ANSWERS = ("one_by_one_shape", "one_by_one_reason")


def cases(rng):
    side = (28 - 1) // 1 + 1  # a 1 x 1 filter, stride 1, no padding: the height and the width stay
    return [
        Case((), [lambda outcome: check.expect_int("one_by_one_shape", outcome.value[0], (side, side, 32),
                                                   show_values=False)]),
        # fewer channels, mixed at each position: the point of a 1 x 1 convolution
        Case((), [lambda outcome: check.expect_int("one_by_one_reason", outcome.value[1], 2, show_values=False)]),
    ]
