# Shares the value out with //, which rounds every share down to a whole number.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def distribute_value(dz, shape):
    n_H, n_W = shape
    average = dz // (n_H * n_W)
    return np.ones(shape) * average
