"""Scratch copies of the course, built and graded with real nbgrader, and the answer catalogue."""
from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
from pathlib import Path
from unittest import mock

import nbformat
from nbgrader.api import Gradebook

from coursekit.build.nbgrader_run import nbgrader_env, run_nbgrader
from coursekit.build.release import build_all
from coursekit.build.release_sync import copy_build_inputs
from coursekit.course import Course
from coursekit.demo.cycle import submit

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
#: The course of this repository.
COURSE = Course.load(REPO)
ANSWERS = TESTS / "answers"
CORRECT_LOOPS = COURSE.data_dir / "demo_submissions" / "alice.en.py"


class ScratchCourse:
    """A copy of the course in a temporary folder, built for some languages."""

    def __init__(self, root: Path, languages, timeout: int | None = None, config: str = ""):
        root = Path(root)
        copy_build_inputs(COURSE, root)
        with open(root / "nbgrader_config.py", "a") as file:
            if timeout:  # hostile tests wait for timeouts; a short one keeps them quick
                file.write(f"\nc.Execute.timeout = {timeout}\n")
            file.write(config)
        self.course = Course.load(root)
        build_all(self.course, languages, progress=lambda message: None)

    @property
    def root(self) -> Path:
        return self.course.root

    def submit(self, student: str, answers: Path, lang: str = "en") -> Path:
        return submit(self.course, student, lang, answers)

    def autograde(self, lang: str = "en", *extra) -> None:
        run_nbgrader(["autograde", self.course.assignment_for(lang), "--force", *extra], self.root)

    def autograde_limited(self, memory_bytes: int, lang: str = "en") -> subprocess.CompletedProcess:
        """Plain ``nbgrader autograde`` with its address space capped at *memory_bytes* (RLIMIT_AS, which its
        kernels inherit and lower): the grader survives what a kernel sends, or this shows that it did not."""
        command = [sys.executable, "-m", "nbgrader", "autograde", self.course.assignment_for(lang), "--force"]
        return _limited(command, self.root, memory_bytes)

    def grade_limited(self, memory_bytes: int, workers: int = 2) -> subprocess.CompletedProcess:
        """``coursekit grade`` as an instructor types it, its processes capped at *memory_bytes* each."""
        command = [sys.executable, "-m", "coursekit.cli", "grade", "--workers", str(workers)]
        return _limited(command, self.root, memory_bytes)

    def grade(self, **options) -> list:
        """``coursekit grade`` as an instructor runs it, in the course root: run_batch's Results.

        The process's environment is put back afterwards, whatever the batch does to it, so that no
        later test of the session depends on an earlier one.
        """
        from coursekit.grading.batch import run_batch

        with contextlib.chdir(self.root), mock.patch.dict(os.environ):
            return run_batch(self.course, progress=False, **options)

    def scores(self, student: str, lang: str = "en") -> dict:
        """``{grade_id: (score, max_score)}`` of one student's graded notebook."""
        with Gradebook(self.course.db_url) as gb:
            sub = gb.find_submission_notebook(self.course.notebook, self.course.assignment_for(lang), student)
            return {g.name: (g.score, g.max_score) for g in sub.grades}

    def autograded_notebook(self, student: str, lang: str = "en") -> Path:
        return self.course.autograded_notebook(student, self.course.assignment_for(lang))


def _limited(command, root: Path, memory_bytes: int) -> subprocess.CompletedProcess:
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    return subprocess.run(command, cwd=root, env=nbgrader_env(), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, preexec_fn=cap, timeout=1200)


def load_beside(path: Path, name: str):
    """The module of *path* imported as a notebook beside it imports it: with the check library of its own
    folder (``cnn_checklib``), not the one this process already has.  The module's library is its ``library``."""
    import importlib.util

    def ours():
        return {key: sys.modules.pop(key) for key in list(sys.modules)
                if key == "cnn_checklib" or key.startswith("cnn_checklib.")}

    saved = ours()
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.library = sys.modules["cnn_checklib"]
    finally:
        sys.path.remove(str(path.parent))
        ours()
        sys.modules.update(saved)
    return module


def autograded_cells() -> dict:
    """``{grade_id: points}`` of the master's autograded cells, the code cells that test answers.

    The written answers (markdown) are scored by a grader, after autograding.
    """
    cells = {}
    for cell in nbformat.read(COURSE.master_path, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and meta.get("points"):
            cells[meta["grade_id"]] = meta["points"]
    return cells


def student_id(path: Path) -> str:
    """A gradebook-safe student id for an answer file."""
    return path.stem.replace("__", "-").replace("_", "-")

#: The notebook's name and the assignment of each language, as the course names them.
NOTEBOOK_NAME = COURSE.notebook
assignment_for = COURSE.assignment_for
