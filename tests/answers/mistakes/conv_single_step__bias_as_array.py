# Adds the (1, 1, 1) bias array, so Z is an array, not a number.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def conv_single_step(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W) + b
