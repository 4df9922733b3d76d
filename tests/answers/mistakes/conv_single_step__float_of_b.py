# Converts the (1, 1, 1) bias with float(), as the original course did: NumPy 2 refuses it.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W)
    return Z + float(b)
