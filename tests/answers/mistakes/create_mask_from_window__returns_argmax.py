# Returns the flat index of the maximum, not a mask.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def create_mask_from_window(x):
    return np.argmax(x)
