"""The reference implementations, vectorised: what every hidden case compares with.

Grader-only: this package is never copied into a release, an autograded or a
feedback folder, and no sandbox can see it.  The shapes follow the notebook's
docstrings: batches are (m, n_H, n_W, n_C), filters (f, f, n_C_prev, n_C).
"""
import numpy as np


def windows(A, f, stride):
    """(m, n_H, n_W, n_C, f, f): the f x f window of A under every output position."""
    return np.lib.stride_tricks.sliding_window_view(A, (f, f), axis=(1, 2))[:, ::stride, ::stride]


def zero_pad(X, pad):
    """X of shape (m, n_H, n_W, n_C) -> (m, n_H + 2 pad, n_W + 2 pad, n_C)."""
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def conv_single_step(a_slice_prev, W, b):
    """a_slice_prev and W of shape (f, f, n_C_prev), b of size 1 -> a float."""
    return float(np.einsum("ijc,ijc->", a_slice_prev, W)) + float(np.asarray(b).reshape(-1)[0])


def conv_forward(A_prev, W, b, hparameters):
    """A_prev (m, n_H_prev, n_W_prev, n_C_prev), W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C) -> Z (m, n_H, n_W, n_C)."""
    f = W.shape[0]
    win = windows(zero_pad(A_prev, hparameters["pad"]), f, hparameters["stride"])
    return np.einsum("mhwcij,ijcn->mhwn", win, W) + b.reshape(1, 1, 1, -1)


def pool_forward(A_prev, hparameters, mode="max"):
    """A_prev (m, n_H_prev, n_W_prev, n_C) -> A (m, n_H, n_W, n_C)."""
    win = windows(A_prev, hparameters["f"], hparameters["stride"])
    return win.max(axis=(4, 5)) if mode == "max" else win.mean(axis=(4, 5))


def conv_backward(dZ, cache):
    """dZ (m, n_H, n_W, n_C) and the forward cache -> dA_prev, dW, db shaped like A_prev, W, b."""
    A_prev, W, b, hparameters = cache
    f, s, p = W.shape[0], hparameters["stride"], hparameters["pad"]
    A_pad = zero_pad(A_prev, p)
    dA_pad, dW = np.zeros(A_pad.shape), np.zeros(W.shape)
    for h in range(dZ.shape[1]):
        for w in range(dZ.shape[2]):
            rows, cols = slice(h * s, h * s + f), slice(w * s, w * s + f)
            dA_pad[:, rows, cols, :] += np.einsum("ijcn,mn->mijc", W, dZ[:, h, w, :])
            dW += np.einsum("mijc,mn->ijcn", A_pad[:, rows, cols, :], dZ[:, h, w, :])
    n_H_prev, n_W_prev = A_prev.shape[1:3]
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1)
    return dA_pad[:, p:p + n_H_prev, p:p + n_W_prev, :], dW, db


def create_mask_from_window(x):
    """x of shape (f, f) -> a boolean mask, True where x is largest."""
    return x == x.max()


def distribute_value(dz, shape):
    """A number -> an array of *shape* (n_H, n_W) whose entries are equal and sum to dz."""
    return np.ones(shape) * (dz / (shape[0] * shape[1]))


def pool_backward(dA, cache, mode="max"):
    """dA (m, n_H, n_W, n_C) and the forward cache -> dA_prev shaped like A_prev."""
    A_prev, hparameters = cache
    f, s = hparameters["f"], hparameters["stride"]
    dA_prev = np.zeros(A_prev.shape)
    for h in range(dA.shape[1]):
        for w in range(dA.shape[2]):
            rows, cols = slice(h * s, h * s + f), slice(w * s, w * s + f)
            if mode == "max":
                window = A_prev[:, rows, cols, :]
                mask = window == window.max(axis=(1, 2), keepdims=True)
                dA_prev[:, rows, cols, :] += mask * dA[:, h:h + 1, w:w + 1, :]
            else:
                dA_prev[:, rows, cols, :] += dA[:, h:h + 1, w:w + 1, :] / (f * f)
    return dA_prev


# --- the helpers the grader answers for while a function that calls them runs ----------
class Refused(ValueError):
    """Arguments unlike any the assignment's functions pass: the grader does not compute them."""


#: The largest result the grader computes for a helper question, in elements and in bytes (as float64).
#: It is checked before anything is allocated: a question cannot make the grader build a large array.
MAX_RESULT_ELEMENTS = 10**6
MAX_RESULT_BYTES = 8 * MAX_RESULT_ELEMENTS


def _array(value, max_size=10**6):
    if type(value) is not np.ndarray or value.dtype.kind not in "biuf" or value.size > max_size:
        raise Refused("expects a numpy array of numbers of reasonable size")
    return value


def _small_int(value, low, high):
    if type(value) not in (int, np.int64, np.int32) or not low <= int(value) <= high:
        raise Refused(f"expects a whole number from {low} to {high}")
    return int(value)


def _bounded_result(shape, itemsize=8):
    """Refuse a question whose result, of *shape*, would pass the bounds (before it is made)."""
    elements = 1
    for n in shape:
        elements *= int(n)
    if elements > MAX_RESULT_ELEMENTS or elements * itemsize > MAX_RESULT_BYTES:
        raise Refused(f"would return {elements} numbers; it answers for at most {MAX_RESULT_ELEMENTS}")


def helper_zero_pad(X, pad):
    X = _array(X)
    if X.ndim != 4:
        raise Refused("expects X of shape (m, n_H, n_W, n_C)")
    pad = _small_int(pad, 0, 64)
    m, n_H, n_W, n_C = X.shape
    _bounded_result((m, n_H + 2 * pad, n_W + 2 * pad, n_C), max(X.dtype.itemsize, 8))
    return zero_pad(X, pad)


def helper_conv_single_step(a_slice_prev, W, b):
    a, W = _array(a_slice_prev, 10**5), _array(W, 10**5)
    b = np.asarray(b) if type(b) is np.ndarray or type(b) in (float, np.float64) else None
    if b is None or b.size != 1:
        raise Refused("expects b holding one number")
    if a.shape != W.shape:
        raise Refused("expects a_slice_prev and W of the same shape")
    return conv_single_step(a, W, b)


def helper_create_mask_from_window(x):
    return create_mask_from_window(_array(x, 10**5))


def helper_distribute_value(dz, shape):
    if type(dz) not in (int, float, np.float64, np.int64) or type(shape) is not tuple or len(shape) != 2:
        raise Refused("expects a number and a shape (n_H, n_W)")
    shape = tuple(_small_int(n, 1, 1000) for n in shape)
    _bounded_result(shape)
    return distribute_value(float(dz), shape)


#: What the grader computes when a function under test calls one of these helpers.
HELPERS = {
    "zero_pad": helper_zero_pad,
    "conv_single_step": helper_conv_single_step,
    "create_mask_from_window": helper_create_mask_from_window,
    "distribute_value": helper_distribute_value,
}
