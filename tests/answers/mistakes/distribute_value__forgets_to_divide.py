# Copies dz everywhere instead of sharing it.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def distribute_value(dz, shape):
    return np.ones(shape) * dz
