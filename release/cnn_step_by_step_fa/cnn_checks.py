"""Checks for the notebook "Convolutional Neural Networks: Step by Step".

Each ``check.<function>(<function>)`` call runs your function on the seeded
cases published with the assignment and compares the results with the
published values.  It prints what it expected next to what it got, in the
language of your notebook, and a hint when your result looks like a mistake
that many students make.

When your work is graded, the grader runs the same published cases, and more
cases of its own, outside your notebook: these checks are here to help you,
and what they print does not decide your grade.
"""
import gettext as _gettext
import string
import warnings
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent


# --- messages in the notebook's language -----------------------------------------
def _read_language():
    """The notebook's language, written next to this file by the course build."""
    path = HERE / "LANGUAGE"
    return path.read_text(encoding="utf-8").strip() if path.exists() else "en"


LANGUAGE = _read_language()
#: Languages written right to left: their messages isolate every value and every line.
RIGHT_TO_LEFT = ("fa", "ar", "he", "ur", "ps", "ckb", "dv", "yi")
#: Folders searched for <lang>/LC_MESSAGES/messages.mo (the grader adds its own).
LOCALE_DIRS = [HERE / "locale"]
_translations = {}


def translation(language):
    """The gettext translation of the messages into *language* (English when there is none)."""
    if language not in _translations:
        found = None
        for folder in LOCALE_DIRS:
            found = _gettext.translation("messages", localedir=str(folder), languages=[language], fallback=True)
            if type(found) is not _gettext.NullTranslations:
                break
        _translations[language] = found
    return _translations[language]


def _(text):
    """Marks *text* as a message to translate (the catalog tools look for this name)."""
    return text


gettext = _


# Unicode isolates: LRI ... PDI keeps a value left to right inside right-to-left text;
# RLI ... PDI makes a whole line right to left even in a left-to-right output area.
LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"


class _Formatter(string.Formatter):
    def __init__(self, language):
        self.language = language

    def format_field(self, value, format_spec):
        if isinstance(value, Message):
            return value.render(self.language, whole_lines=False)
        return isolate(show(value) if not format_spec else format(value, format_spec), self.language)


def show(value):
    """*value* as printed in a message."""
    if type(value) is np.ndarray:
        return np.array2string(value, precision=8, separator=", ", max_line_width=100, threshold=40)
    return value if type(value) is str else repr(value)


def isolate(text, language):
    """In a right-to-left language, each line of *text* isolated left to right; else *text* itself."""
    if language not in RIGHT_TO_LEFT:
        return text
    return "\n".join(f"{LRI}{line}{PDI}" for line in text.split("\n"))


def isolate_lines(text, language):
    """In a right-to-left language, each line of *text* isolated right to left, so that it reads in order
    in a left-to-right output area; else *text* itself."""
    if language not in RIGHT_TO_LEFT:
        return text
    return "\n".join(f"{RLI}{line}{PDI}" if line.strip() else line for line in text.split("\n"))


class Message:
    """An English message and its values, shown in the notebook's language (or any other)."""

    def __init__(self, text, /, **values):
        self.text, self.values = text, values

    def render(self, language=None, whole_lines=True):
        """The message in *language*; *whole_lines* isolates each line right to left where that is needed."""
        language = language or LANGUAGE
        text = _Formatter(language).format(translation(language).gettext(self.text), **self.values)
        return isolate_lines(text, language) if whole_lines else text

    def __str__(self):
        return self.render()

    def __repr__(self):
        return f"Message({self.text!r})"


class CheckFailed(AssertionError):
    """A check found a wrong result; the message says which and how, the hint (if any) why."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        #: A Message, or a Report of several checks.
        self.message = message if hasattr(message, "render") else Message("{text}", text=str(message))
        self.hint = hint

    def render(self, language=None, whole_lines=True):
        return self.message.render(language, whole_lines=whole_lines)

    def __str__(self):
        return self.render()

    def _render_traceback_(self):
        # IPython shows these lines instead of a traceback of the checker's internals.
        return str(self).split("\n")


def fail(text, /, hint=None, **values):
    raise CheckFailed(Message(text, **values), hint)


# --- what a function returned --------------------------------------------------------
class Opaque:
    """An object that is no plain data (a number, an array, a tuple...): only its type's name is kept."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name} object>"


def kind(value):
    """The name of *value*'s type, as a message shows it."""
    return value.type_name if type(value) is Opaque else type(value).__name__


class Outcome:
    """What one call of the student's function gave: a value, or an error, and the arguments after the call."""

    def __init__(self, value=None, args_after=(), error=None):
        self.value, self.args_after, self.error = value, args_after, error


def call(fn_name, fn, *args, **kwargs):
    """Run the student's function here; an exception becomes a failed check that names it."""
    try:
        # A warning would be printed on stderr; the values decide, not the warnings.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except CheckFailed:
        raise
    except Exception as err:  # the student's bug, reported with its type and message
        raise CheckFailed(Message(_("{fn} raised {error}: {message}"), fn=fn_name, error=type(err).__name__,
                                  message=str(err)), hint_for_error(fn_name, type(err).__name__, str(err))) from None


def no_result(reason, fn_name, **values):
    """The failure of a call that gave nothing to check: *reason* is raised, missing, timeout, died or garbled."""
    texts = {
        "raised": _("{fn} raised {error}: {message}"),
        "missing": _("{name} is not defined: run the cell that defines it."),
        "timeout": _("{fn} did not finish within {seconds} seconds."),
        "died": _("The kernel stopped while {fn} ran (os._exit, a crash, or the memory limit)."),
        "garbled": _("{fn} gave no result that the grader could read."),
    }
    hint = hint_for_error(fn_name, values.get("error", ""), values.get("message", "")) if reason == "raised" else None
    return CheckFailed(Message(texts[reason], fn=fn_name, **values), hint)


def hint_for_error(fn_name, error, message):
    """A hint for an exception that students often meet, or None."""
    if error == "TypeError" and "0-dimensional arrays can be converted to Python scalars" in message:
        return hint("float_of_array")
    return None


# --- expectations: each raises CheckFailed, or returns the value it checked ------------
#: False while hidden cases are judged: their expected values are never shown, whatever a check asks for.
_show_expected = [True]


def _showing(show_values):
    return show_values and _show_expected[0]

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
        if _showing(show_values):
            fail(_("{name} is wrong.\n  expected: {expected}\n  got:      {actual}"),
                 name=name, expected=expected, actual=actual)
        fail(_("{name} is wrong: the largest difference is {diff:.3g}, at index {index}."),
             name=name, diff=worst, index=where)
    return actual


def expect_scalar(name, value, expected, atol=1e-9, show_values=True):
    actual = as_scalar(name, value)
    if not abs(actual - float(expected)) <= atol:
        if not _showing(show_values):
            fail(_("{name} is wrong."), name=name)
        fail(_("{name} is wrong: expected {expected}, got {actual}."), name=name, expected=float(expected),
             actual=actual)
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
        if not _showing(show_values):
            fail(_("{name} is wrong."), name=name)
        fail(_("{name} is wrong: expected {expected}, got {actual}."), name=name, expected=expected, actual=actual)
    return actual


# --- cases: a call of the student's function and what its result must be ------------
class Case:
    """One call of a function (*args*, *kwargs*) and the checks its outcome must pass.

    Each check takes the Outcome and raises CheckFailed.  *label* says which
    situation the case is (the hidden cases have one).  *diagnose*, given the
    Outcome of a failing case, names the likely mistake (a hint) or None.
    """

    def __init__(self, args, checks, kwargs=None, label=None, diagnose=None):
        self.args, self.kwargs, self.checks, self.label = tuple(args), dict(kwargs or {}), list(checks), label
        self.diagnose = diagnose


class Report:
    """The result of a function's cases: how many checks, and the failures with their hints."""

    def __init__(self, fn_name, total, failed, failures, kind="visible"):
        self.fn_name, self.total, self.failed, self.failures, self.kind = fn_name, total, failed, failures, kind

    @property
    def passed(self):
        return not self.failures

    def header(self):
        if self.failures:
            text = (_("{fn}: {failed} of {total} hidden checks failed.") if self.kind == "hidden"
                    else _("{fn}: {failed} of {total} checks failed."))
            return Message(text, fn=self.fn_name, failed=self.failed, total=self.total)
        if self.kind == "hidden":
            return Message(_("{fn}: all {total} hidden checks passed."), fn=self.fn_name, total=self.total)
        if self.kind == "form":
            return Message(_("{fn}: your answer has the right form. Its values are checked when your work is "
                             "graded."), fn=self.fn_name)
        return Message(_("{fn}: all {total} checks passed."), fn=self.fn_name, total=self.total)

    def render(self, language=None, whole_lines=True):
        """The report as text: the header, then a line per failure (and its hint)."""
        language = language or LANGUAGE
        lines = [("" if self.failures else "✓ ") + self.header().render(language, whole_lines=False)]
        hints = set()
        for label, failure in self.failures:
            text = failure.render(language, whole_lines=False)
            if label is not None:
                text = f"[{label.render(language, whole_lines=False)}] {text}"
            lines.append("✗ " + text)
            if failure.hint is not None and failure.hint.text not in hints:  # each hint once
                hints.add(failure.hint.text)
                lines.append("  " + Message(_("Hint: {hint}"), hint=failure.hint).render(language, whole_lines=False))
        text = "\n".join(lines)
        return isolate_lines(text, language) if whole_lines else text


def judge(fn_name, cases, outcomes, kind="visible"):
    """The Report of *cases* given their *outcomes* (one per case; an Outcome, or a CheckFailed for the call)."""
    failures, total = [], 0
    _show_expected[0] = kind != "hidden"
    try:
        _judge_cases(fn_name, cases, outcomes, failures)
    finally:
        _show_expected[0] = True
    total = sum(len(case.checks) for case in cases)
    # The same failure is one line, not one line per check it failed.
    unique, seen = [], set()
    for label, failure in failures:
        key = (label.render("en") if label else None, failure.render("en"))
        if key not in seen:
            seen.add(key)
            unique.append((label, failure))
    return Report(fn_name, total, len(failures), unique, kind)


def _judge_cases(fn_name, cases, outcomes, failures):
    for case, outcome in zip(cases, outcomes):
        if isinstance(outcome, CheckFailed):
            failures += [(case.label, outcome)] * len(case.checks)
            continue
        before = len(failures)
        _run_checks(fn_name, case, outcome, failures)
        if len(failures) > before and case.diagnose is not None and failures[before][1].hint is None:
            try:
                failures[before][1].hint = case.diagnose(outcome)
            except Exception:  # noqa: BLE001 - a hint is a courtesy: no hint rather than no verdict
                pass


def _run_checks(fn_name, case, outcome, failures):
    for check in case.checks:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check(outcome)
        except CheckFailed as failure:
            failures.append((case.label, failure))
        except Exception as err:  # a result too far from the expected one to be looked at
            failures.append((case.label, CheckFailed(Message(
                _("{fn} returned a result that could not be checked: {error}: {message}"),
                fn=fn_name, error=type(err).__name__, message=str(err)))))


def run_here(fn_name, fn, cases, kind="visible"):
    """Run *cases* on *fn* in this notebook and print the report, or raise it as a CheckFailed."""
    outcomes = []
    for case in cases:
        args = [np.array(a) if type(a) is np.ndarray else a for a in case.args]
        try:
            value = call(fn_name, fn, *args, **case.kwargs)
            outcomes.append(Outcome(value, tuple(args)))
        except CheckFailed as failure:
            outcomes.append(failure)
    return _show(judge(fn_name, cases, outcomes, kind))


def _show(report):
    """Print a passing report; raise a failing one (IPython then shows its lines, not a traceback)."""
    if report.passed:
        print(report.render())
        return report
    raise CheckFailed(report)


# --- hints: the mistakes many students make, recognised from a failing result -------
HINTS = {
    "float_of_array": _("float() of an array with more than 0 dimensions fails in NumPy 2, even when it holds one "
                        "number, as b of shape (1, 1, 1) does; take the number out with b.item() (or b[0, 0, 0])."),
    "bias_everywhere": _("Your result is off by (f*f*n_C - 1) * b: the bias was added to every product before the "
                         "sum. Add b once, to the sum."),
    "unpad_minus_pad": _("With pad = 0, a slice [pad:-pad] is [0:0], which is empty. Cut the padding with explicit "
                         "ends: [pad:pad + n_H_prev, pad:pad + n_W_prev]."),
    "stride_ignored": _("Your result is what stride 1 gives on the same windows: each window must start at "
                        "h * stride and w * stride, not at h and w."),
    "pooled_across_channels": _("Each channel must be pooled on its own: a window is A_prev[i, rows, columns, c], "
                                "not A_prev[i, rows, columns, :]."),
    "pooled_across_batch": _("Each example must be pooled on its own: a window is A_prev[i, rows, columns, c], "
                             "not A_prev[:, rows, columns, c]."),
    "rows_columns_swapped": _("Your result has its rows and columns exchanged: the height (h, n_H) goes with the "
                              "first spatial axis and the width (w, n_W) with the second."),
    "mask_holds_values": _("The mask should hold True where x is largest and False elsewhere, not the value of x "
                           "there."),
    "divided_by_sides": _("The value is divided by n_H + n_W; each of the n_H * n_W entries of the window gets an "
                          "equal share, so divide by n_H * n_W."),
    "overwrites_overlaps": _("Where windows overlap, their gradients add up: use += when you write a window's "
                             "share, not =."),
    "last_example_only": _("dW and db sum over every example of the batch, not only over the last one: "
                           "accumulate inside the loop over i."),
}


def hint(name):
    return Message(HINTS[name])


def primary(fn_name, value):
    """What a hint compares of a function's result: Z of (Z, cache), A of (A, cache), the rest as it is."""
    if fn_name in ("conv_forward", "pool_forward") and type(value) is tuple and len(value) == 2:
        return value[0]
    return value


def _components(value):
    """A result as a list of float arrays, or None if it is no numbers."""
    parts = value if type(value) is tuple else (value,)
    out = []
    for part in parts:
        if type(part) in (float, int) or isinstance(part, (np.floating, np.integer)):
            out.append(np.asarray(float(part)))
        elif type(part) is np.ndarray and part.dtype.kind in "fiub":
            out.append(np.asarray(part, dtype=np.float64))
        else:
            return None
    return out


def _close(a, b):
    return a.shape == b.shape and max_abs_difference(a, b)[0] <= 1e-7 * max(1.0, float(np.max(np.abs(b), initial=0)))


def mistake_of(result, models, reference):
    """The hint of the first model that *result* matches: every part equal to the model's or the reference's,
    and some part equal to the model's where the model is wrong."""
    got, want = _components(result), _components(reference)
    if got is None or want is None:
        return None
    for name, model in models:
        parts = _components(model)
        if parts is None or len(parts) != len(got) or len(want) != len(got):
            continue
        if all(_close(g, m) or _close(g, w) for g, m, w in zip(got, parts, want)) and \
                any(_close(g, m) and not _close(m, w) for g, m, w in zip(got, parts, want)):
            return hint(name)
    return None


_WEIGHTS = np.random.RandomState(0).rand(2**16)


def fingerprint(value):
    """A few numbers that tell one result from another: per part, its shape, sum, sum of squares and a weighted sum."""
    parts = _components(value)
    if parts is None:
        return None
    prints = []
    for part in parts:
        flat = part.reshape(-1)
        weights = np.resize(_WEIGHTS, flat.size)
        prints.append([list(part.shape), float(flat.sum()), float((flat ** 2).sum()), float(flat @ weights)])
    return prints


def _same_print(a, b):
    return a[0] == b[0] and all(abs(x - y) <= 1e-6 * max(1.0, abs(y)) for x, y in zip(a[1:], b[1:]))


def mistake_by_fingerprint(result, stored):
    """mistake_of, for a published case, with the models' and the reference's fingerprints in place of results."""
    got = fingerprint(result)
    if got is None:
        return None
    for entry in stored:
        parts, want = entry["model"], entry["reference"]
        if len(parts) != len(got) or len(want) != len(got):
            continue
        if all(_same_print(g, m) or _same_print(g, w) for g, m, w in zip(got, parts, want)) and \
                any(_same_print(g, m) and not _same_print(m, w) for g, m, w in zip(got, parts, want)):
            return hint(entry["hint"])
    return None


def _published_hints():
    """{function: [per published case: [{"hint", "model", "reference"}]]}, written by the course build."""
    for candidate in (HERE / "data" / "hint_fingerprints.json",
                      HERE.parent.parent / "course_data" / "hint_fingerprints.json"):
        if candidate.exists():
            import json
            return json.loads(candidate.read_text(encoding="utf-8"))
    return {}


def _with_published_hints(fn_name, cases):
    """The published cases of *fn_name*, each able to name the mistake behind a failing result."""
    stored = _published_hints().get(fn_name, [])
    for case, entries in zip(cases, stored):
        case.diagnose = lambda outcome, entries=entries: mistake_by_fingerprint(primary(fn_name, outcome.value),
                                                                              entries)
    return cases


# --- the published values ----------------------------------------------------------
def seeded(seed):
    """A private random generator; ``seeded(1).randn(...)`` equals ``np.random.seed(1); np.random.randn(...)``."""
    return np.random.RandomState(seed)


def _expected_values_file():
    for candidate in (HERE / "data" / "expected_values.h5",
                      HERE.parent.parent / "course_data" / "expected_values.h5"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(str(Message(_("expected_values.h5 is missing: it should be in {path}."),
                                        path=str(HERE / "data"))))


def published(key):
    """A published expected value (or the stored input dZ) by its key, e.g. 'zero_pad/x_1_1'."""
    with h5py.File(_expected_values_file(), "r") as h5:
        return h5[key][()]


def returned(check):
    """A check of the returned value, from a check of a value."""
    return lambda outcome: check(outcome.value)


def part(index, name, check):
    """A check of item *index* of the returned tuple (once the tuple itself is right)."""
    def on_outcome(outcome):
        value = outcome.value
        if type(value) is not tuple or len(value) <= index:
            fail(_("{name} should be returned as item {index} of a tuple."), name=name, index=index)
        check(value[index])
    return on_outcome


# --- the published cases, one list per function ------------------------------------
def zero_pad_cases():
    x = seeded(1).randn(4, 3, 3, 2)
    return [Case((x, 2), [
        returned(lambda x_pad: expect_shape("x_pad", x_pad, published("zero_pad/x_pad_shape"))),
        lambda outcome: expect_close("x[1, 1]", outcome.args_after[0][1, 1], published("zero_pad/x_1_1")),
        returned(lambda x_pad: expect_close("x_pad[1, 1]", as_array("x_pad", x_pad)[1, 1], [[0.0, 0.0]] * 7)),
        returned(lambda x_pad: expect_close("x_pad[:, 2:5, 2:5, :]", as_array("x_pad", x_pad)[:, 2:5, 2:5, :], x)),
    ])]


def conv_single_step_cases():
    rng = seeded(1)
    a_slice_prev, W, b = rng.randn(4, 4, 3), rng.randn(4, 4, 3), rng.randn(1, 1, 1)
    return [Case((a_slice_prev, W, b), [
        returned(lambda Z: expect_scalar("Z", Z, published("conv_single_step/Z"), atol=1e-10)),
    ])]


def conv_forward_cases():
    rng = seeded(1)
    A_prev, W, b = rng.randn(10, 4, 4, 3), rng.randn(2, 2, 3, 8), rng.randn(1, 1, 1, 8)
    return [Case((A_prev, W, b, {"pad": 2, "stride": 2}), [
        part(0, "Z", lambda Z: expect_shape("Z", Z, (10, 4, 4, 8))),
        part(0, "Z", lambda Z: expect_scalar("mean(Z)", as_array("Z", Z).mean(), published("conv_forward/Z_mean"),
                                             atol=1e-10)),
        part(0, "Z", lambda Z: expect_close("Z[3, 2, 1]", as_array("Z", Z)[3, 2, 1], published("conv_forward/Z_3_2_1"))),
        part(1, "cache", lambda cache: expect_close("cache[0][1][2][3]", _item(cache, 0)[1][2][3],
                                                    published("conv_forward/cache_0_1_2_3"))),
    ])]


def _item(container, index):
    """container[index] of a returned tuple, as a check sees it."""
    if type(container) is not tuple or len(container) <= index:
        fail(_("{name} should be a tuple of at least {length} items."), name="cache", length=index + 1)
    return as_array(f"cache[{index}]", container[index])


def pool_forward_cases():
    def case(shape, stride, mode, checks):
        return Case((seeded(1).randn(*shape), {"stride": stride, "f": 3}), checks, {"mode": mode})

    def older(mode):
        return case((2, 4, 4, 3), 2, mode, [part(0, "A", lambda A: expect_close(
            f"A (mode={mode}, A_prev (2, 4, 4, 3), f=3, stride=2)", A, published(f"pool_forward/v1_{mode}")))])

    def newer(mode, stride, index, key):
        shape = (2, 3, 3, 3) if stride == 1 else (2, 2, 2, 3)
        return case((2, 5, 5, 3), stride, mode, [part(0, "A", lambda A: (
            expect_shape(f"A (mode={mode}, stride={stride})", A, shape),
            expect_close(f"A{list(index)} (mode={mode}, stride={stride})", as_array("A", A)[index], published(key))))])

    return [older("max"), older("average"),
            newer("max", 1, (1, 1), "pool_forward/v2_stride1_max_1_1"),
            newer("average", 1, (1, 1), "pool_forward/v2_stride1_average_1_1"),
            newer("max", 2, (0,), "pool_forward/v2_stride2_max_0"),
            newer("average", 2, (1,), "pool_forward/v2_stride2_average_1")]


def conv_backward_cases():
    rng = seeded(1)
    A_prev, W, b = rng.randn(10, 4, 4, 3), rng.randn(2, 2, 3, 8), rng.randn(1, 1, 1, 8)
    cache = (A_prev, W, b, {"pad": 2, "stride": 2})
    return [Case((published("conv_backward/dZ"), cache), [
        part(0, "dA_prev", lambda dA: expect_shape("dA_prev", dA, A_prev.shape)),
        part(1, "dW", lambda dW: expect_shape("dW", dW, W.shape)),
        part(2, "db", lambda db: expect_shape("db", db, b.shape)),
        part(0, "dA_prev", lambda dA: expect_scalar("dA_mean", as_array("dA_prev", dA).mean(),
                                                    published("conv_backward/dA_mean"))),
        part(1, "dW", lambda dW: expect_scalar("dW_mean", as_array("dW", dW).mean(), published("conv_backward/dW_mean"))),
        part(2, "db", lambda db: expect_scalar("db_mean", as_array("db", db).mean(), published("conv_backward/db_mean"))),
    ])]


def create_mask_from_window_cases():
    return [Case((seeded(1).randn(2, 3),), [
        returned(lambda mask: expect_mask("mask", mask, published("create_mask_from_window/mask"))),
    ])]


def distribute_value_cases():
    return [Case((2, (2, 2)), [
        returned(lambda a: expect_close("distribute_value(2, (2, 2))", a, published("distribute_value/a"))),
    ])]


def pool_backward_cases():
    rng = seeded(1)
    A_prev = rng.randn(5, 5, 3, 2)
    dA = rng.randn(5, 4, 2, 2)

    def mode_case(mode):
        return Case((dA, (A_prev, {"stride": 1, "f": 2})), [returned(lambda dA_prev: (
            expect_shape(f"dA_prev (mode={mode})", dA_prev, A_prev.shape),
            expect_close(f"dA_prev[1, 1] (mode={mode})", as_array("dA_prev", dA_prev)[1, 1],
                         published(f"pool_backward/{mode}_dA_prev_1_1"))))], {"mode": mode})

    # The first check is of the published input itself: a wrong dA here is a wrong seed, not a wrong function.
    inputs = Case((dA, (A_prev, {"stride": 1, "f": 2})), [lambda outcome: expect_scalar(
        "mean(dA)", outcome.args_after[0].mean(), published("pool_backward/dA_mean"), atol=1e-11)], {"mode": "max"})
    return [inputs, mode_case("max"), mode_case("average")]


#: The published cases of every graded function.
PUBLISHED_CASES = {
    "zero_pad": zero_pad_cases,
    "conv_single_step": conv_single_step_cases,
    "conv_forward": conv_forward_cases,
    "pool_forward": pool_forward_cases,
    "conv_backward": conv_backward_cases,
    "create_mask_from_window": create_mask_from_window_cases,
    "distribute_value": distribute_value_cases,
    "pool_backward": pool_backward_cases,
}


def published_cases(name):
    """The published cases of the function *name*, with their hints."""
    return _with_published_hints(name, PUBLISHED_CASES[name]())


def _visible_check(name):
    def check(fn):
        return run_here(name, fn, published_cases(name))
    check.__name__ = name
    check.__doc__ = f"Run {name} on its published cases and compare with the published values."
    return check


zero_pad = _visible_check("zero_pad")
conv_single_step = _visible_check("conv_single_step")
conv_forward = _visible_check("conv_forward")
pool_forward = _visible_check("pool_forward")
conv_backward = _visible_check("conv_backward")
create_mask_from_window = _visible_check("create_mask_from_window")
distribute_value = _visible_check("distribute_value")
pool_backward = _visible_check("pool_backward")


# --- the exercises on paper: one check of form per answer --------------------------
# These checks look at the form of an answer (its type, its dimensions, its
# keys) and never at its values, which the graded checks judge.  Everything the
# graded checks require of the form is checked here, so an answer that passes
# can lose points only for its numbers.
LAYERS = ("conv", "pool", "flatten", "fc1", "fc2")


def _form_case(check):
    """A case whose 'call' is reading the answers: its outcome's value is the tuple of answers."""
    return Case((), [lambda outcome: check(*outcome.value)])


def _per_layer(name, check_layer):
    def table(value):
        return as_table(name, answered(name, value), LAYERS)

    return [_form_case(table)] + [
        _form_case(lambda value, layer=layer: check_layer(f"{name}[{layer!r}]", layer, answered(
            f"{name}[{layer!r}]", table(value)[layer]))) for layer in LAYERS]


def _layer_shape(name, layer, entry):
    sizes = as_ints(name, entry, 3) if layer in ("conv", "pool") else (as_int(name, entry),)
    for size in sizes:
        expect_positive(name, size)


def _layer_counts(name, layer, entry):
    for count in as_ints(name, entry, 2):
        expect_not_negative(name, count)


def _one_by_one_shape(shape, reason):
    for size in as_ints("one_by_one_shape", answered("one_by_one_shape", shape), 3):
        expect_positive("one_by_one_shape", size)


#: The answers each paper exercise reads, and the checks of their form.
FORM_CASES = {
    "edge_output": (("edge_output",), lambda: [_form_case(lambda v: as_matrix("edge_output", answered("edge_output", v)))]),
    "layer_shapes": (("layer_shapes",), lambda: _per_layer("layer_shapes", _layer_shape)),
    "layer_parameters": (("layer_parameters",), lambda: _per_layer("layer_parameters", _layer_counts)),
    "one_by_one": (("one_by_one_shape", "one_by_one_reason"), lambda: [
        _form_case(_one_by_one_shape),
        _form_case(lambda shape, reason: expect_choice("one_by_one_reason", answered("one_by_one_reason", reason),
                                                       (1, 2, 3, 4)))]),
    "gap_backprop": (("gap_O", "gap_L", "gap_dF", "gap_dX"), lambda: [
        # A gradient has the shape of what it is the gradient of: F is 2 x 2 and X is 3 x 3.
        _form_case(lambda O, L, dF, dX: as_matrix("gap_O", answered("gap_O", O))),
        _form_case(lambda O, L, dF, dX: as_scalar("gap_L", answered("gap_L", L))),
        _form_case(lambda O, L, dF, dX: expect_shape("gap_dF", answered("gap_dF", dF), (2, 2))),
        _form_case(lambda O, L, dF, dX: expect_shape("gap_dX", answered("gap_dX", dX), (3, 3)))]),
    "pooling_by_hand": (("max_pooled", "average_pooled"), lambda: [
        _form_case(lambda m, a: as_matrix("max_pooled", answered("max_pooled", m))),
        _form_case(lambda m, a: as_matrix("average_pooled", answered("average_pooled", a)))]),
}


def _form_check(name):
    def check(*answers):
        cases = FORM_CASES[name][1]()
        return _show(judge(name, cases, [Outcome(answers)] * len(cases), kind="form"))
    check.__name__ = name
    check.__doc__ = f"Check the form of the answers of {name} (not their values)."
    return check


edge_output = _form_check("edge_output")
layer_shapes = _form_check("layer_shapes")
layer_parameters = _form_check("layer_parameters")
one_by_one = _form_check("one_by_one")
gap_backprop = _form_check("gap_backprop")
pooling_by_hand = _form_check("pooling_by_hand")
