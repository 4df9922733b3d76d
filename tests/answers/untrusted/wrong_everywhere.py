# Every function wrong (None or zeros of the wrong kind), every exercise unanswered: the base of the answers in
# this folder, each of which adds one way of tampering with the grading. None of them may earn a point.
import numpy as np


def zero_pad(X, pad):
    return X


def conv_single_step(a_slice_prev, W, b):
    return 0.0


def conv_forward(A_prev, W, b, hparameters):
    return np.zeros(1), (A_prev, W, b, hparameters)


def pool_forward(A_prev, hparameters, mode="max"):
    return np.zeros(1), (A_prev, hparameters)


def conv_backward(dZ, cache):
    return None, None, None


def create_mask_from_window(x):
    return np.zeros(x.shape, dtype=bool)


def distribute_value(dz, shape):
    return np.zeros(shape)


def pool_backward(dA, cache, mode="max"):
    return np.zeros(1)
