"""The files a result's autograded folder gets: nbgrader's find_all_files, decided without listing folders."""
from __future__ import annotations

import itertools

import pytest
from nbgrader.utils import find_all_files

from coursekit.grading.batch.kept_files import kept_files

#: Names that test the corners of glob's matching: hidden files, wildcard characters in names, near misses.
NAMES = ["a.py", "a.pyc", ".hidden.pyc", ".ipynb_checkpoints", "__pycache__", "feedback", "feedback2",
         "[x].txt", "x.txt", "*", "star*.ipynb", "nb.ipynb", ".nb.ipynb", "a?b", "ab", "README", "readme"]
#: nbgrader's default CourseDirectory.ignore, with *.ipynb as the recorder adds it, and patterns of other kinds.
PATTERNS = [
    [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.ipynb"],
    [".*", "[x]*", "a?b", "README", "*"],
    ["[!a]*.txt", "star\\*.ipynb", "*[", "feedback*"],
    ["sub/*.py", "*.py"],  # a pattern naming a path: nbgrader's own test decides it
    [],
    None,
]


def tree(root, depth=2):
    """Every name of NAMES as a file, and a few of them as folders holding the same names again."""
    root.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        if name in (".ipynb_checkpoints", "__pycache__", "feedback", "[x].txt", "ab") and depth:
            tree(root / name, depth - 1)
        else:
            (root / name).write_text(name)
    return root


@pytest.mark.parametrize("patterns", PATTERNS, ids=lambda p: ",".join(p) if p else repr(p))
def test_are_the_kept_files_those_nbgrader_finds(tmp_path, patterns):
    """Does kept_files keep exactly the files nbgrader's find_all_files keeps, in the same order, whatever the
    names (hidden, with wildcard characters) and patterns (with and without wildcards, naming a path)?"""
    root = tree(tmp_path / "submission")
    want = find_all_files(str(root), patterns)
    assert kept_files(str(root), patterns) == want
    if patterns == PATTERNS[0]:  # the folder holds files nbgrader keeps and files it leaves out
        assert 0 < len(want) < len(find_all_files(str(root)))


def test_is_a_folder_whose_path_has_wildcards_decided_as_nbgrader_decides_it(tmp_path):
    """Does a submission under a folder named with glob's wildcard characters keep what nbgrader keeps?"""
    for folder, patterns in itertools.product(["s[1]", "s*", "s?"], PATTERNS[:3]):
        root = tree(tmp_path / folder / "hw", depth=1)
        assert kept_files(str(root), patterns) == find_all_files(str(root), patterns), (folder, patterns)
