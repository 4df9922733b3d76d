"""The published values of the assignment, and the small helpers its published cases are written with."""
import functools

import h5py
import numpy as np

from .expect import as_array
from .failures import fail
from .language import NOTEBOOK_DIR, Message, _


def seeded(seed):
    """A private random generator; ``seeded(1).randn(...)`` equals ``np.random.seed(1); np.random.randn(...)``."""
    return np.random.RandomState(seed)


def _expected_values_file():
    for candidate in (NOTEBOOK_DIR / "data" / "expected_values.h5",
                      NOTEBOOK_DIR.parent.parent / "course_data" / "expected_values.h5"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(str(Message(_("expected_values.h5 is missing: it should be in {path}."),
                                        path=str(NOTEBOOK_DIR / "data"))))


def published(key):
    """A published expected value (or the stored input dZ) by its key, e.g. 'zero_pad/x_1_1'.

    The file is read once while it stays the same (its path, size and time); each call gets its own copy.
    """
    path = _expected_values_file()
    info = path.stat()
    value = _read_values(str(path), info.st_size, info.st_mtime_ns)[key]
    return value.copy() if isinstance(value, np.ndarray) else value


@functools.lru_cache(maxsize=2)
def _read_values(path, size, mtime_ns):
    """Every dataset of the file at *path* by its key (the file's size and time key the cache)."""
    values = {}
    with h5py.File(path, "r") as h5:
        h5.visititems(lambda key, item: values.__setitem__(key, item[()]) if isinstance(item, h5py.Dataset) else None)
    return values


def returned(check):
    """A check of the returned value, from a check of a value."""
    return lambda outcome: check(outcome.value)


def part_of(value, index, name):
    """Item *index* of a returned tuple, which is *name*."""
    if type(value) is not tuple or len(value) <= index:
        fail(_("{name} should be returned as item {index} of a tuple."), name=name, index=index)
    return value[index]


def part(index, name, check):
    """A check of item *index* of the returned tuple (once the tuple itself is right)."""
    return lambda outcome: check(part_of(outcome.value, index, name))


def item(container, index):
    """container[index] of a returned tuple, as a check sees it."""
    if type(container) is not tuple or len(container) <= index:
        fail(_("{name} should be a tuple of at least {length} items."), name="cache", length=index + 1)
    return as_array(f"cache[{index}]", container[index])
