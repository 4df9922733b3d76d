# Converts the bias with np.float, an alias NumPy no longer has.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W)
    return Z + np.float(b)
