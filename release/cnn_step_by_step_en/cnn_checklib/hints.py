"""Hints: the mistakes many students make, recognised from a failing result (or from the error a call raised)."""
import json

import numpy as np

from .language import NOTEBOOK_DIR, Message, _

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
    """{function: [per published case: [{"hint", "model", "reference"}]]}, written by the course build."""
    for candidate in (NOTEBOOK_DIR / "data" / "hint_fingerprints.json",
                      NOTEBOOK_DIR.parent.parent / "course_data" / "hint_fingerprints.json"):
        if candidate.exists():
            return json.loads(candidate.read_text(encoding="utf-8"))
    return {}


def with_published_hints(fn_name, cases):
    """The published cases of *fn_name*, each able to name the mistake behind a failing result."""
    stored = _published_hints().get(fn_name, [])
    for case, entries in zip(cases, stored):
        case.diagnose = lambda outcome, entries=entries: mistake_by_fingerprint(primary(fn_name, outcome.value),
                                                                              entries)
    return cases


def hint_for_error(fn_name, error, message):
    """A hint for an exception that students often meet, or None."""
    if error == "TypeError" and "0-dimensional arrays can be converted to Python scalars" in message:
        return hint("float_of_array")
    return None
