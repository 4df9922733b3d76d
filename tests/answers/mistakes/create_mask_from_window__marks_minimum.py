# Marks the minimum instead of the maximum.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def create_mask_from_window(x):
    return x == np.min(x)
