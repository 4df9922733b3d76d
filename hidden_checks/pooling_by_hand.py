"""Hidden checks of exercise 14, pooling a 4 x 4 input by hand (graded cell test_pooling_by_hand)."""
import numpy as np

import cnn_checklib as check
from cnn_checklib import Case

ANSWERS = ("max_pooled", "average_pooled")
A = np.array([[2.0, 3.0, 1.0, 9.0], [4.0, 7.0, 3.0, 5.0], [8.0, 2.0, 2.0, 2.0], [1.0, 3.0, 4.0, 5.0]])


def cases(rng):
    windows = np.lib.stride_tricks.sliding_window_view(A, (2, 2))[::2, ::2]  # f = 2, stride 2
    return [
        Case((), [lambda outcome: check.expect_close("max_pooled", outcome.value[0], windows.max(axis=(2, 3)),
                                                     atol=1e-9, show_values=False)]),
        Case((), [lambda outcome: check.expect_close("average_pooled", outcome.value[1], windows.mean(axis=(2, 3)),
                                                     atol=1e-9, show_values=False)]),
    ]
