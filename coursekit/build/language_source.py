"""Build stage, first half: master + catalog -> ``source/<master>_<lang>/``, the folder nbgrader reads.

Translation has to happen before nbgrader: nbgrader checksums the cells it
locks and restores them from the gradebook at autograde time, so the language
of a cell is fixed once nbgrader has seen it.  The folder is generated and not
committed.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from ..authoring.figures import Labels, draw_all
from ..course import Course
from ..translation.catalogs import compile_messages, read_catalog
from ..translation.rtl import wrap_rtl
from ..translation.translate import translate_notebook

GENERATED_BY = "python -m coursekit build"
#: Files of course_data/ that the checks in a student's notebook read.
SHIPPED_DATA = ("expected_values.h5", "hint_fingerprints.json")
#: Files and folders of the master's folder that students do not need.
SKIPPED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


class BuildError(RuntimeError):
    """The build stopped; the message says where and why."""


def language_notebook(course: Course, master, lang: str):
    """The master notebook in *lang*: prose translated, code and metadata untouched."""
    nb = nbformat.from_dict(master)
    if lang != course.source_language:
        nb = translate_notebook(nb, course.catalog_path("notebook", lang), lang)
        if course.direction(lang) == "rtl":
            nb = wrap_rtl(nb, lang)
    nb.metadata.setdefault("coursekit", {})
    nb.metadata["coursekit"].update({"language": lang, "generated_by": GENERATED_BY})
    return nb


def message_translator(course: Course, lang: str):
    """gettext for the messages domain of *lang* (identity for the master's language)."""
    if lang == course.source_language:
        return lambda text: text
    po = course.catalog_path("messages", lang)
    catalog = read_catalog(po)

    def translate(text):
        message = catalog.get(text)
        if message is None or not message.string or message.fuzzy:
            raise BuildError(f"{course.relative(po)}: no translation for {text!r}")
        return message.string
    return translate


def write_language_source(course: Course, lang: str) -> Path:
    """Write ``source/<master>_<lang>/``: the notebook in *lang* and everything its checks read."""
    out = course.source_dir(course.assignment_for(lang))
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(course.master_dir, out, ignore=SKIPPED)
    (out / course.master_path.name).unlink()

    data = out / "data"
    data.mkdir(exist_ok=True)
    for name in SHIPPED_DATA:
        shutil.copy2(course.data_dir / name, data / name)
    # What the checks beside the notebook read: its language, and that language's direction (c.Course.right_to_left).
    (out / "LANGUAGE").write_text(lang + "\n", encoding="utf-8")
    (out / "DIRECTION").write_text(course.direction(lang) + "\n", encoding="utf-8")
    # The public salt that each student's numbers of the exercises on paper are drawn with (cnn_checklib/numbers.py
    # reads the last line).
    salt = course.numbers_salt.strip()
    if "\n" in salt or "\r" in salt:
        raise BuildError(f"{course.relative(course.config_file)}: c.Course.numbers_salt must be one line")
    (data / "numbers_salt").write_text(
        f"# The course's public salt (c.Course.numbers_salt in nbgrader_config.py), written by {GENERATED_BY}.\n"
        f"{salt}\n", encoding="utf-8")
    if lang != course.source_language:
        mo_dir = out / "locale" / lang / "LC_MESSAGES"
        mo_dir.mkdir(parents=True)
        compile_messages(course.catalog_path("messages", lang), mo_dir / "messages.mo")

    if lang != course.source_language:
        # The figures' labels in the students' language, over the master's English copies.
        draw_all(out / "images", Labels(lang, message_translator(course, lang), course.direction(lang) == "rtl"))

    master = nbformat.read(course.master_path, as_version=4)
    nbformat.write(language_notebook(course, master, lang), out / course.master_path.name)
    return out
