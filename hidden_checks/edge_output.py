"""Hidden check of exercise 9, a vertical-edge filter by hand (graded cell test_edge_output)."""
import numpy as np

import cnn_checklib as check
from cnn_checklib import Case

from .references import windows

ANSWERS = ("edge_output",)


def expected():
    """The 3 x 4 output of the 3 x 3 filter [[1, 0, -1]] * 3 on the 5 x 6 image with a bright third column."""
    image = np.zeros((1, 5, 6, 1))
    image[0, :, 2, 0] = 10.0
    kernel = np.array([[1.0, 0.0, -1.0]] * 3)
    # The filter is laid on each window as it is, as in conv_single_step: no flip.
    return np.einsum("hwij,ij->hw", windows(image, 3, 1)[0, :, :, 0], kernel)


def cases(rng):
    return [Case((), [lambda outcome: check.expect_close("edge_output", outcome.value[0], expected(), atol=1e-9,
                                                         show_values=False)])]
