"""Check stage: does a fresh build reproduce the committed ``release/`` exactly?

A stale release would ship old notebooks to students, so CI rebuilds every
language in a scratch copy of the course and compares the trees byte by byte.
"""
from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path

from ..course import Course
from ..translation.course_catalogs import MessageSources
from .release import build_all


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


def build_inputs(course: Course) -> list[Path]:
    """What a build reads, relative to the course root; everything else of the course is irrelevant to it."""
    paths = [course.config_file, course.data_dir, course.translations_dir, course.master_dir]
    paths += [course.root / name for name in MessageSources(config=course.config).extra_sources]
    return [Path(p).resolve().relative_to(course.root) for p in paths]


def copy_build_inputs(course: Course, dest: Path) -> Path:
    """Copy what a build reads from *course* into *dest*: a scratch course."""
    for name in build_inputs(course):
        src, target = course.root / name, Path(dest) / name
        if src.is_dir():
            shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        elif src.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return Path(dest)


def check_release(course: Course, progress=print) -> list:
    """Rebuild in a scratch copy of the course; return how ``release/`` differs from it."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Course.load(copy_build_inputs(course, Path(tmp)))
        build_all(scratch, course.languages, progress=progress)
        problems = []
        for lang in course.languages:
            name = course.assignment_for(lang)
            problems += compare_trees(scratch.release_dir(name), course.release_dir(name))
        return problems
