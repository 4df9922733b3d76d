# Keeps the largest value itself in the mask instead of True.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def create_mask_from_window(x):
    return x * (x == np.max(x))
