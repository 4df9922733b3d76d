"""Hidden checks of exercise 14, pooling a small input by hand (graded cell test_pooling_by_hand)."""
import numpy as np

import cnn_checklib as check
from cnn_checklib import Case

ANSWERS = ("max_pooled", "average_pooled")
#: The student's numbers of this exercise: numbers["pooling"] (cnn_checklib/numbers.py).
NUMBERS = "pooling"


def cases(rng, numbers):
    A, f, stride = np.asarray(numbers["A"], dtype=np.float64), numbers["f"], numbers["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(A, (f, f))[::stride, ::stride]
    return [
        Case((), [lambda outcome: check.expect_close("max_pooled", outcome.value[0], windows.max(axis=(2, 3)),
                                                     atol=1e-9, show_values=False)]),
        Case((), [lambda outcome: check.expect_close("average_pooled", outcome.value[1], windows.mean(axis=(2, 3)),
                                                     atol=1e-9, show_values=False)]),
    ]
