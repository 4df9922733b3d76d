# Forgets the bias.
import numpy as np

BASED_ON = "../demo_submissions/alice.en.py"


def conv_single_step(a_slice_prev, W, b):
    return float(np.sum(a_slice_prev * W))
