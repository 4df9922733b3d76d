"""A worker's folder for one submission: the submission's files, then the assignment's source files over them,
with the bytecode of the source's modules beside them."""
from __future__ import annotations

import importlib.util
import marshal
import os
import subprocess
import sys

from coursekit.grading.batch.execute import lay_out, with_bytecode

SOURCES = {"cnn_checks.py": b"from cnn_checklib import shown\nVALUE = shown()\n",
           "cnn_checklib/__init__.py": b"def shown():\n    return 'instructor'\n",
           "images/a.png": b"\x89PNG"}


def imported(folder) -> subprocess.CompletedProcess:
    """``python -v`` importing cnn_checks in *folder*, writing no bytecode, as in the sandbox."""
    code = "import cnn_checks; print(cnn_checks.VALUE)"
    return subprocess.run([sys.executable, "-v", "-c", code], cwd=folder, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"), timeout=60)


def test_are_the_source_modules_imported_from_their_bytecode_without_compiling(tmp_path):
    """Does a kernel's Python import cnn_checks and its library from the bytecode laid beside them, which
    matches their source?"""
    lay_out(tmp_path, {"cnn_step_by_step.ipynb": b"{}"}, with_bytecode(SOURCES))
    run = imported(tmp_path)
    assert run.stdout.strip() == "instructor"
    for module in ("__pycache__/cnn_checks", "cnn_checklib/__pycache__/__init__"):
        pyc = tmp_path / f"{module}.{sys.implementation.cache_tag}.pyc"
        assert f"code object from '{pyc}'" in run.stderr, run.stderr[-2000:]


def test_does_the_sources_bytecode_replace_bytecode_a_submission_brought(tmp_path):
    """Is an unchecked bytecode file of the submission, under the name of a source module's, replaced, so that
    the module is the instructor's?"""
    planted = compile("VALUE = 'student'\n", "cnn_checks.py", "exec")
    pyc = (importlib.util.MAGIC_NUMBER + (0b01).to_bytes(4, "little") + bytes(8) + marshal.dumps(planted))
    name = importlib.util.cache_from_source("cnn_checks.py", optimization="")
    lay_out(tmp_path, {name: pyc}, SOURCES)  # without the source's bytecode: the planted one is used
    assert imported(tmp_path).stdout.strip() == "student"
    lay_out(tmp_path / "again", {name: pyc}, with_bytecode(SOURCES))
    assert imported(tmp_path / "again").stdout.strip() == "instructor"


def test_does_a_source_file_win_over_a_file_or_folder_in_its_way(tmp_path):
    """Is every source file laid out when the submission has a file where its folder goes (images,
    __pycache__) or a folder where it goes (cnn_checks.py/), and nothing written outside the folder?"""
    submitted = {"images": b"not a folder", "__pycache__": b"not a folder", "cnn_checks.py/x": b"a folder",
                 "../outside.txt": b"escape", "notes.txt": b"kept"}
    lay_out(tmp_path / "s", submitted, with_bytecode(SOURCES))
    for name, data in with_bytecode(SOURCES).items():
        assert (tmp_path / "s" / name).read_bytes() == data
    assert (tmp_path / "s" / "notes.txt").read_bytes() == b"kept"
    assert not (tmp_path / "outside.txt").exists()
    assert imported(tmp_path / "s").stdout.strip() == "instructor"


def test_does_a_module_that_does_not_compile_get_no_bytecode():
    """Is a source module with a syntax error laid out without bytecode (the kernel reports the error)?"""
    files = with_bytecode({"broken.py": b"def (:\n", "fine.py": b"X = 1\n"})
    assert sorted(files) == sorted(["broken.py", "fine.py",
                                    importlib.util.cache_from_source("fine.py", optimization="")])
