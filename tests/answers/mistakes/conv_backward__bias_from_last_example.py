# Keeps only the last example's contribution to db.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    f, s, pad = W.shape[0], hparameters["stride"], hparameters["pad"]
    m, n_H, n_W, n_C = dZ.shape
    n_H_prev, n_W_prev = A_prev.shape[1:3]
    A_pad = zero_pad(A_prev, pad)
    dA_pad = np.zeros(A_pad.shape)
    dW, db = np.zeros(W.shape), np.zeros(b.shape)
    for h in range(n_H):
        for w in range(n_W):
            rows, cols = slice(h * s, h * s + f), slice(w * s, w * s + f)
            dA_pad[:, rows, cols, :] += np.einsum("ijcn,mn->mijc", W, dZ[:, h, w, :])
            dW += np.einsum("mijc,mn->ijcn", A_pad[:, rows, cols, :], dZ[:, h, w, :])
    db[0, 0, 0, :] = dZ[-1].sum(axis=(0, 1))
    return dA_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :], dW, db
