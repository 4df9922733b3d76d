# Uses the max mask in average mode too.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, s = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    rows, cols = slice(h * s, h * s + f), slice(w * s, w * s + f)
                    if mode == "max" or mode == "average":
                        dA_prev[i, rows, cols, c] += create_mask_from_window(A_prev[i, rows, cols, c]) * dA[i, h, w, c]
                    else:
                        dA_prev[i, rows, cols, c] += distribute_value(dA[i, h, w, c], (f, f))
    return dA_prev
