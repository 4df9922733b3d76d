"""Expectations: each raises CheckFailed when a value is not what it should be, or returns the value it checked.

A failure that shows expected values also carries a *concealed* form without them, which is what a hidden
check's report shows (``Report.render``).
"""
import numpy as np

from .failures import CheckFailed, fail, kind
from .language import Message, _


def as_array(name, value):
    """*value* as a float64 array; anything that is not a plain numpy array is refused."""
    if type(value) is not np.ndarray:
        fail(_("{name} should be a numpy array, but it is a {kind}."), name=name, kind=kind(value))
    if value.dtype.kind not in "fiub":
        fail(_("{name} should hold numbers, but its dtype is {dtype}."), name=name, dtype=str(value.dtype))
    return np.asarray(value, dtype=np.float64)


def as_scalar(name, value):
    """*value* as a Python float; it must be a float or a numpy floating scalar."""
    if type(value) is not float and not isinstance(value, np.floating):
        fail(_("{name} should be a single number (a float), but it is a {kind} {value}."),
             name=name, kind=kind(value), value=value)
    return float(value)


def max_abs_difference(actual, expected):
    """The largest absolute difference, and where it is; NaN counts as a difference."""
    diff = np.abs(np.subtract(actual, expected))
    if diff.size == 0:
        return 0.0, ()
    where = np.unravel_index(np.argmax(diff), diff.shape)
    worst = float(np.max(diff))
    if worst != worst:  # NaN
        return float("inf"), where
    return worst, tuple(int(i) for i in where)


def rel_error(x, y):
    """max |x - y| / max(1e-8, |x| + |y|), the CS231n gradient-check measure."""
    num = np.abs(np.subtract(x, y))
    value = float(np.max(num / np.maximum(1e-8, np.abs(x) + np.abs(y)))) if num.size else 0.0
    return float("inf") if value != value else value


def expect_shape(name, value, shape):
    actual = as_array(name, value)
    shape = tuple(int(n) for n in shape)
    if tuple(actual.shape) != shape:
        fail(_("{name} has the wrong shape: expected {expected}, got {actual}."),
             name=name, expected=shape, actual=tuple(actual.shape))
    return actual


def expect_close(name, value, expected, atol=1e-7, show_values=True):
    """Fail unless *value* has *expected*'s shape and every entry is within *atol*."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = expect_shape(name, value, expected.shape)
    worst, where = max_abs_difference(actual, expected)
    if not worst <= atol:
        concealed = Message(_("{name} is wrong: the largest difference is {diff:.3g}, at index {index}."),
                            name=name, diff=worst, index=where)
        if not show_values:
            raise CheckFailed(concealed)
        fail(_("{name} is wrong.\n  expected: {expected}\n  got:      {actual}"),
             name=name, expected=expected, actual=actual, concealed=concealed)
    return actual


def expect_scalar(name, value, expected, atol=1e-9, show_values=True):
    actual = as_scalar(name, value)
    if not abs(actual - float(expected)) <= atol:
        concealed = Message(_("{name} is wrong."), name=name)
        if not show_values:
            raise CheckFailed(concealed)
        fail(_("{name} is wrong: expected {expected}, got {actual}."), name=name, expected=float(expected),
             actual=actual, concealed=concealed)
    return actual


def expect_mask(name, value, expected, show_values=True):
    """A boolean-like array: True exactly where *expected* is True."""
    return expect_close(name, value, np.asarray(expected, dtype=np.float64), atol=0.0, show_values=show_values)


def expect_unchanged(name, before, after):
    """An input the function must not have changed."""
    if type(after) is not np.ndarray or after.shape != np.shape(before) or \
            not max_abs_difference(np.asarray(after, dtype=np.float64), before)[0] <= 0.0:
        fail(_("{name} was modified in place; a layer must not change its inputs."), name=name)


def expect_tuple(name, value, length, message):
    """*value*, a tuple of *length* items; *message* says what it should be."""
    if type(value) is not tuple or len(value) != length:
        fail(message, name=name)
    return value


def answered(name, value):
    """*value*, unless it is still the None of the answer cell."""
    if value is None:
        fail(_("{name} is still None: replace None with your answer."), name=name)
    return value


def as_int(name, value):
    """*value* as a Python int; an int or a numpy integer, not a bool or a float."""
    if type(value) is not int and not isinstance(value, np.integer):
        fail(_("{name} should be a whole number (an int), but it is a {kind} {value}."),
             name=name, kind=kind(value), value=value)
    return int(value)


def as_ints(name, value, length):
    """*value* as a tuple of *length* ints, e.g. a shape such as (28, 28, 16)."""
    if type(value) is not tuple or len(value) != length:
        fail(_("{name} should be a tuple of {length} whole numbers, but it is {value}."),
             name=name, length=length, value=value)
    return tuple(as_int(f"{name}[{i}]", v) for i, v in enumerate(value))


def as_table(name, value, keys):
    """*value*, a dict whose keys are exactly *keys*."""
    if type(value) is not dict:
        fail(_("{name} should be a dictionary, but it is a {kind}."), name=name, kind=kind(value))
    found = list(value)
    if any(type(k) is not str for k in found) or sorted(found) != sorted(keys):
        fail(_("{name} should have the keys {expected}, but it has {actual}."), name=name,
             expected=", ".join(repr(k) for k in keys), actual=", ".join(repr(k) for k in found))
    return value


def as_matrix(name, value):
    """*value* as a 2-D float64 array."""
    actual = as_array(name, value)
    if actual.ndim != 2:
        fail(_("{name} should be a 2-D array (rows and columns), but it has {ndim} dimensions."),
             name=name, ndim=actual.ndim)
    return actual


def expect_positive(name, value):
    if not value > 0:
        fail(_("{name} should be positive, but it is {value}."), name=name, value=value)
    return value


def expect_not_negative(name, value):
    if value < 0:
        fail(_("{name} cannot be negative, but it is {value}."), name=name, value=value)
    return value


def expect_choice(name, value, choices):
    """*value*, an int that is one of *choices* (the numbers of a multiple-choice question)."""
    actual = as_int(name, value)
    if actual not in tuple(choices):
        fail(_("{name} should be one of {choices}, but it is {value}."), name=name,
             choices=", ".join(str(c) for c in choices), value=actual)
    return actual


def expect_int(name, value, expected, show_values=True):
    """An int (or a tuple of ints) equal to *expected*."""
    actual = as_ints(name, value, len(expected)) if type(expected) is tuple else as_int(name, value)
    if actual != expected:
        concealed = Message(_("{name} is wrong."), name=name)
        if not show_values:
            raise CheckFailed(concealed)
        fail(_("{name} is wrong: expected {expected}, got {actual}."), name=name, expected=expected, actual=actual,
             concealed=concealed)
    return actual
