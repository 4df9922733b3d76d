"""What the checks read from files, read once: the published values, the hints' fingerprints, a student's numbers.

The grader builds every graded cell's published cases for every notebook, and a student's kernel runs the
visible checks one after another: both used to open expected_values.h5 once per value and parse the hints'
file once per function.
"""
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from coursekit.grading.verdict.judge import CourseChecks
from scratch import COURSE, load_beside

RELEASE = Path(__file__).resolve().parents[2] / "release" / "cnn_step_by_step_en"


@pytest.fixture
def library(tmp_path):
    """The released cnn_checks and its library, imported from a copy of the release folder."""
    folder = tmp_path / "hw"
    shutil.copytree(RELEASE, folder, ignore=shutil.ignore_patterns("*.ipynb"))
    return load_beside(folder / "cnn_checks.py", "cnn_checks_read_once").library, folder


def test_is_each_published_value_a_copy_of_the_files_value(library):
    """Does every key give the file's value, a copy that a caller may change without changing the next one's?"""
    lib, folder = library
    with h5py.File(folder / "data" / "expected_values.h5") as h5:
        keys = []
        h5.visit(lambda k: keys.append(k) if isinstance(h5[k], h5py.Dataset) else None)
        for key in keys:
            value = lib.published(key)
            assert type(value) is type(h5[key][()]) and np.array_equal(value, h5[key][()]), key
    first = lib.published("conv_backward/dZ")
    first[...] = 0
    assert np.abs(lib.published("conv_backward/dZ")).sum() > 0


def test_is_a_changed_or_missing_file_read_again(library):
    """Is a published value read again when the file changes, and is a missing file still named in the error?"""
    lib, folder = library
    path = folder / "data" / "expected_values.h5"
    before = lib.published("zero_pad/x_1_1")
    with h5py.File(path, "a") as h5:
        del h5["zero_pad/x_1_1"]
        h5["zero_pad/x_1_1"] = before + 1
    assert np.array_equal(lib.published("zero_pad/x_1_1"), before + 1)
    path.unlink()
    with pytest.raises(FileNotFoundError, match="expected_values.h5"):
        lib.published("zero_pad/x_1_1")


def test_are_the_hints_fingerprints_read_again_when_their_file_changes(library):
    """Does the hints' file give the same entries on every call, and new ones once it is rewritten?"""
    lib, folder = library
    first = lib.hints._published_hints()
    assert first and lib.hints._published_hints() == first
    (folder / "data" / "hint_fingerprints.json").write_text('{"zero_pad": []}', encoding="utf-8")
    assert lib.hints._published_hints() == {"zero_pad": []}


def test_does_each_call_get_its_own_copy_of_a_students_numbers():
    """Are a student's numbers the same on every call, a copy a check may change, and another student's his
    own?"""
    checks = CourseChecks.for_course(COURSE)
    draw = checks.check.numbers.draw
    alice = checks.numbers("alice")
    alice["edge"]["X"] = "changed"
    assert same(checks.numbers("alice"), draw("alice", COURSE.numbers_salt))
    assert same(checks.numbers("bob"), draw("bob", COURSE.numbers_salt))
    assert not same(checks.numbers("bob"), checks.numbers("alice"))


def same(a, b) -> bool:
    try:
        np.testing.assert_equal(a, b)
    except AssertionError:
        return False
    return True
