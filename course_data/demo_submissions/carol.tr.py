# Demo submission, Turkish notebook: complete, with three mistakes students often make.
import numpy as np

BASED_ON = "alice.en.py"


def conv_single_step(a_slice_prev, W, b):
    # Mistake: adds the (1, 1, 1) bias array, so Z is an array, not a number.
    return np.sum(a_slice_prev * W) + b


def distribute_value(dz, shape):
    # Mistake: divides by the sum of the sizes instead of their product.
    n_H, n_W = shape
    return np.ones(shape) * dz / (n_H + n_W)


def pool_forward(A_prev, hparameters, mode="max"):
    # Mistake: ignores the stride when it places the windows.
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H = (n_H_prev - f) // stride + 1
    n_W = (n_W_prev - f) // stride + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    window = A_prev[i, h:h + f, w:w + f, c]
                    A[i, h, w, c] = np.max(window) if mode == "max" else np.mean(window)
    return A, (A_prev, hparameters)
