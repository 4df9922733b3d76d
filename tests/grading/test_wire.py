"""The wire format (grading.verdict.wire): only plain data crosses between the kernel and the grader.

What the kernel sends is a claim: these tests encode values as the kernel
would, decode them as the grader does, and hand the decoder malformed and
hostile messages.
"""
import base64
import json

import numpy as np
import pytest

from coursekit.grading.verdict import wire
from coursekit.grading.verdict.wire import WireError, call_key, decode, encode, loads


class Opaque:
    """Stands for an object that was no plain data (as cnn_checks.Opaque does)."""

    def __init__(self, type_name):
        self.type_name = type_name


def crossed(value):
    """*value* after the trip kernel -> grader."""
    return loads(wire.dumps(value), Opaque)


def same(a, b) -> bool:
    """Equal values of the same types, all the way down (dtypes and shapes of arrays included)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


# --- what crosses ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2**80, 1.5, -0.0, float("inf"), "", "zero_pad ✓ پیچش",
    (), (1, 2.5), [1, [2, (3,)]], {"dA_prev": (1, None), "n": [True]},
    np.arange(12.0).reshape(3, 4), np.arange(6, dtype=np.int8).reshape(1, 2, 3), np.array([True, False]),
    np.zeros((0, 3), dtype=np.uint16), np.float32(1.25), np.float64(-2.5), np.int64(7), np.bool_(True),
    (np.ones((2, 2)), {"cache": (np.zeros(3), 2)}),
], ids=repr)
def test_does_plain_data_cross_unchanged(value):
    """Does a plain value come back equal, of the same type (tuples stay tuples, dtypes stay dtypes)?"""
    assert same(crossed(value), value)


def test_does_a_float_keep_every_bit():
    """Does a float cross with every bit of its value (no decimal rounding)?"""
    value = 0.1 + 0.2
    assert crossed(value).hex() == value.hex()


class Sneaky(np.ndarray):
    """An ndarray subclass that claims to equal anything."""

    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value, type_name", [
    (np.arange(3).view(Sneaky), "Sneaky"),
    (np.ma.masked_array([1, 2], mask=[0, 1]), "MaskedArray"),
    (np.array([object()]), "ndarray"),
    (np.array([1 + 2j]), "ndarray"),
    ({1: "not a str key"}, "dict"),
    (object(), "object"),
    (lambda: 1, "function"),
], ids=["ndarray subclass", "masked array", "object array", "complex array", "int keys", "object", "function"])
def test_does_anything_else_cross_as_its_type_name_only(value, type_name):
    """Does an object that is no plain data come back as an opaque stand-in naming its type, and nothing more?"""
    back = crossed(value)
    assert (type(back), back.type_name) == (Opaque, type_name)


def test_is_a_hostile_type_name_cleaned():
    """Does a type whose name holds markup or spaces cross as letters, digits, dots and underscores only?"""
    hostile = type("<script>alert(1)</script> x" * 5, (), {})()
    name = crossed(hostile).type_name
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") and len(name) <= 60


def test_is_deep_nesting_cut_off():
    """Does a value nested deeper than MAX_DEPTH cross with its deep part opaque, instead of recursing on?"""
    value = []
    for _ in range(wire.MAX_DEPTH + 5):
        value = [value]
    back = crossed(value)
    for _ in range(wire.MAX_DEPTH):
        back = back[0]
    assert type(back[0]) is Opaque


# --- what the grader refuses ------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    [],
    {"v": 1},
    {"t": "int", "v": 3},
    {"t": "bool", "v": 1},
    {"t": "float", "v": "1" * 41},
    {"t": "str", "v": "x" * (wire.MAX_TEXT + 1)},
    {"t": "tuple", "v": {"a": 1}},
    {"t": "dict", "v": [[1, {"t": "none"}]]},
    {"t": "dict", "v": [["a"]]},
    {"t": "ndarray", "d": "<f8", "s": [1], "v": "not base64!"},
    {"t": "ndarray", "d": "<f8", "s": [2], "v": b64(b"\0" * 8)},          # fewer bytes than the shape needs
    {"t": "ndarray", "d": "<f8", "s": [-1], "v": b64(b"\0" * 8)},
    {"t": "ndarray", "d": "<f8", "s": "8", "v": b64(b"\0" * 8)},
    {"t": "ndarray", "d": "<f8", "s": [1] * 40, "v": b64(b"\0" * 8)},
    {"t": "ndarray", "d": "<f8", "s": [2**40, 2**40, 0], "v": b64(b"")},   # no elements, yet a claim of many
    {"t": "ndarray", "s": [1], "v": b64(b"\0" * 8)},
    {"t": "ndarray", "d": "no such", "s": [1], "v": b64(b"\0" * 8)},
    {"t": "ndarray", "d": "<c16", "s": [1], "v": b64(b"\0" * 16)},
    {"t": "ndarray", "d": "|V8", "s": [1], "v": b64(b"\0" * 8)},
    {"t": "npscalar", "dtype": "no such", "v": {"t": "int", "v": "1"}},
    {"t": "npscalar", "dtype": "<c16", "v": {"t": "int", "v": "1"}},
    {"t": "npscalar", "dtype": "<f8", "v": {"t": "str", "v": "1"}},
    {"t": "code", "v": "import os"},
], ids=lambda data: json.dumps(data)[:40])
def test_is_malformed_data_an_error(data):
    """Does a message that is not well-formed data raise a WireError (never a crash, never a value)?"""
    with pytest.raises(WireError):
        decode(data, Opaque)


def test_is_text_that_is_no_json_an_error():
    """Does a reply that is not JSON at all raise a WireError?"""
    with pytest.raises(WireError, match="not JSON"):
        loads("{'t': 'none'", Opaque)


def test_is_a_message_with_too_many_items_an_error():
    """Does a message holding more items than the decoder's budget raise a WireError?"""
    item = {"t": "none"}
    data = {"t": "list", "v": [{"t": "list", "v": [item] * wire.MAX_ITEMS}] * 5}
    with pytest.raises(WireError, match="too many items"):
        decode(data, Opaque)


class Payload:
    """Unpickling it would run code: it sets RAN."""

    def __reduce__(self):
        return (exec, ("import tests_wire_marker; tests_wire_marker.RAN = True",))


def test_is_a_pickle_never_loaded(monkeypatch):
    """Does an array of objects, sent as its pickle or as its raw pointers, raise a WireError without
    unpickling anything?"""
    import pickle
    import sys
    import types

    marker = types.ModuleType("tests_wire_marker")
    marker.RAN = False
    monkeypatch.setitem(sys.modules, "tests_wire_marker", marker)
    objects = np.array([Payload()], dtype=object)
    for data in ({"t": "ndarray", "d": "|O", "s": [1], "v": b64(pickle.dumps(objects))},
                 {"t": "ndarray", "d": "|O", "s": [1], "v": b64(objects.tobytes())}):
        with pytest.raises(WireError):
            decode(data, Opaque)
    assert marker.RAN is False


def test_is_an_array_of_records_refused():
    """Does an array of structured records (no plain numbers) raise a WireError?"""
    records = np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")])
    with pytest.raises(WireError):
        decode({"t": "ndarray", "d": records.dtype.str, "s": [2], "v": b64(records.tobytes())}, Opaque)


def test_is_a_decoded_array_writable_and_in_the_order_it_was_sent():
    """Does an array come back writable, with its values in the same places, whatever its memory order?"""
    value = np.asfortranarray(np.arange(24.0).reshape(2, 3, 4))[:, ::2]
    back = crossed(value)
    assert same(back, np.ascontiguousarray(value)) and back.flags.writeable


def test_is_encoding_a_tuple_encoding_its_items():
    """Does encode() tag every item of a container (the grader can check every one)?"""
    assert encode((1, "a")) == {"t": "tuple", "v": [{"t": "int", "v": "1"}, {"t": "str", "v": "a"}]}


# --- the keys of helper calls ------------------------------------------------------------------

def test_is_a_size_one_array_keyed_as_its_number():
    """Is zero_pad's b of shape (1, 1, 1) the same argument as b.item() (the notebook's hint changed to it)?"""
    b = np.array([[[-0.3]]])
    assert call_key((b,)) == call_key((b.item(),))


def test_is_a_list_keyed_as_a_tuple():
    """Do a list and a tuple of the same values give the same key?"""
    assert call_key(([1, 2], 3)) == call_key(((1, 2), 3))


def test_is_a_dict_keyed_whatever_its_order():
    """Do two dicts with the same items in another order give the same key?"""
    assert call_key(({"pad": 1, "stride": 2},)) == call_key(({"stride": 2, "pad": 1},))


def test_do_other_values_give_other_keys():
    """Do different values, or the same values in another shape, give different keys?"""
    x = np.arange(6.0)
    keys = {call_key((x,)), call_key((x + 1,)), call_key((x.reshape(2, 3),)), call_key((x, 1))}
    assert len(keys) == 4


def test_is_an_array_keyed_by_its_values_not_its_dtype():
    """Do an int array and a float array with the same values give the same key (the loops compute in floats)?"""
    assert call_key((np.arange(4),)) == call_key((np.arange(4.0),))
