"""Hidden checks of exercise 12, a 1 x 1 convolution (graded cell test_one_by_one)."""
import cnn_checklib as check
from cnn_checklib import Case

ANSWERS = ("one_by_one_shape", "one_by_one_reason")
#: The student's numbers of this exercise: numbers["one_by_one"] (cnn_checklib/numbers.py).
NUMBERS = "one_by_one"


def expected(numbers):
    side = (numbers["height"] - 1) // 1 + 1  # a 1 x 1 filter, stride 1, no padding: the height and the width stay
    return (side, side, numbers["filters"])


def cases(rng, numbers):
    shape = expected(numbers)
    return [
        Case((), [lambda outcome: check.expect_int("one_by_one_shape", outcome.value[0], shape, show_values=False)]),
        # fewer channels, mixed at each position: the point of a 1 x 1 convolution
        Case((), [lambda outcome: check.expect_int("one_by_one_reason", outcome.value[1], 2, show_values=False)]),
    ]
