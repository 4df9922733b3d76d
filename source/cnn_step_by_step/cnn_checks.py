"""Checks for the notebook "Convolutional Neural Networks: Step by Step".

Each ``check.<function>(<function>)`` call runs your function on the seeded
cases published with the assignment and compares the results with the
published values.  It prints what it expected next to what it got, in the
language of your notebook.

The notebook imports this module in its first code cell, before any answer
runs, and the comparisons below use the numpy and Python pieces captured at
that moment.  Rebinding ``np.allclose`` or ``np.random.seed`` in an answer
therefore changes nothing here.
"""
import builtins
import gettext as _gettext
import warnings as _warnings
from types import SimpleNamespace as _SimpleNamespace
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent

# --- captured before any answer cell runs -----------------------------------
_ndarray = np.ndarray
_asarray = np.asarray
_float64 = np.float64
_floating = np.floating
_bool_ = np.bool_
_subtract = np.subtract
_absolute = np.absolute
_add = np.add
_maximum = np.maximum
_argmax = np.argmax
_unravel_index = np.unravel_index
_array2string = np.array2string
_RandomState = np.random.RandomState
_isinstance = builtins.isinstance
_type = builtins.type
_float = builtins.float
_int = builtins.int
_abs = builtins.abs
_str = builtins.str
_tuple = builtins.tuple
_len = builtins.len
_print = builtins.print
_repr = builtins.repr
_AssertionError = builtins.AssertionError

#: Pieces the grader's own checks build on, captured with the ones above.
captured = _SimpleNamespace(
    pad=np.pad, einsum=np.einsum, zeros=np.zeros, ones=np.ones, array=np.array,
    sliding_window_view=np.lib.stride_tricks.sliding_window_view,
    float=builtins.float, len=builtins.len, range=builtins.range, tuple=builtins.tuple,
    dict=builtins.dict, type=builtins.type, zip=builtins.zip,
)


def _read_language():
    """The notebook's language, written next to this file by the course build."""
    path = HERE / "LANGUAGE"
    return path.read_text(encoding="utf-8").strip() if path.exists() else "en"


LANGUAGE = _read_language()
_translation = _gettext.translation(
    "messages", localedir=str(HERE / "locale"), languages=[LANGUAGE], fallback=True)
if LANGUAGE != "en" and _type(_translation) is _gettext.NullTranslations:
    _print(f"[cnn_checks] no message catalog for language {LANGUAGE!r}: messages stay in English.")
gettext = _translation.gettext
_ = gettext


class CheckFailed(_AssertionError):
    """A check found a wrong result; the message says which and how."""


# --- turning answers into comparable numbers ---------------------------------
def seeded(seed):
    """A private random generator; ``seeded(1).randn(...)`` equals ``np.random.seed(1); np.random.randn(...)``."""
    return _RandomState(seed)


def _fmt(value):
    if _isinstance(value, _ndarray):
        return _array2string(value, precision=8, separator=", ", max_line_width=100, threshold=40)
    return _repr(value)


def as_array(name, value):
    """*value* as a float64 array; anything that is not a plain numpy array is refused."""
    if _type(value) is not _ndarray:
        raise CheckFailed(_("{name} should be a numpy array, but it is a {kind}.").format(
            name=name, kind=_type(value).__name__))
    if value.dtype.kind not in "fiub":
        raise CheckFailed(_("{name} should hold numbers, but its dtype is {dtype}.").format(
            name=name, dtype=value.dtype))
    return _asarray(value, dtype=_float64)


def as_scalar(name, value):
    """*value* as a Python float; it must be a float or a numpy floating scalar."""
    if _type(value) is not _float and not _isinstance(value, _floating):
        raise CheckFailed(_("{name} should be a single number (a float), but it is a {kind} {value}.").format(
            name=name, kind=_type(value).__name__, value=_fmt(value)))
    return _float(value)


def max_abs_difference(actual, expected):
    """The largest absolute difference, and where it is; NaN counts as a difference."""
    diff = _absolute(_subtract(actual, expected))
    if diff.size == 0:
        return 0.0, ()
    where = _unravel_index(_argmax(diff), diff.shape)
    worst = _float(_maximum.reduce(diff, axis=None))
    if worst != worst:  # NaN
        return _float("inf"), where
    return worst, _tuple(_int(i) for i in where)


def rel_error(x, y):
    """max |x - y| / max(1e-8, |x| + |y|), the CS231n gradient-check measure."""
    num = _absolute(_subtract(x, y))
    den = _maximum(1e-8, _add(_absolute(x), _absolute(y)))
    value = _float(_maximum.reduce(num / den, axis=None)) if num.size else 0.0
    return _float("inf") if value != value else value


def expect_shape(name, value, shape):
    actual = as_array(name, value)
    if _tuple(actual.shape) != _tuple(shape):
        raise CheckFailed(_("{name} has the wrong shape: expected {expected}, got {actual}.").format(
            name=name, expected=_tuple(shape), actual=_tuple(actual.shape)))
    return actual


def expect_close(name, value, expected, atol=1e-7, show_values=True):
    """Fail unless *value* has *expected*'s shape and every entry is within *atol*."""
    expected = _asarray(expected, dtype=_float64)
    actual = expect_shape(name, value, expected.shape)
    worst, where = max_abs_difference(actual, expected)
    if not worst <= atol:
        if show_values:
            raise CheckFailed(_("{name} is wrong.\n  expected: {expected}\n  got:      {actual}").format(
                name=name, expected=_fmt(expected), actual=_fmt(actual)))
        raise CheckFailed(_("{name} is wrong: the largest difference is {diff:.3g}, at index {index}.").format(
            name=name, diff=worst, index=where))
    return actual


def expect_scalar(name, value, expected, atol=1e-9):
    actual = as_scalar(name, value)
    if not _abs(actual - _float(expected)) <= atol:
        raise CheckFailed(_("{name} is wrong: expected {expected}, got {actual}.").format(
            name=name, expected=_repr(_float(expected)), actual=_repr(actual)))
    return actual


def expect_mask(name, value, expected):
    """A boolean-like array: True exactly where *expected* is True."""
    expected = _asarray(expected, dtype=_float64)
    return expect_close(name, value, expected, atol=0.0)


def call(fn_name, fn, *args, **kwargs):
    """Run the student's function; an exception becomes a failed check that names it."""
    try:
        # A warning would be printed on stderr, and nbgrader scores a cell
        # with stderr output as failed; the values decide, not the warnings.
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except CheckFailed:
        raise
    except Exception as err:  # the student's bug, reported with its type and message
        raise CheckFailed(_("{fn} raised {error}: {message}").format(
            fn=fn_name, error=_type(err).__name__, message=err)) from err


def run(fn_name, checks, hidden=False):
    """Run checks, then print a summary or raise one CheckFailed listing every failure."""
    failures = []
    for check in checks:
        try:
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                check()
        except CheckFailed as failure:
            failures.append(_str(failure))
    total = _len(checks)
    if failures:
        if hidden:
            header = _("{fn}: {failed} of {total} hidden checks failed.")
        else:
            header = _("{fn}: {failed} of {total} checks failed.")
        header = header.format(fn=fn_name, failed=_len(failures), total=total)
        raise CheckFailed("\n".join([header] + ["✗ " + text for text in failures]))
    if hidden:
        _print("✓ " + _("{fn}: all {total} hidden checks passed.").format(fn=fn_name, total=total))
    else:
        _print("✓ " + _("{fn}: all {total} checks passed.").format(fn=fn_name, total=total))


# --- the published values ----------------------------------------------------
def _expected_values_file():
    for candidate in (HERE / "data" / "expected_values.h5",
                      HERE.parent.parent / "course_data" / "expected_values.h5"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(_("expected_values.h5 is missing: it should be in {path}.").format(
        path=HERE / "data"))


def published(key):
    """A published expected value (or the stored input dZ) by its key, e.g. 'zero_pad/x_1_1'."""
    with h5py.File(_expected_values_file(), "r") as h5:
        return h5[key][()]


# --- one visible check per function -------------------------------------------
def zero_pad(fn):
    rng = seeded(1)
    x = rng.randn(4, 3, 3, 2)
    x_pad = call("zero_pad", fn, x, 2)
    run("zero_pad", [
        lambda: expect_shape("x_pad", x_pad, published("zero_pad/x_pad_shape")),
        lambda: expect_close("x[1, 1]", x[1, 1], published("zero_pad/x_1_1")),
        lambda: expect_close("x_pad[1, 1]", as_array("x_pad", x_pad)[1, 1], [[0.0, 0.0]] * 7),
        lambda: expect_close("x_pad[:, 2:5, 2:5, :]", as_array("x_pad", x_pad)[:, 2:5, 2:5, :], x),
    ])


def conv_single_step(fn):
    rng = seeded(1)
    a_slice_prev, W, b = rng.randn(4, 4, 3), rng.randn(4, 4, 3), rng.randn(1, 1, 1)
    Z = call("conv_single_step", fn, a_slice_prev, W, b)
    run("conv_single_step", [
        lambda: expect_scalar("Z", Z, published("conv_single_step/Z"), atol=1e-10),
    ])


def conv_forward(fn):
    rng = seeded(1)
    A_prev, W, b = rng.randn(10, 4, 4, 3), rng.randn(2, 2, 3, 8), rng.randn(1, 1, 1, 8)
    hparameters = {"pad": 2, "stride": 2}
    Z, cache = call("conv_forward", fn, A_prev, W, b, hparameters)
    run("conv_forward", [
        lambda: expect_shape("Z", Z, (10, 4, 4, 8)),
        lambda: expect_scalar("mean(Z)", as_array("Z", Z).mean(), published("conv_forward/Z_mean"), atol=1e-10),
        lambda: expect_close("Z[3, 2, 1]", as_array("Z", Z)[3, 2, 1], published("conv_forward/Z_3_2_1")),
        lambda: expect_close("cache[0][1][2][3]", cache[0][1][2][3], published("conv_forward/cache_0_1_2_3")),
    ])


def pool_forward(fn):
    def pooled(shape, stride, mode):
        A_prev = seeded(1).randn(*shape)
        A, _cache = call("pool_forward", fn, A_prev, {"stride": stride, "f": 3}, mode=mode)
        return as_array("A", A)

    def older(mode):
        expect_close(f"A (mode={mode}, A_prev (2, 4, 4, 3), f=3, stride=2)",
                     pooled((2, 4, 4, 3), 2, mode), published(f"pool_forward/v1_{mode}"))

    def newer(mode, stride, index, key):
        A = pooled((2, 5, 5, 3), stride, mode)
        expect_shape(f"A (mode={mode}, stride={stride})", A, (2, 3, 3, 3) if stride == 1 else (2, 2, 2, 3))
        expect_close(f"A{list(index)} (mode={mode}, stride={stride})", A[index], published(key))

    run("pool_forward", [
        lambda: older("max"),
        lambda: older("average"),
        lambda: newer("max", 1, (1, 1), "pool_forward/v2_stride1_max_1_1"),
        lambda: newer("average", 1, (1, 1), "pool_forward/v2_stride1_average_1_1"),
        lambda: newer("max", 2, (0,), "pool_forward/v2_stride2_max_0"),
        lambda: newer("average", 2, (1,), "pool_forward/v2_stride2_average_1"),
    ])


def conv_backward(fn):
    A_prev, W, b = (lambda r: (r.randn(10, 4, 4, 3), r.randn(2, 2, 3, 8), r.randn(1, 1, 1, 8)))(seeded(1))
    cache = (A_prev, W, b, {"pad": 2, "stride": 2})
    dA, dW, db = call("conv_backward", fn, published("conv_backward/dZ"), cache)
    run("conv_backward", [
        lambda: expect_shape("dA_prev", dA, A_prev.shape),
        lambda: expect_shape("dW", dW, W.shape),
        lambda: expect_shape("db", db, b.shape),
        lambda: expect_scalar("dA_mean", as_array("dA_prev", dA).mean(), published("conv_backward/dA_mean")),
        lambda: expect_scalar("dW_mean", as_array("dW", dW).mean(), published("conv_backward/dW_mean")),
        lambda: expect_scalar("db_mean", as_array("db", db).mean(), published("conv_backward/db_mean")),
    ])


def create_mask_from_window(fn):
    x = seeded(1).randn(2, 3)
    mask = call("create_mask_from_window", fn, x)
    run("create_mask_from_window", [
        lambda: expect_mask("mask", mask, published("create_mask_from_window/mask")),
    ])


def distribute_value(fn):
    a = call("distribute_value", fn, 2, (2, 2))
    run("distribute_value", [
        lambda: expect_close("distribute_value(2, (2, 2))", a, published("distribute_value/a")),
    ])


def pool_backward(fn):
    rng = seeded(1)
    A_prev = rng.randn(5, 5, 3, 2)
    dA = rng.randn(5, 4, 2, 2)
    cache = (A_prev, {"stride": 1, "f": 2})

    def mode_case(mode):
        dA_prev = as_array("dA_prev", call("pool_backward", fn, dA, cache, mode=mode))
        expect_shape(f"dA_prev (mode={mode})", dA_prev, A_prev.shape)
        expect_close(f"dA_prev[1, 1] (mode={mode})", dA_prev[1, 1], published(f"pool_backward/{mode}_dA_prev_1_1"))

    run("pool_backward", [
        lambda: expect_scalar("mean(dA)", dA.mean(), published("pool_backward/dA_mean"), atol=1e-11),
        lambda: mode_case("max"),
        lambda: mode_case("average"),
    ])
