"""What the hidden checks share: case labels, the checks every layer must pass, numerical gradients."""
import numpy as np

import cnn_checklib as check
from cnn_checklib import _, Message

from .mistakes import model_results


def conv_label(A_shape, f, hparameters):
    return Message(_("input {shape}, f={f}, pad={pad}, stride={stride}"), shape=tuple(A_shape), f=f,
                   pad=hparameters["pad"], stride=hparameters["stride"])


def pool_label(A_shape, hparameters, mode):
    return Message(_("input {shape}, f={f}, stride={stride}, mode={mode}"), shape=tuple(A_shape),
                   f=hparameters["f"], stride=hparameters["stride"], mode=mode)


def numerical_gradient(loss, x, h=1e-5, entries=None):
    """Central differences of loss() with respect to the float array x (changed in place, restored).

    Only the flat indices *entries* are computed (all by default); the others stay NaN.
    """
    grad = np.full(x.shape, np.nan)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in (range(flat.size) if entries is None else entries):
        old = flat[k]
        flat[k] = old + h
        plus = loss()
        flat[k] = old - h
        minus = loss()
        flat[k] = old
        gflat[k] = (plus - minus) / (2 * h)
    return grad


def sampled_entries(r, size, count=24):
    """*count* flat indices out of *size* (all of them when there are fewer), drawn with *r*.

    As CS231n's sparse gradient check: a few entries of every gradient, each a
    different one for every student.
    """
    return sorted(r.choice(size, size=min(count, size), replace=False).tolist())


def distinct_values(r, shape, spread=3.0):
    """Random values of *shape*, no two closer than a fraction of their spacing.

    Pooling's gradient is not defined where two values of a window tie, and
    central differences go wrong when two are closer than their step; these
    values keep every window clear of both, whatever the draw.
    """
    n = int(np.prod(shape))
    gap = 2 * spread / max(n - 1, 1)
    values = np.linspace(-spread, spread, n) + r.uniform(-0.2, 0.2, n) * gap
    return r.permutation(values).reshape(shape)


def diagnoser(fn, args, kwargs, reference):
    """A hidden case's *diagnose*: the hint of the mistake a failing result shows (hidden_checks.mistakes)."""
    def diagnose(outcome):
        return check.mistake_of(check.primary(fn, outcome.value), model_results(fn, args, kwargs),
                                check.primary(fn, reference))
    return diagnose
