"""Build stage, second half: ``nbgrader generate_assignment`` on each language source -> ``release/``.

``coursekit build`` checks every catalog first (a half-built ``release/`` is
worse than none), then writes each language's source and runs the real
``nbgrader generate_assignment`` on it, with the solution stubs in that
language.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..course import Course
from ..translation.catalogs import CatalogError
from ..translation.course_catalogs import SolutionStubs, check_course_catalogs
from .language_source import BuildError, message_translator, write_language_source
from .nbgrader_run import NbgraderError, run_nbgrader


def generate(course: Course, lang: str) -> Path:
    """Run ``nbgrader generate_assignment`` for one language; returns its release folder."""
    stubs = SolutionStubs(config=course.config)
    translate = message_translator(course, lang)
    code_stub, text_stub = translate(stubs.code_stub), translate(stubs.text_stub)
    if course.direction(lang) == "rtl":
        # A student types the answer in place of the stub, inside the same block, so that it is laid out right
        # to left too.
        text_stub = f'<div dir="rtl" lang="{lang}">\n\n{text_stub}\n\n</div>'
    assignment = course.assignment_for(lang)
    with tempfile.TemporaryDirectory() as tmp:
        # nbgrader takes the stubs from config; a per-language config file keeps
        # nbgrader_config.py free of build-time state.
        extra = Path(tmp) / "language_stubs"
        extra.with_suffix(".py").write_text(
            "c = get_config()\n"
            f"c.ClearSolutions.code_stub = {json.dumps({'python': f'# {code_stub}' + chr(10) + 'raise NotImplementedError()'})}\n"
            f"c.ClearSolutions.text_stub = {json.dumps(text_stub)}\n",
            encoding="utf-8",
        )
        try:
            run_nbgrader(["generate_assignment", assignment, "--force", f"--JupyterApp.config_file={extra}"],
                         course.root)
        except NbgraderError as err:
            if "there are submissions associated with it" in str(err):
                raise BuildError(
                    f"{assignment}: the master's graded cells changed, but the gradebook already holds "
                    "submissions of this assignment, and nbgrader cannot change the cells of a graded assignment. "
                    "Release the change under a new assignment name, or (for a course that has not started) back up "
                    "and remove the gradebook, then build again.") from None
            raise BuildError(str(err)) from None
    return course.release_dir(assignment)


def check_catalogs(course: Course, languages) -> None:
    """Stop with a BuildError naming every fuzzy, untranslated or broken entry of *languages*' catalogs.

    The catalogs are checked against templates extracted from the master now,
    so a prose edit that nobody has translated yet stops the build too.
    """
    problems = check_course_catalogs(course, languages)
    if problems:
        raise BuildError(f"{CatalogError(problems)}\n"
                         "Update with `coursekit catalogs update`, translate, then build again "
                         "(see translations/README.md).")


def build_all(course: Course, languages=None, progress=print) -> list[Path]:
    """Build every language's source and release; returns the release folders."""
    languages = languages or course.languages
    unknown = [lang for lang in languages if lang not in course.languages]
    if unknown:
        raise BuildError(f"{course.relative(course.config_file)}: {', '.join(unknown)} not in "
                         f"c.Course.languages = {course.languages}")
    check_catalogs(course, languages)
    releases = []
    for lang in languages:
        assignment = course.assignment_for(lang)
        progress(f"[build] {lang}: writing {course.relative(course.source_dir(assignment))}")
        write_language_source(course, lang)
        progress(f"[build] {lang}: nbgrader generate_assignment {assignment}")
        releases.append(generate(course, lang))
    return releases
