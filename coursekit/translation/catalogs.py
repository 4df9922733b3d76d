"""Gettext catalogs for the course: extract, update, check, compile.

Two domains: ``notebook`` holds the prose of the master notebook's markdown
cells (msgctxt = cell id), ``messages`` holds the strings that the test code
prints through ``_()``/``ngettext()``. Templates are built in memory and never
committed; the ``.po`` files are only ever changed through ``update_catalog``
so that nobody edits a msgid by hand.
"""
from __future__ import annotations

import io
import os
import re
import string
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Union

import nbformat
import polib
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import normalize, read_po, write_po

from .prose_blocks import cell_source, is_translatable_cell, prose_blocks

DOMAINS = ("notebook", "messages")
#: Functions whose string arguments are messages (babel's keyword spec).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
# No wrapping: a one-word edit then changes one line of the .po, not a reflowed
# paragraph.
PO_WIDTH = 0

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Problem:
    """One reason a catalog cannot be shipped."""

    catalog: str  # the .po file, relative to the course when possible
    context: str | None  # msgctxt: the cell id in the notebook domain
    issue: str  # "fuzzy", "untranslated" or "placeholder mismatch"
    msgid: str
    detail: str = ""
    source: str | None = None  # where a message without a cell comes from, e.g. "cnn_checks.py:93"

    @property
    def cell(self) -> str | None:
        return self.context

    def __str__(self) -> str:
        where = (f"cell {self.context}" if self.context
                 else f"message from {self.source}" if self.source else "message")
        issue = self.issue if self.issue == "placeholder mismatch" else f"{self.issue} entry"
        if self.detail:
            issue += f" ({self.detail})"
        shown = self.msgid[:60].replace("\n", "\\n")
        return f'{self.catalog}: {where}: {issue}: "{shown}"'


class CatalogError(Exception):
    """A catalog is not fit to ship; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        super().__init__(f"{len(lines)} translation problem(s):\n" + "\n".join(lines))


# --- extraction ----------------------------------------------------------------

def extract_prose(nb, source_name: str) -> Catalog:
    """The notebook-domain template: one entry per prose block per markdown cell.

    The location's line number is the cell's 1-based position (Babel drops a
    line number of 0); the same sentence in two cells gives two entries.
    """
    catalog = Catalog(domain="notebook", project=Path(source_name).stem, fuzzy=False)
    for number, cell in enumerate(nb.cells, start=1):
        if not is_translatable_cell(cell):
            continue
        cell_id = cell.get("id")
        if not cell_id:
            raise ValueError(f"{source_name}: cell {number} has no id (nbformat 4.5 needed)")
        for block in prose_blocks(cell_source(cell)):
            catalog.add(
                block.text,
                locations=[(source_name, number)],
                auto_comments=[f"cell {cell_id}"],
                context=cell_id,
            )
    _drop_format_flags(catalog)
    return catalog


def extract_messages(paths_or_sources: Iterable, *, root: PathLike | None = None,
                     project: str = "messages") -> Catalog:
    """The messages-domain template from ``_()``/``gettext()``/``ngettext()`` calls.

    Each item is a path (``pathlib.Path`` or other ``os.PathLike``) to a
    ``.py`` file or notebook, a notebook object, or a ``str`` of Python source.
    Notebook code cells are read whole, nbgrader's hidden-test regions included.
    Locations name files relative to *root* when given (see ``display_path``).
    """
    catalog = Catalog(domain="messages", project=project, fuzzy=False)
    for n, item in enumerate(paths_or_sources, start=1):
        if isinstance(item, os.PathLike):
            path = Path(item)
            name = display_path(path, root)
            if path.suffix == ".ipynb":
                _extract_notebook(catalog, nbformat.read(path, as_version=4), name)
            else:
                _extract_python(catalog, path.read_text(encoding="utf-8"), name)
        elif isinstance(item, str):
            if "\n" not in item and item.endswith((".py", ".ipynb")):
                raise TypeError(f"{item!r} looks like a path: pass it as a pathlib.Path")
            _extract_python(catalog, item, f"<source-{n}>")
        else:
            _extract_notebook(catalog, item, f"{project}.ipynb")
    return catalog


def _extract_notebook(catalog: Catalog, nb, name: str) -> None:
    for number, cell in enumerate(nb.cells, start=1):
        if cell.get("cell_type") == "code":
            # Location line = cell position, so both domains point at cells alike.
            _extract_python(catalog, cell_source(cell), name, cell=(number, cell.get("id")))


def _extract_python(catalog: Catalog, source: str, name: str, cell=None) -> None:
    # IPython magics and shell escapes are not Python: comment them out, which
    # keeps the line numbers.
    source = re.sub(r"(?m)^([ \t]*)(?:%{1,2}|!)(?=\w)", r"\1#", source)
    found = extract("python", io.BytesIO(source.encode("utf-8")), keywords=KEYWORDS,
                    comment_tags=("TRANSLATORS:",), strip_comment_tags=True)
    for lineno, message, comments, context in found:
        comments = list(comments)
        if cell:
            comments.append(f"cell {cell[1]}, line {lineno}")
            lineno = cell[0]
        catalog.add(message, locations=[(name, lineno)], auto_comments=comments, context=context)


# --- updating -----------------------------------------------------------------

def update_catalog(po_path: PathLike, template: Catalog, locale: str) -> Catalog:
    """Create or update the *locale* catalog at *po_path* from *template*; write it back.

    Babel's ``Catalog.update`` does the merge: changed English becomes fuzzy
    (with the old msgid kept as ``#|``), new English untranslated, removed
    English obsolete (``#~``). Dates stay as they were so unchanged input gives
    a byte-identical file.
    """
    po_path = Path(po_path)
    if po_path.exists():
        catalog = read_catalog(po_path, locale=locale)
    else:
        catalog = Catalog(locale=locale, domain=template.domain, project=template.project,
                          creation_date=template.creation_date, fuzzy=False)
        catalog.header_comment = (
            f"# {catalog.locale.english_name} translations for {template.project} "
            f"({template.domain} domain).\n"
            "# Update with `coursekit catalogs update` (see translations/README.md); never edit a msgid by hand."
        )
    previous = {(m.context, _first(m.id)): m.previous_id for m in catalog if m.previous_id}
    catalog.update(template, update_creation_date=False)
    for message in catalog:  # an entry still fuzzy keeps the English it was translated from
        key = (message.context, _first(message.id))
        if message.fuzzy and not message.previous_id and key in previous:
            message.previous_id = previous[key]
    write_catalog(po_path, catalog, domain=template.domain)
    return catalog


def write_catalog(po_path: PathLike, catalog: Catalog, *, domain: str) -> None:
    """Write *catalog* the one way the kit writes catalogs.

    Unwrapped, in notebook order, with the old msgid of fuzzy entries; in
    the notebook domain without format flags.
    """
    if domain == "notebook":
        _drop_format_flags(catalog)
    # Babel wraps the "#| msgid" of a fuzzy entry like a comment, at 76 columns,
    # which cuts its quoted string in two and leaves a file that gettext tools
    # (and polib) refuse.  Babel writes a short key instead, which is replaced
    # by the old msgid in proper "#|" lines.
    previous = {}
    for message in catalog:
        if message.previous_id:
            key = f"previous-msgid-{len(previous)}"
            previous[key], message.previous_id = message.previous_id, [key]
    buf = io.BytesIO()
    try:
        write_po(buf, catalog, width=PO_WIDTH, sort_by_file=True, include_previous=True)
    finally:
        for message in catalog:
            if message.previous_id and message.previous_id[0] in previous:
                message.previous_id = previous[message.previous_id[0]]
    text = buf.getvalue().decode(catalog.charset)
    for key, ids in previous.items():
        lines = "".join(f"#| {keyword} {normalize(msgid, prefix='#| ', width=PO_WIDTH)}\n"
                        for keyword, msgid in zip(("msgid", "msgid_plural"), ids))
        text = text.replace(f'#| msgid "{key}"\n', lines, 1)
    Path(po_path).parent.mkdir(parents=True, exist_ok=True)
    Path(po_path).write_bytes(text.encode(catalog.charset))


def _drop_format_flags(catalog: Catalog) -> None:
    # Babel flags any text with "%" or "{...}" as a format string; in prose that
    # is LaTeX or a percentage, and the flag would make gettext tools check it.
    for message in [*catalog, *catalog.obsolete.values()]:
        message.flags -= {"python-format", "python-brace-format"}


# --- checking -----------------------------------------------------------------

def check_catalog(po_path: PathLike, template: Catalog | PathLike, *, domain: str) -> list[Problem]:
    """Every reason the catalog at *po_path* cannot ship, for the entries of *template*.

    Obsolete entries are ignored. Entries of the template that the catalog
    lacks count as untranslated (the catalog needs an update).
    """
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {DOMAINS}, not {domain!r}")
    name = display_path(Path(po_path))
    catalog = read_catalog(po_path)
    template = template if isinstance(template, Catalog) else read_catalog(template)
    problems = []
    for wanted in template:
        if not wanted.id:
            continue  # the header
        msgid = _first(wanted.id)
        message = catalog.get(wanted.id, context=wanted.context)
        if message is None:
            problems.append(Problem(name, wanted.context, "untranslated", msgid, "not in catalog"))
            continue
        status = _status(message)
        if status:
            problems.append(Problem(name, message.context, status, msgid))
            continue
        for detail in placeholder_problems(message.id, message.string, domain=domain):
            problems.append(Problem(name, message.context, "placeholder mismatch", msgid, detail))
        if domain == "messages":  # babel's own checks: %-formats, plural counts
            for error in message.check(catalog):
                problems.append(Problem(name, message.context, "placeholder mismatch", msgid, str(error)))
    return problems


def _status(message: Message) -> str | None:
    if message.fuzzy:
        return "fuzzy"
    forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    if not forms or not all(forms):
        return "untranslated"
    return None


_CODE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?:\\.|[^$\\])+?\$", re.S)
_TAG = re.compile(r"<(/?[A-Za-z][A-Za-z0-9-]*)[^<>]*>")
_LINK_TARGET = re.compile(r"\]\(([^)\s]*)")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_LOCAL_DIGITS = re.compile(r"[\u06F0-\u06F9\u0660-\u0669]")


def _parts(text: str) -> dict[str, list[str]]:
    """Take out of *text* what must survive translation unchanged; "prose" is what is left."""
    def take(pattern: re.Pattern, group: int = 0) -> list[str]:
        nonlocal text
        found = [m.group(group) for m in pattern.finditer(text)]
        text = pattern.sub(" ", text)  # later patterns only see what is left
        return found

    parts = {"inline code": take(_CODE)}
    parts["math"] = take(_DISPLAY_MATH) + take(_INLINE_MATH)
    parts["HTML tags"] = [name.lower() for name in take(_TAG, 1)]
    parts["link targets"] = take(_LINK_TARGET, 1)
    parts["numbers"] = take(_NUMBER)
    parts["prose"] = [text]
    return parts


def placeholder_problems(msgid, msgstr, *, domain: str = "notebook") -> list[str]:
    """What *msgstr* fails to keep of *msgid*: code spans, math, tags, links, numbers, fields.

    Numbers must be written with ASCII digits; Persian or Arabic-Indic digits
    inside code or math are an error of their own.
    """
    if isinstance(msgid, (list, tuple)):  # plural: every form against the plural msgid
        return [d for form in msgstr for d in placeholder_problems(msgid[-1], form, domain=domain)]
    source, target = _parts(msgid), _parts(msgstr)
    details = []
    for key in ("inline code", "math", "link targets", "numbers"):
        missing = Counter(source[key]) - Counter(target[key])
        extra = Counter(target[key]) - Counter(source[key])
        if missing or extra:
            details.append(f"{key}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    # <bdi> only isolates a left-to-right run inside right-to-left text; a
    # translation may add it where the English needs none.
    tags = {side: [t for t in parts["HTML tags"] if t not in ("bdi", "/bdi")] for side, parts in
            (("source", source), ("target", target))}
    if tags["source"] != tags["target"] or target["HTML tags"].count("bdi") != target["HTML tags"].count("/bdi"):
        details.append(f"HTML tags: {source['HTML tags']} became {target['HTML tags']}")
    local = [s for s in target["inline code"] + target["math"] if _LOCAL_DIGITS.search(s)]
    if local:
        details.append(f"Persian/Arabic-Indic digits inside code or math: {local}")
    if _LOCAL_DIGITS.search(target["prose"][0]):
        details.append("Persian/Arabic-Indic digits in prose: numbers must use ASCII digits")
    if domain == "messages":
        want, got = _fields(msgid), _fields(msgstr)
        if want != got:
            details.append(f"format fields: {sorted(want or [])} became {sorted(got or [])}")
    return details


def _fields(text: str) -> set[str] | None:
    """The ``{name}`` fields of a str.format string; None if it is not one."""
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError:
        return None


# --- stats and compiling ---------------------------------------------------------

def catalog_stats(po_path: PathLike) -> dict[str, int]:
    """Counts of the live (non-obsolete) entries by state."""
    counts = Counter(_status(m) for m in read_catalog(po_path) if m.id)
    translated, fuzzy, untranslated = counts[None], counts["fuzzy"], counts["untranslated"]
    return {"entries": translated + fuzzy + untranslated, "translated": translated,
            "fuzzy": fuzzy, "untranslated": untranslated}


def compile_messages(po_path: PathLike, mo_path: PathLike, *, allow_incomplete: bool = False) -> Path:
    """Write the ``.mo`` for *po_path*; refuse fuzzy or untranslated entries unless allowed.

    Fuzzy entries never reach the ``.mo`` either way.
    """
    catalog = read_catalog(po_path)
    name = display_path(Path(po_path))
    problems = [Problem(name, m.context, s, _first(m.id)) for m in catalog if m.id and (s := _status(m))]
    if problems and not allow_incomplete:
        raise CatalogError(problems)
    mo_path = Path(mo_path)
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    with open(mo_path, "wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    return mo_path


# --- reading and paths ----------------------------------------------------------

def read_catalog(po_path: PathLike, locale: str | None = None) -> Catalog:
    """Read a ``.po`` or ``.pot`` file with Babel, keeping the old msgids of fuzzy entries."""
    with open(po_path, "rb") as f:
        catalog = read_po(f, locale=locale, abort_invalid=True)
    # Babel's reader takes the "#| msgid" of a fuzzy entry for a translator
    # comment; polib reads it as the previous msgid it is.
    for message in [*catalog, *catalog.obsolete.values()]:
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    for entry in polib.pofile(str(po_path)):
        message = None if entry.obsolete else catalog.get(entry.msgid, context=entry.msgctxt)
        if message is not None and entry.previous_msgid:
            message.previous_id = [entry.previous_msgid] + (
                [entry.previous_msgid_plural] if entry.previous_msgid_plural else [])
    return catalog


#: The name the build stage reads catalogs by.
load_catalog = read_catalog


def _first(msgid) -> str:
    return msgid[0] if isinstance(msgid, (list, tuple)) else msgid


def display_path(path: Path, root: PathLike | None = None) -> str:
    """*path* relative to *root*, the course or the working directory; never absolute."""
    if not path.is_absolute():
        return path.as_posix()
    for root in ([Path(root)] if root else []) + [Path.cwd()]:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.name
