# Adds the bias to every product before summing, not once to the sum.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def conv_single_step(a_slice_prev, W, b):
    return float(np.sum(a_slice_prev * W + b))
