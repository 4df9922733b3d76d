"""Mistakes many students make, each a model that recognises it however it shows: from a failing result (its
fingerprint, or the grader's model of it) or from the error a call raised on a case's inputs.

Every mistake has a short name (what the instructor report counts it as), a hint (what the student reads under
the failing check) and the errors it raises.  No hint names an expected value.
"""
import functools
import json
import re

import numpy as np

from .language import NOTEBOOK_DIR, Message, _


class Raises:
    """An error by which a mistake shows: the exception's message matches *pattern* (a regular expression), in
    one of *functions* (every function if None), on a case whose arguments *when(args, kwargs)* accepts.

    The named groups of *pattern*, passed through *values* if given, fill the hint's placeholders.
    """

    def __init__(self, pattern, functions=None, when=None, values=None):
        self.pattern, self.functions, self.when, self.values = re.compile(pattern), functions, when, values

    def match(self, fn_name, message, args, kwargs):
        if self.functions is not None and fn_name not in self.functions:
            return None
        found = self.pattern.search(message)
        if found is None:
            return None
        try:
            if self.when is not None and not self.when(args, kwargs):
                return None
        except Exception:  # noqa: BLE001 - arguments of another form than the case's: not this mistake
            return None
        values = found.groupdict()
        return self.values(values) if self.values is not None else values


class Mistake:
    """A mistake: its *title* (a few words, for the report), its *hint* (for the student), how it *raises*."""

    def __init__(self, title, hint, raises=()):
        self.title, self.hint, self.raises = title, hint, tuple(raises)


class Hint(Message):
    """A mistake's hint as a failure carries it: a Message that knows the mistake's name."""

    def __init__(self, name, **values):
        super().__init__(MISTAKES[name].hint, **values)
        self.name = name


def _pad_is_zero(args, kwargs):
    return args[1][3]["pad"] == 0


#: np.<alias> removed from NumPy, and what to write instead.
_REMOVED = {"float": "float", "int": "int", "bool": "bool", "object": "object", "str": "str",
            "complex": "complex", "long": "int", "unicode": "str", "asscalar": "a.item()"}
_LOOPS = ("conv_forward", "pool_forward", "conv_backward", "pool_backward")

MISTAKES = {
    "float_of_array": Mistake(
        _("float() of an array"),
        _("float() of an array with more than 0 dimensions fails in NumPy 2, even when it holds one number, as b "
          "of shape (1, 1, 1) does; take the number out with b.item() (or b[0, 0, 0])."),
        [Raises(r"only (0-dimensional|length-1|size-1) arrays can be converted to Python scalars")]),
    "bias_as_array": Mistake(
        _("the bias added as an array"),
        _("Z is an array of shape (1, 1, 1), not a number: a number plus the array b is an array. Add the number "
          "that b holds: b.item() (or b[0, 0, 0]).")),
    "removed_numpy_alias": Mistake(
        _("a name removed from NumPy"),
        _("np.{alias} is no longer part of NumPy: write {instead} instead."),
        [Raises(r"module 'numpy' has no attribute '(?P<alias>" + "|".join(_REMOVED) + r")'",
                values=lambda found: {"alias": found["alias"], "instead": _REMOVED[found["alias"]]})]),
    "size_not_whole": Mistake(
        _("a size or an index that is a float"),
        _("A size or an index is a float: in Python 3, / always gives a float, even when the division is exact. "
          "Compute n_H and n_W (and every index) with // or int(...), so that they are whole numbers."),
        [Raises(r"'float' object cannot be interpreted as an integer|slice indices must be integers",
                functions=_LOOPS)]),
    "integer_array": Mistake(
        _("an array of whole numbers"),
        _("An array created with an integer dtype keeps only whole numbers: what is written into it is cut "
          "(or refused, with +=). Create the arrays you fill with floats: np.zeros(shape), without dtype=int."),
        [Raises(r"Cannot cast ufunc '\w+' output from dtype\('float\d*'\) to dtype\('u?int\d*'\)")]),
    "floor_division": Mistake(
        _("// where a fraction is needed"),
        _("// divides and rounds down to a whole number; the share of each entry is a fraction: divide with /.")),
    "boolean_mask_in_place": Mistake(
        _("the gradient stored in the boolean mask"),
        _("The mask holds booleans, so it cannot hold the gradient in place (mask *= ... fails): multiply it "
          "into a new array, mask * dA[i, h, w, c]."),
        [Raises(r"Cannot cast ufunc '\w+' output from dtype\('float\d*'\) to dtype\('bool'\)")]),
    "bias_everywhere": Mistake(
        _("the bias added to every product"),
        _("Your result is off by (f*f*n_C - 1) * b: the bias was added to every product before the sum. Add b "
          "once, to the sum.")),
    "unpad_minus_pad": Mistake(
        _("un-padding with [pad:-pad]"),
        _("With pad = 0, a slice [pad:-pad] is [0:0], which is empty. Cut the padding with explicit ends: "
          "[pad:pad + n_H_prev, pad:pad + n_W_prev]."),
        [Raises(r"could not broadcast input array from shape \((0,|\d+,0)", functions=("conv_backward",),
                when=_pad_is_zero)]),
    "stride_ignored": Mistake(
        _("the stride ignored"),
        _("Your result is what stride 1 gives on the same windows: each window must start at h * stride and "
          "w * stride, not at h and w.")),
    "pooled_across_channels": Mistake(
        _("pooled across channels"),
        _("Each channel must be pooled on its own: a window is A_prev[i, rows, columns, c], not "
          "A_prev[i, rows, columns, :].")),
    "pooled_across_batch": Mistake(
        _("pooled across the batch"),
        _("Each example must be pooled on its own: a window is A_prev[i, rows, columns, c], not "
          "A_prev[:, rows, columns, c].")),
    "rows_columns_swapped": Mistake(
        _("rows and columns swapped"),
        _("Your result has its rows and columns exchanged: the height (h, n_H) goes with the first spatial axis "
          "and the width (w, n_W) with the second.")),
    "mask_holds_values": Mistake(
        _("a mask holding values"),
        _("The mask should hold True where x is largest and False elsewhere, not the value of x there.")),
    "divided_by_sides": Mistake(
        _("divided by the sum of the sides"),
        _("The value is divided by n_H + n_W; each of the n_H * n_W entries of the window gets an equal share, "
          "so divide by n_H * n_W.")),
    "overwrites_overlaps": Mistake(
        _("overlapping windows overwritten"),
        _("Where windows overlap, their gradients add up: use += when you write a window's share, not =.")),
    "last_example_only": Mistake(
        _("dW and db from the last example"),
        _("dW and db sum over every example of the batch, not only over the last one: accumulate inside the loop "
          "over i.")),
}

#: {mistake: its hint's English text}
HINTS = {name: mistake.hint for name, mistake in MISTAKES.items()}


def hint(name, **values):
    return Hint(name, **values)


def title(name):
    """The mistake's short name, as a Message (the instructor report shows it)."""
    return Message(MISTAKES[name].title)


def hint_for_error(fn_name, error, message, args=(), kwargs=None):
    """The hint of the mistake that raises *error* with *message* when *fn_name* is called on *args*, or None."""
    for name, mistake in MISTAKES.items():
        for raises in mistake.raises:
            values = raises.match(fn_name, message, args, kwargs or {})
            if values is not None:
                return hint(name, **values)
    return None


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
    from .expect import max_abs_difference  # (expect needs failures, which needs these hints)

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
    """{function: [per published case: [{"hint", "model", "reference"}]]}, written by the course build.

    Read once while the file stays the same (its path, size and time); the entries are only read.
    """
    for candidate in (NOTEBOOK_DIR / "data" / "hint_fingerprints.json",
                      NOTEBOOK_DIR.parent.parent / "course_data" / "hint_fingerprints.json"):
        if candidate.exists():
            info = candidate.stat()
            return _read_hints(str(candidate), info.st_size, info.st_mtime_ns)
    return {}


@functools.lru_cache(maxsize=2)
def _read_hints(path, size, mtime_ns):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def with_published_hints(fn_name, cases):
    """The published cases of *fn_name*, each able to name the mistake behind a failing result."""
    stored = _published_hints().get(fn_name, [])
    for case, entries in zip(cases, stored):
        case.diagnose = lambda outcome, entries=entries: mistake_by_fingerprint(primary(fn_name, outcome.value),
                                                                              entries)
    return cases
