"""Hidden checks of exercise 13, backpropagation through global average pooling (graded cell test_gap_backprop).

The expected gradients are central differences of L, not the result of a formula.
"""
import numpy as np

import cnn_checklib as check
from cnn_checklib import Case

from .common import numerical_gradient

ANSWERS = ("gap_O", "gap_L", "gap_dF", "gap_dX")
#: The student's numbers of this exercise: numbers["gap"] (cnn_checklib/numbers.py).
NUMBERS = "gap"


def forward(X, F):
    """O: F laid on every window of X; L: the mean of O."""
    out = np.einsum("hwij,ij->hw", np.lib.stride_tricks.sliding_window_view(X, F.shape), F)
    return out, float(out.mean())


def cases(rng, numbers):
    X = np.asarray(numbers["X"], dtype=np.float64)
    F = np.asarray(numbers["F"], dtype=np.float64)
    O, L = forward(X, F)
    dF = numerical_gradient(lambda: forward(X, F)[1], F)
    dX = numerical_gradient(lambda: forward(X, F)[1], X)
    return [
        Case((), [lambda outcome: check.expect_close("gap_O", outcome.value[0], O, atol=1e-9, show_values=False)]),
        Case((), [lambda outcome: check.expect_scalar("gap_L", outcome.value[1], L, atol=1e-9, show_values=False)]),
        Case((), [lambda outcome: check.expect_close("gap_dF", outcome.value[2], dF, atol=1e-6, show_values=False)]),
        Case((), [lambda outcome: check.expect_close("gap_dX", outcome.value[3], dX, atol=1e-6, show_values=False)]),
    ]
