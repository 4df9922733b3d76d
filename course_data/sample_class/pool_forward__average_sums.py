# Sums the window in average mode instead of taking its mean.
import numpy as np

BASED_ON = "../demo_submissions/alice.en.py"


def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, s = hparameters["f"], hparameters["stride"]
    n_H, n_W = (n_H_prev - f) // s + 1, (n_W_prev - f) // s + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            window = A_prev[:, h * s:h * s + f, w * s:w * s + f, :]
            A[:, h, w, :] = window.max(axis=(1, 2)) if mode == "max" else window.sum(axis=(1, 2))
    return A, (A_prev, hparameters)
