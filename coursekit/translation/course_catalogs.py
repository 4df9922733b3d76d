"""The course's own catalogs: ``translations/<domain>/<lang>.po``, kept in step with the master.

The templates are extracted afresh from the master each time (never
committed): the prose of the master notebook, and every message that the
course's checks print or nbgrader writes into a student's notebook.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from traitlets import List, Unicode
from traitlets.config import Configurable

from ..course import Course
from .catalogs import (DOMAINS, Problem, catalog_stats, check_catalog, display_path, extract_messages,
                       extract_prose, update_catalog)


class SolutionStubs(Configurable):
    """What nbgrader writes in place of the solutions (``c.SolutionStubs.*``), in English."""

    code_stub = Unicode(
        "YOUR CODE HERE",
        help="The English comment that replaces each solution region of code; translated through the messages "
             "catalog.",
    ).tag(config=True)

    text_stub = Unicode(
        "YOUR ANSWER HERE",
        help="The English text that replaces each written answer; translated through the messages catalog.",
    ).tag(config=True)


class MessageSources(Configurable):
    """Where the messages catalog's English comes from (``c.MessageSources.*``)."""

    extra_sources = List(
        Unicode(), default_value=["hidden_checks"],
        help="Folders or .py files, relative to the course root, whose _() messages are translated too, besides "
             "the master's folder and notebook (the grader's hidden checks print in the student's language).",
    ).tag(config=True)


def languages_to_translate(course: Course, languages=None) -> list[str]:
    """*languages*, or the configured ones, without the master's own."""
    chosen = course.languages if languages is None else languages
    return [lang for lang in chosen if lang != course.source_language]


#: The kit's own files whose ``_()`` messages students read: the labels drawn in the figures, and the labels
#: of the feedback page.
KIT_MESSAGE_FILES = [Path(__file__).resolve().parent.parent / "authoring" / "figures.py",
                     Path(__file__).resolve().parent.parent / "feedback" / "labels.py"]


def message_files(course: Course) -> list[Path]:
    """Every file whose ``_()`` messages the students may read: the master's, the figures', then the grader's."""
    files = [*sorted(course.master_dir.rglob("*.py")), course.master_path, *KIT_MESSAGE_FILES]
    for name in MessageSources(config=course.config).extra_sources:
        path = course.root / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.is_file() else []
    return files


def course_templates(course: Course) -> dict[str, Catalog]:
    """Both templates, extracted now: ``{domain: Catalog}``."""
    notebook = course.master_path
    master = nbformat.read(notebook, as_version=4)
    messages = extract_messages(message_files(course), root=course.root, project=course.notebook)
    stubs = SolutionStubs(config=course.config)
    for option, stub, text in [
        ("code_stub", stubs.code_stub, "the comment that replaces each solution region of code"),
        ("text_stub", stubs.text_stub, "the text that replaces each written answer"),
    ]:
        messages.add(stub, locations=[("nbgrader_config.py", None)],
                     auto_comments=[f"SolutionStubs.{option}: {text} (nbgrader's ClearSolutions stub)."])
    return {"notebook": extract_prose(master, notebook.name), "messages": messages}


def update_course_catalogs(course: Course, languages=None) -> dict:
    """Update every catalog of the course from fresh templates; ``{(domain, lang): stats}``."""
    templates = course_templates(course)
    stats = {}
    for lang in languages_to_translate(course, languages):
        for domain in DOMAINS:
            po = course.catalog_path(domain, lang)
            update_catalog(po, templates[domain], lang)
            stats[domain, lang] = catalog_stats(po)
    return stats


def check_course_catalogs(course: Course, languages=None) -> list[Problem]:
    """Every reason the course's catalogs cannot ship, against fresh templates."""
    languages = languages_to_translate(course, languages)
    templates = course_templates(course) if languages else {}
    problems = []
    for lang in languages:
        for domain in DOMAINS:
            po = course.catalog_path(domain, lang)
            name = display_path(po, course.root)
            if not po.exists():
                problems.append(Problem(name, None, "untranslated", "*",
                                        "no catalog: run `coursekit catalogs update`"))
                continue
            found = check_catalog(po, templates[domain], domain=domain)
            problems += [replace(p, catalog=name, source=_origin(templates[domain], p)) for p in found]
    return problems


def _origin(template: Catalog, problem: Problem) -> str | None:
    """Where the template entry of *problem* comes from: its cell, or its file and line."""
    if problem.context:
        return None
    message = template.get(problem.msgid)
    if message is None:
        return None
    cells = [c.split(",")[0] for c in message.auto_comments if c.startswith("cell ")]
    if cells:
        return cells[0]
    if message.locations:
        path, line = message.locations[0]
        return f"{path}:{line}" if line else path
    return None
