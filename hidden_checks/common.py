"""What the hidden checks share: case labels, the checks every layer must pass, numerical gradients."""
import numpy as np

import cnn_checks as check
from cnn_checks import _, Message


def conv_label(A_shape, f, hparameters):
    return Message(_("input {shape}, f={f}, pad={pad}, stride={stride}"), shape=tuple(A_shape), f=f,
                   pad=hparameters["pad"], stride=hparameters["stride"])


def pool_label(A_shape, hparameters, mode):
    return Message(_("input {shape}, f={f}, stride={stride}, mode={mode}"), shape=tuple(A_shape),
                   f=hparameters["f"], stride=hparameters["stride"], mode=mode)


def unchanged(*names):
    """A check that the call left its array arguments (named *names*, in order) as they were."""
    def on_outcome(outcome, originals):
        for name, before, after in zip(names, originals, outcome.args_after):
            if name is not None:
                check.expect_unchanged(name, before, after)
    return on_outcome


def returns_tuple(fn_name, length, message):
    """The returned tuple of *length* items, or a failure saying what *fn_name* should return."""
    def get(outcome):
        return check.expect_tuple(fn_name, outcome.value, length, message)
    return get


def numerical_gradient(loss, x, h=1e-5):
    """Central differences of loss() with respect to every entry of the float array x (changed in place, restored)."""
    grad = np.zeros(x.shape)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + h
        plus = loss()
        flat[k] = old - h
        minus = loss()
        flat[k] = old
        gflat[k] = (plus - minus) / (2 * h)
    return grad


def gradient_matches(name, analytic, numeric, tol=1e-6):
    err = check.rel_error(check.as_array(name, analytic), numeric)
    if not err <= tol:
        check.fail(_("{name} does not match the numerical gradient: relative error {err:.2g} (at most {tol:g} "
                     "allowed)."), name=name, err=err, tol=tol)


def with_originals(args, check_fn):
    """A case check that also gets copies of the arguments as they were before the call."""
    originals = tuple(np.array(a) if type(a) is np.ndarray else a for a in args)
    return lambda outcome: check_fn(outcome, originals)
