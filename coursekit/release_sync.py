"""Check stage: does a fresh build reproduce the committed release/ exactly?

A stale release would ship old notebooks to students, so CI rebuilds every
language in a scratch copy of the course and compares the trees byte by byte.
"""
import filecmp
import shutil
import tempfile
from pathlib import Path

from . import COURSE_ROOT, MASTER_ASSIGNMENT
from .build_release import assignment_for, build_all, ReleaseBuild
from .config import load_config

#: What a build reads; everything else of the course is irrelevant to it.
BUILD_INPUTS = ["nbgrader_config.py", "course_data", "translations", f"source/{MASTER_ASSIGNMENT}"]


def _files(folder: Path) -> set:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def compare_trees(expected: Path, actual: Path) -> list:
    """Differences between two folders, as readable lines; empty when they are identical."""
    want, have = _files(expected), _files(actual)
    problems = [f"missing from {actual}: {name}" for name in sorted(want - have)]
    problems += [f"not produced by the build: {actual / name}" for name in sorted(have - want)]
    problems += [f"differs from a fresh build: {actual / name}" for name in sorted(want & have)
                 if not filecmp.cmp(expected / name, actual / name, shallow=False)]
    return problems


def copy_build_inputs(root: Path, dest: Path) -> Path:
    """Copy what a build reads from the course *root* into *dest*: a scratch course."""
    for name in BUILD_INPUTS:
        src = Path(root) / name
        if src.is_dir():
            shutil.copytree(src, Path(dest) / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        elif src.exists():
            shutil.copy2(src, Path(dest) / name)
    return Path(dest)


def check_release(root: Path = COURSE_ROOT, progress=print) -> list:
    """Rebuild in a scratch copy of the course; return how release/ differs from it."""
    root = Path(root)
    languages = ReleaseBuild(config=load_config(root)).languages
    with tempfile.TemporaryDirectory() as tmp:
        scratch = copy_build_inputs(root, Path(tmp))
        build_all(scratch, languages, progress=progress)
        problems = []
        for lang in languages:
            name = assignment_for(lang)
            problems += compare_trees(scratch / "release" / name, root / "release" / name)
        return problems
