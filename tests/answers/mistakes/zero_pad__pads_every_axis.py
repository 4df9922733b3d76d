# Pads the batch and channel axes too.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def zero_pad(X, pad):
    return np.pad(X, pad)
