"""The mistakes students make most often, as models: what a function returns when it makes one.

A failing result that equals a model's (where the model differs from the
reference) gets that mistake's hint, in the student's language, under the
failing check.  The grader runs the models on each case's inputs; for the
published cases, their fingerprints are written into the release
(``coursekit.authoring.hint_fingerprints``), so that the visible checks in
the student's notebook give the same hints without any model in it.

Each model takes the function's arguments and returns what the function
returns in ``cnn_checklib.primary`` form (Z for conv_forward, the three
gradients for conv_backward...), or None where the mistake cannot show.
"""
import numpy as np

from . import references as ref


def _corner(h, stride, ignore_stride):
    return h if ignore_stride else h * stride


def conv_forward_corners(A_prev, W, b, hparameters):
    """conv_forward whose windows start at (h, w) instead of (h * stride, w * stride)."""
    stride = hparameters["stride"]
    Z = ref.conv_forward(A_prev, W, b, dict(hparameters, stride=1))
    n_H = (A_prev.shape[1] + 2 * hparameters["pad"] - W.shape[0]) // stride + 1
    n_W = (A_prev.shape[2] + 2 * hparameters["pad"] - W.shape[0]) // stride + 1
    return Z[:, :n_H, :n_W, :]


def conv_forward_swapped(A_prev, W, b, hparameters):
    """conv_forward with the rows and the columns of its output exchanged (a square output only)."""
    Z = ref.conv_forward(A_prev, W, b, hparameters)
    return Z.swapaxes(1, 2) if Z.shape[1] == Z.shape[2] else None


def pool_forward_corners(A_prev, hparameters, mode="max"):
    stride, f = hparameters["stride"], hparameters["f"]
    A = ref.pool_forward(A_prev, dict(hparameters, stride=1), mode)
    n_H, n_W = (A_prev.shape[1] - f) // stride + 1, (A_prev.shape[2] - f) // stride + 1
    return A[:, :n_H, :n_W, :]


def pool_forward_across(axis):
    """pool_forward that reduces each window over the channels (axis 3) or the batch (axis 0) too."""
    def model(A_prev, hparameters, mode="max"):
        A = ref.pool_forward(A_prev, hparameters, mode)
        if A.shape[axis] < 2:
            return None
        reduced = A.max(axis=axis, keepdims=True) if mode == "max" else A.mean(axis=axis, keepdims=True)
        return np.broadcast_to(reduced, A.shape).copy()
    return model


def pool_forward_swapped(A_prev, hparameters, mode="max"):
    A = ref.pool_forward(A_prev, hparameters, mode)
    return A.swapaxes(1, 2) if A.shape[1] == A.shape[2] else None


def conv_backward_loops(dZ, cache, ignore_stride=False, overwrite=False, last_example=False, unpad_minus=False):
    """conv_backward as the usual loops write it, with the chosen mistakes."""
    A_prev, W, b, hparameters = cache
    f, s, p = W.shape[0], hparameters["stride"], hparameters["pad"]
    A_pad = ref.zero_pad(A_prev, p)
    dA_pad, dW = np.zeros(A_pad.shape), np.zeros(W.shape)
    m, n_H, n_W, n_C = dZ.shape
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                r, c0 = _corner(h, s, ignore_stride), _corner(w, s, ignore_stride)
                for c in range(n_C):
                    share = W[:, :, :, c] * dZ[i, h, w, c]
                    if overwrite:
                        dA_pad[i, r:r + f, c0:c0 + f, :] = share
                    else:
                        dA_pad[i, r:r + f, c0:c0 + f, :] += share
                    if not last_example or i == m - 1:
                        dW[:, :, :, c] += A_pad[i, r:r + f, c0:c0 + f, :] * dZ[i, h, w, c]
    db = (dZ[-1:] if last_example else dZ).sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1)
    if unpad_minus:
        dA = dA_pad[:, p:-p, p:-p, :]
    else:
        dA = dA_pad[:, p:p + A_prev.shape[1], p:p + A_prev.shape[2], :]
    return dA, dW, db


def pool_backward_loops(dA, cache, mode="max", ignore_stride=False, overwrite=False):
    A_prev, hparameters = cache
    f, s = hparameters["f"], hparameters["stride"]
    dA_prev = np.zeros(A_prev.shape)
    m, n_H, n_W, n_C = dA.shape
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                r, c0 = _corner(h, s, ignore_stride), _corner(w, s, ignore_stride)
                for c in range(n_C):
                    if mode == "max":
                        window = A_prev[i, r:r + f, c0:c0 + f, c]
                        share = (window == window.max()) * dA[i, h, w, c]
                    else:
                        share = np.full((f, f), dA[i, h, w, c] / (f * f))
                    if overwrite:
                        dA_prev[i, r:r + f, c0:c0 + f, c] = share
                    else:
                        dA_prev[i, r:r + f, c0:c0 + f, c] += share
    return dA_prev


def _safe(model):
    """A model that gives None where its mistake would not even run (a window past the edge, say)."""
    def run(*args, **kwargs):
        try:
            return model(*args, **kwargs)
        except (ValueError, IndexError):
            return None
    return run


def truncated(reference):
    """The function writing its results into an array of whole numbers (np.zeros(..., dtype=int)): cut to
    integers."""
    return lambda *args, **kwargs: np.trunc(reference(*args, **kwargs))


#: {function: [(mistake, model)]}: the value each mistake gives.  The mistakes (their names, hints and the
#: errors they raise) are cnn_checklib.MISTAKES; a mistake that only ever raises has no model here.
MISTAKES = {
    "conv_single_step": [
        ("bias_everywhere", lambda a, W, b: float(np.sum(a * W + float(np.asarray(b).reshape(-1)[0])))),
        ("bias_as_array", lambda a, W, b: np.sum(a * W) + np.asarray(b, dtype=np.float64)),
    ],
    "conv_forward": [
        ("stride_ignored", conv_forward_corners),
        ("rows_columns_swapped", conv_forward_swapped),
        ("integer_array", truncated(ref.conv_forward)),
    ],
    "pool_forward": [
        ("stride_ignored", pool_forward_corners),
        ("pooled_across_channels", pool_forward_across(3)),
        ("pooled_across_batch", pool_forward_across(0)),
        ("rows_columns_swapped", pool_forward_swapped),
        ("integer_array", truncated(ref.pool_forward)),
    ],
    "conv_backward": [
        ("unpad_minus_pad", lambda dZ, cache: conv_backward_loops(dZ, cache, unpad_minus=True)),
        ("stride_ignored", lambda dZ, cache: conv_backward_loops(dZ, cache, ignore_stride=True)),
        ("overwrites_overlaps", lambda dZ, cache: conv_backward_loops(dZ, cache, overwrite=True)),
        ("last_example_only", lambda dZ, cache: conv_backward_loops(dZ, cache, last_example=True)),
    ],
    "create_mask_from_window": [
        ("mask_holds_values", lambda x: np.where(x == x.max(), x, 0.0)),
    ],
    "distribute_value": [
        ("divided_by_sides", lambda dz, shape: np.full(shape, dz / (shape[0] + shape[1]))),
        ("floor_division", lambda dz, shape: np.full(shape, dz // (shape[0] * shape[1]), dtype=np.float64)),
    ],
    "pool_backward": [
        ("stride_ignored", lambda dA, cache, mode="max": pool_backward_loops(dA, cache, mode, ignore_stride=True)),
        ("overwrites_overlaps", lambda dA, cache, mode="max": pool_backward_loops(dA, cache, mode, overwrite=True)),
    ],
}


def model_results(fn, args, kwargs):
    """[(hint, what the mistake returns on these arguments)] for *fn*, skipping mistakes that cannot show."""
    results = []
    for hint, model in MISTAKES.get(fn, []):
        value = _safe(model)(*args, **kwargs)
        if value is not None:
            results.append((hint, value))
    return results
