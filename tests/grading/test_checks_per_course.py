"""The grader's checks are the course's own: one process that grades two copies of the course (a coordinator's
tests, a notebook server with two terms) imports each copy's published cases, check library and hidden checks."""
import sys
from pathlib import Path
from unittest import mock

from coursekit.build.release_sync import copy_build_inputs
from coursekit.course import Course
from coursekit.grading.verdict.judge import CourseChecks
from coursekit.grading.verdict.secret import checks_dir

from scratch import COURSE


def _home(module) -> Path:
    return Path(module.__file__).resolve()


def test_does_a_second_copy_of_the_course_get_its_own_checks(tmp_path, monkeypatch):
    """Loaded after the repository's checks, does a copy of the course import its own cnn_checks, cnn_checklib and
    hidden checks, and do the first course's checks keep theirs?"""
    # The modules and the path as they were, afterwards: the later tests hold the library they imported first.
    monkeypatch.setattr(sys, "path", list(sys.path))
    with mock.patch.dict(sys.modules):
        loaded_twice(tmp_path)


def loaded_twice(tmp_path):
    first = CourseChecks(COURSE)
    copy = Course.load(copy_build_inputs(COURSE, tmp_path / "copy"))
    second = CourseChecks(copy)
    assert _home(second.cases).is_relative_to(copy.master_dir.resolve())
    assert _home(second.check).is_relative_to(copy.master_dir.resolve())
    assert _home(second.hidden).is_relative_to(checks_dir(copy).resolve())
    assert _home(first.cases).is_relative_to(COURSE.master_dir.resolve())
    again = CourseChecks(COURSE)  # and back: the repository's own once more
    assert _home(again.cases).is_relative_to(COURSE.master_dir.resolve())
    assert _home(again.hidden).is_relative_to(checks_dir(COURSE).resolve())
