"""Hidden check of exercise 9, a vertical-edge filter by hand (graded cell test_edge_output)."""
import numpy as np

import cnn_checklib as check
from cnn_checklib import Case

from .references import windows

ANSWERS = ("edge_output",)
#: The student's numbers of this exercise: numbers["edge"] (cnn_checklib/numbers.py).
NUMBERS = "edge"


def expected(numbers):
    """The output of the student's 3 x 3 filter K on their image X: no padding, stride 1."""
    image = np.asarray(numbers["X"], dtype=np.float64)[None, :, :, None]
    kernel = np.asarray(numbers["K"], dtype=np.float64)
    # The filter is laid on each window as it is, as in conv_single_step: no flip.
    return np.einsum("hwij,ij->hw", windows(image, kernel.shape[0], 1)[0, :, :, 0], kernel)


def cases(rng, numbers):
    want = expected(numbers)
    return [Case((), [lambda outcome: check.expect_close("edge_output", outcome.value[0], want, atol=1e-9,
                                                         show_values=False)])]
