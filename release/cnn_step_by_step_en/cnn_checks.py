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
_integer = np.integer
_bool_ = np.bool_
_zeros = np.zeros
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
_dict = builtins.dict
_range = builtins.range
_abs = builtins.abs
_str = builtins.str
_tuple = builtins.tuple
_zip = builtins.zip
_sorted = builtins.sorted
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


#: Languages written right to left: their messages isolate every value.
RIGHT_TO_LEFT = ("fa", "ar", "he", "ur")


def _fmt(value):
    """*value* as printed in a message.  In a right-to-left message each line of it
    is isolated left to right (U+2066 ... U+2069), or the bidi algorithm would
    reverse the order of its numbers and signs."""
    if _isinstance(value, _ndarray):
        text = _array2string(value, precision=8, separator=", ", max_line_width=100, threshold=40)
    else:
        text = value if _type(value) is _str else _repr(value)
    if LANGUAGE not in RIGHT_TO_LEFT:
        return text
    return "\n".join(f"\u2066{line}\u2069" for line in text.split("\n"))


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
            name=name, expected=_fmt(_tuple(shape)), actual=_fmt(_tuple(actual.shape))))
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
            name=name, diff=worst, index=_fmt(where)))
    return actual


def expect_scalar(name, value, expected, atol=1e-9, show_values=True):
    actual = as_scalar(name, value)
    if not _abs(actual - _float(expected)) <= atol:
        if not show_values:
            raise CheckFailed(_("{name} is wrong.").format(name=name))
        raise CheckFailed(_("{name} is wrong: expected {expected}, got {actual}.").format(
            name=name, expected=_fmt(_float(expected)), actual=_fmt(actual)))
    return actual


def expect_mask(name, value, expected):
    """A boolean-like array: True exactly where *expected* is True."""
    expected = _asarray(expected, dtype=_float64)
    return expect_close(name, value, expected, atol=0.0)


# --- answers that are numbers, not functions (the exercises on paper) ---------
def answered(name, value):
    """*value*, unless it is still the None of the answer cell."""
    if value is None:
        raise CheckFailed(_("{name} is still None: replace None with your answer.").format(name=name))
    return value


def as_int(name, value):
    """*value* as a Python int; an int or a numpy integer, not a bool or a float."""
    if _type(value) is not _int and not _isinstance(value, _integer):
        raise CheckFailed(_("{name} should be a whole number (an int), but it is a {kind} {value}.").format(
            name=name, kind=_type(value).__name__, value=_fmt(value)))
    return _int(value)


def as_ints(name, value, length):
    """*value* as a tuple of *length* ints, e.g. a shape such as (28, 28, 16)."""
    if _type(value) is not _tuple or _len(value) != length:
        raise CheckFailed(_("{name} should be a tuple of {length} whole numbers, but it is {value}.").format(
            name=name, length=length, value=_fmt(value)))
    return _tuple(as_int(f"{name}[{i}]", v) for i, v in _zip(_range(length), value))


def as_table(name, value, keys):
    """*value*, a dict whose keys are exactly *keys*."""
    if _type(value) is not _dict:
        raise CheckFailed(_("{name} should be a dictionary, but it is a {kind}.").format(
            name=name, kind=_type(value).__name__))
    found = [k for k in value]
    if any(_type(k) is not _str for k in found) or _sorted(found) != _sorted(keys):
        raise CheckFailed(_("{name} should have the keys {expected}, but it has {actual}.").format(
            name=name, expected=", ".join(_repr(k) for k in keys), actual=", ".join(_repr(k) for k in found)))
    return value


def as_matrix(name, value):
    """*value* as a 2-D float64 array."""
    actual = as_array(name, value)
    if actual.ndim != 2:
        raise CheckFailed(_("{name} should be a 2-D array (rows and columns), but it has {ndim} dimensions.").format(
            name=name, ndim=actual.ndim))
    return actual


def expect_positive(name, value):
    if not value > 0:
        raise CheckFailed(_("{name} should be positive, but it is {value}.").format(name=name, value=_fmt(value)))
    return value


def expect_not_negative(name, value):
    if value < 0:
        raise CheckFailed(_("{name} cannot be negative, but it is {value}.").format(name=name, value=_fmt(value)))
    return value


def expect_choice(name, value, choices):
    """*value*, an int that is one of *choices* (the numbers of a multiple-choice question)."""
    actual = as_int(name, value)
    if actual not in _tuple(choices):
        raise CheckFailed(_("{name} should be one of {choices}, but it is {value}.").format(
            name=name, choices=", ".join(_str(c) for c in choices), value=_fmt(actual)))
    return actual


def expect_int(name, value, expected, show_values=True):
    """An int (or a tuple of ints) equal to *expected*."""
    if _type(expected) is _tuple:
        actual = as_ints(name, value, _len(expected))
    else:
        actual = as_int(name, value)
    if actual != expected:
        if not show_values:
            raise CheckFailed(_("{name} is wrong.").format(name=name))
        raise CheckFailed(_("{name} is wrong: expected {expected}, got {actual}.").format(
            name=name, expected=_repr(expected), actual=_repr(actual)))
    return actual


def numerical_gradient(loss, x, h=1e-5):
    """Central differences of loss() with respect to every entry of the float array x (changed in place, restored)."""
    grad = _zeros(x.shape)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in _range(flat.size):
        old = flat[k]
        flat[k] = old + h
        plus = loss()
        flat[k] = old - h
        minus = loss()
        flat[k] = old
        gflat[k] = (plus - minus) / (2 * h)
    return grad


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


def run(fn_name, checks, hidden=False, form_only=False):
    """Run checks, then print a summary or raise one CheckFailed listing every failure.

    *form_only* checks look at the form of an answer, not at its values: their
    summary says so, so that passing them is not taken for a right answer.
    """
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
    elif form_only:
        _print("✓ " + _("{fn}: your answer has the right form. Its values are checked when your work is graded.")
               .format(fn=fn_name))
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


# --- the exercises on paper: one check of form per answer ----------------------
# These checks look at the form of an answer (its type, its dimensions, its
# keys) and never at its values, which the graded checks judge.  Everything the
# graded checks require of the form is checked here, so an answer that passes
# can lose points only for its numbers.
LAYERS = ("conv", "pool", "flatten", "fc1", "fc2")


def _per_layer(fn_name, value, check_layer):
    """The form checks of a dict answer: the dict itself, then one check per layer."""
    try:
        table = as_table(fn_name, answered(fn_name, value), LAYERS)
    except CheckFailed as failure:
        def again(failure=failure):
            raise failure
        run(fn_name, [again], form_only=True)
    run(fn_name, [lambda layer=layer: check_layer(f"{fn_name}[{layer!r}]", layer, answered(
        f"{fn_name}[{layer!r}]", table[layer])) for layer in LAYERS], form_only=True)


def edge_output(value):
    run("edge_output", [lambda: as_matrix("edge_output", answered("edge_output", value))], form_only=True)


def layer_shapes(value):
    def shape(name, layer, entry):
        sizes = as_ints(name, entry, 3) if layer in ("conv", "pool") else (as_int(name, entry),)
        for size in sizes:
            expect_positive(name, size)

    _per_layer("layer_shapes", value, shape)


def layer_parameters(value):
    def counts(name, layer, entry):
        for count in as_ints(name, entry, 2):
            expect_not_negative(name, count)

    _per_layer("layer_parameters", value, counts)


def one_by_one(shape, reason):
    def output_shape():
        for size in as_ints("one_by_one_shape", answered("one_by_one_shape", shape), 3):
            expect_positive("one_by_one_shape", size)

    run("one_by_one", [
        output_shape,
        lambda: expect_choice("one_by_one_reason", answered("one_by_one_reason", reason), (1, 2, 3, 4)),
    ], form_only=True)


def gap_backprop(O, L, dF, dX):
    # A gradient has the shape of what it is the gradient of: F is 2 x 2 and X is 3 x 3.
    run("gap_backprop", [
        lambda: as_matrix("gap_O", answered("gap_O", O)),
        lambda: as_scalar("gap_L", answered("gap_L", L)),
        lambda: expect_shape("gap_dF", answered("gap_dF", dF), (2, 2)),
        lambda: expect_shape("gap_dX", answered("gap_dX", dX), (3, 3)),
    ], form_only=True)


def pooling_by_hand(max_pooled, average_pooled):
    run("pooling_by_hand", [
        lambda: as_matrix("max_pooled", answered("max_pooled", max_pooled)),
        lambda: as_matrix("average_pooled", answered("average_pooled", average_pooled)),
    ], form_only=True)
