# Pads only after the image, not before it.
import numpy as np

BASED_ON = "../demo_submissions/alice.en.py"


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (0, 2 * pad), (0, 2 * pad), (0, 0)))
