"""The data that crosses between the grader and the student's kernel, both ways.

Only plain data crosses: ``None``, bools, ints, floats, strings, tuples,
lists, dicts with string keys, numpy arrays of numbers (their dtype, shape
and raw bytes: no pickle, no header to parse) and numpy scalars.  Anything else is sent as its type's
name only (``{"t": "opaque"}``), so that no live object, pickle or code ever
crosses.  Decoding checks every field and bounds every size: what the
kernel sends is a claim, and a malformed claim is an error, never a crash.

This module imports only the standard library and numpy: its source is also
sent into the kernel, where it encodes the results.
"""
import base64
import hashlib
import json

import numpy as np

#: Bounds on what may be decoded.
MAX_DEPTH = 8
MAX_ITEMS = 10_000
MAX_ARRAY_BYTES = 2 * 2**20
MAX_TEXT = 10_000
MAX_DIMS = 32
#: Array element kinds that cross (booleans, integers, unsigned, floats).
ARRAY_KINDS = "biuf"


class WireError(ValueError):
    """A message that is not well-formed data."""


def encode(value, depth=0):
    """*value* as JSON-able data."""
    if depth > MAX_DEPTH:
        return {"t": "opaque", "type": "(nested too deeply)"}
    kind = type(value)
    if value is None or kind in (bool, str):
        return {"t": kind.__name__ if value is not None else "none", "v": value}
    if kind is int:
        return {"t": "int", "v": str(value)}
    if kind is float:
        return {"t": "float", "v": repr(value)}
    if kind in (tuple, list):
        return {"t": kind.__name__, "v": [encode(v, depth + 1) for v in value[:MAX_ITEMS]]}
    if kind is dict and all(type(k) is str for k in value):
        return {"t": "dict", "v": [[k, encode(v, depth + 1)] for k, v in list(value.items())[:MAX_ITEMS]]}
    if kind is np.ndarray and value.dtype.kind in ARRAY_KINDS and value.nbytes <= MAX_ARRAY_BYTES:
        return {"t": "ndarray", "d": value.dtype.str, "s": list(value.shape),
                "v": base64.b64encode(np.ascontiguousarray(value).tobytes()).decode("ascii")}
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and value.dtype.kind in ARRAY_KINDS:
        return {"t": "npscalar", "dtype": value.dtype.str, "v": encode(value.item(), depth + 1)}
    return {"t": "opaque", "type": type_name(kind)}


def type_name(kind):
    try:
        name = str(type.__dict__["__name__"].__get__(kind))
    except Exception:  # noqa: BLE001 - a hostile metaclass
        name = "object"
    return "".join(c for c in name if c.isalnum() or c in "_.")[:60] or "object"


def dumps(value) -> str:
    return json.dumps(encode(value))


def decode(data, opaque):
    """The value that *data* (from ``encode``) stands for; WireError if it is not well formed.

    An object that was no plain data comes back as ``opaque(type name)``.  Whatever *data* holds, the
    only exception is a WireError.
    """
    try:
        return _decode(data, opaque)
    except WireError:
        raise
    except Exception as err:  # noqa: BLE001 - a dtype numpy cannot parse, a number its type cannot hold...
        raise WireError(f"malformed data ({type(err).__name__})") from None


def _decode(data, opaque, depth=0, budget=None):
    budget = budget if budget is not None else [MAX_ITEMS * 4]
    budget[0] -= 1
    if depth > MAX_DEPTH + 1 or budget[0] < 0:
        raise WireError("the data is nested too deeply or has too many items")
    if type(data) is not dict or type(data.get("t")) is not str:
        raise WireError("an item is not a tagged value")
    tag, v = data["t"], data.get("v")
    if tag == "none":
        return None
    if tag == "bool" and type(v) is bool:
        return v
    if tag == "str" and type(v) is str and len(v) <= MAX_TEXT:
        return v
    if tag == "int" and type(v) is str and len(v) <= 400:
        return int(v)
    if tag == "float" and type(v) is str and len(v) <= 40:
        return float(v)
    if tag in ("tuple", "list") and type(v) is list and len(v) <= MAX_ITEMS:
        items = [_decode(item, opaque, depth + 1, budget) for item in v]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict" and type(v) is list and len(v) <= MAX_ITEMS:
        out = {}
        for pair in v:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise WireError("a dict entry is not a (str, value) pair")
            out[pair[0]] = _decode(pair[1], opaque, depth + 1, budget)
        return out
    if tag == "ndarray" and type(v) is str and len(v) <= MAX_ARRAY_BYTES * 4 // 3 + 4:
        return _array(data.get("d"), data.get("s"), v)
    if tag == "npscalar" and type(data.get("dtype")) is str and len(data["dtype"]) <= 8:
        dtype = np.dtype(data["dtype"])
        item = _decode(v, opaque, depth + 1, budget)
        if dtype.kind not in ARRAY_KINDS or type(item) not in (bool, int, float):
            raise WireError("a scalar is not a number")
        return dtype.type(item)
    if tag == "opaque" and type(data.get("type")) is str:
        return opaque(data["type"][:60])
    raise WireError(f"an item has the unknown or malformed tag {tag!r}")


def _array(dtype, shape, text):
    """The array of *dtype* and *shape* whose bytes *text* holds (base64); WireError unless all three agree."""
    if type(dtype) is not str or len(dtype) > 8:
        raise WireError("an array has no dtype")
    dtype = np.dtype(dtype)
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError("an array holds no numbers")
    if (type(shape) is not list or len(shape) > MAX_DIMS
            or not all(type(n) is int and 0 <= n <= MAX_ARRAY_BYTES for n in shape)):
        raise WireError("an array has a malformed shape")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise WireError("an array's bytes are not base64") from None
    size = 1
    for n in shape:
        size *= n
    if size * dtype.itemsize != len(raw):
        raise WireError("an array's bytes do not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def loads(text: str, opaque):
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise WireError("not JSON") from None
    return decode(data, opaque)


def call_key(args) -> str:
    """A key of a helper call's arguments: equal for equal values, whatever their container.

    A size-1 array keys as the number it holds (``b`` of shape (1, 1, 1) and
    ``b.item()`` are one argument), and a list as a tuple.
    """
    digest = hashlib.blake2b(digest_size=16)
    _feed(digest, args)
    return digest.hexdigest()


def _feed(digest, value):
    kind = type(value)
    if kind in (tuple, list):
        digest.update(b"(%d" % len(value))
        for item in value:
            _feed(digest, item)
        digest.update(b")")
    elif kind is dict:
        digest.update(b"{%d" % len(value))
        for k in sorted(value, key=str):
            _feed(digest, str(k))
            _feed(digest, value[k])
        digest.update(b"}")
    elif kind is np.ndarray and value.size != 1 and value.dtype.kind in ARRAY_KINDS:
        digest.update(b"A" + repr(value.shape).encode())
        digest.update(np.ascontiguousarray(value, dtype=np.float64).tobytes())
    elif kind in (bool, int, float) or (isinstance(value, (np.generic, np.ndarray)) and np.size(value) == 1
                                         and np.asarray(value).dtype.kind in ARRAY_KINDS):
        digest.update(b"N" + np.float64(np.asarray(value).reshape(-1)[0] if kind is np.ndarray else value).tobytes())
    elif kind is str:
        digest.update(b"S" + value.encode())
    else:
        digest.update(b"?" + type_name(kind).encode())
