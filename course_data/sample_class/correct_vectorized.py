# A correct answer that calls no helper and has no Python loop over positions:
# sliding windows and einsum. It must earn full marks like the loop answer.
# The exercises on paper and the written answers are the demo's correct ones.
import numpy as np

BASED_ON = "../demo_submissions/alice.en.py"


def zero_pad(X, pad):
    out = np.zeros((X.shape[0], X.shape[1] + 2 * pad, X.shape[2] + 2 * pad, X.shape[3]))
    out[:, pad:pad + X.shape[1], pad:pad + X.shape[2], :] = X
    return out


def conv_single_step(a_slice_prev, W, b):
    return float(np.einsum("ijc,ijc->", a_slice_prev, W) + b.item())


def conv_forward(A_prev, W, b, hparameters):
    f, s, p = W.shape[0], hparameters["stride"], hparameters["pad"]
    padded = np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (f, f), axis=(1, 2))[:, ::s, ::s]
    Z = np.einsum("mhwcij,ijcn->mhwn", windows, W) + b[0, 0, 0]
    return Z, (A_prev, W, b, hparameters)


def pool_forward(A_prev, hparameters, mode="max"):
    f, s = hparameters["f"], hparameters["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::s, ::s]
    A = windows.max(axis=(-2, -1)) if mode == "max" else windows.mean(axis=(-2, -1))
    return A, (A_prev, hparameters)


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    f, s, p = W.shape[0], hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    padded = np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))
    dpadded = np.zeros_like(padded)
    n_H, n_W = dZ.shape[1:3]
    for di in range(f):
        for dj in range(f):
            rows = slice(di, di + s * (n_H - 1) + 1, s)
            cols = slice(dj, dj + s * (n_W - 1) + 1, s)
            dpadded[:, rows, cols, :] += np.einsum("mhwn,cn->mhwc", dZ, W[di, dj])
    windows = np.lib.stride_tricks.sliding_window_view(padded, (f, f), axis=(1, 2))[:, ::s, ::s]
    dW = np.einsum("mhwcij,mhwn->ijcn", windows[:, :n_H, :n_W], dZ)
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1)
    return dpadded[:, p:p + n_H_prev, p:p + n_W_prev, :], dW, db


def create_mask_from_window(x):
    return np.equal(x, x.max())


def distribute_value(dz, shape):
    return np.full(shape, dz / np.prod(shape))


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, s = hparameters["f"], hparameters["stride"]
    dA_prev = np.zeros_like(A_prev, dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::s, ::s]
    if mode == "max":
        share = (windows == windows.max(axis=(-2, -1), keepdims=True)) * dA[..., None, None]
    else:
        share = np.broadcast_to(dA[..., None, None] / (f * f), windows.shape)
    n_H, n_W = dA.shape[1:3]
    for h in range(n_H):
        for w in range(n_W):
            dA_prev[:, h * s:h * s + f, w * s:w * s + f, :] += share[:, h, w].transpose(0, 2, 3, 1)
    return dA_prev
