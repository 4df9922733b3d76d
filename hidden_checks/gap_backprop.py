"""Hidden checks of exercise 13, backpropagation through global average pooling (graded cell test_gap_backprop).

The expected gradients are central differences of L, not the result of a formula.
"""
import numpy as np

import cnn_checklib as check
from cnn_checklib import Case

from .common import numerical_gradient

ANSWERS = ("gap_O", "gap_L", "gap_dF", "gap_dX")
X = np.array([[1.0, 2.0, 0.0], [3.0, 1.0, 2.0], [0.0, 2.0, 1.0]])
F = np.array([[1.0, -1.0], [2.0, 0.0]])


def forward(X, F):
    """O (2 x 2): F laid on every 2 x 2 window of X; L: the mean of O."""
    out = np.einsum("hwij,ij->hw", np.lib.stride_tricks.sliding_window_view(X, (2, 2)), F)
    return out, float(out.mean())


def cases(rng):
    X2, F2 = X.copy(), F.copy()
    O, L = forward(X2, F2)
    dF = numerical_gradient(lambda: forward(X2, F2)[1], F2)
    dX = numerical_gradient(lambda: forward(X2, F2)[1], X2)
    return [
        Case((), [lambda outcome: check.expect_close("gap_O", outcome.value[0], O, atol=1e-9, show_values=False)]),
        Case((), [lambda outcome: check.expect_scalar("gap_L", outcome.value[1], L, atol=1e-9, show_values=False)]),
        Case((), [lambda outcome: check.expect_close("gap_dF", outcome.value[2], dF, atol=1e-6, show_values=False)]),
        Case((), [lambda outcome: check.expect_close("gap_dX", outcome.value[3], dX, atol=1e-6, show_values=False)]),
    ]
