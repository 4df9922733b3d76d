"""Splitting a markdown cell into the blocks that translators see.

``split_blocks`` cuts a cell's source into Blocks whose rendered texts, joined,
give the source back exactly. A translatable block holds one paragraph, list
item, heading, block quote or table. The markup at the start of its lines
(heading hashes, list markers, ``>``, indentation) is kept apart in
``prefixes`` so that translators neither see nor break it. Fenced and indented
code, ``$$...$$`` and ``\\begin{...}`` display math, raw HTML blocks, rules,
link definitions and the blank lines between blocks are kept verbatim.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

#: Kinds of block whose text is offered for translation.
PROSE_KINDS = frozenset({"paragraph", "heading", "item", "quote", "table"})

_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]+|(?=[\r\n])|$)")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = re.compile(r"[ \t]*> ?")
_ITEM = re.compile(r"[ \t]*(?:[-+*]|(\d{1,9})[.)])(?:[ \t]+|(?=[\r\n])|$)")
_REF = re.compile(r" {0,3}\[[^\]]+\]:[ \t]*\S")
_TABLE_DELIM = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_MARKUP = re.compile(r"(`+).+?\1|\$\$.+?\$\$|\$[^$]+\$|<[^>]*>|\]\([^)]*\)", re.S)
_WORD = re.compile(r"[^\W\d_]")
_BEGIN_ENV = re.compile(r"[ \t]*\\begin\{([^}]+)\}")
# CommonMark HTML block starts: 1 (ends at its closing tag), 2 (comment),
# 6 (block-level tag names, ends at a blank line) and 7 (any complete tag
# alone on its line, ends at a blank line, cannot interrupt a paragraph).
_HTML_RAW = re.compile(r"[ \t]*<(script|pre|style|textarea)(?:[\s>]|$)", re.I)
_HTML_COMMENT = re.compile(r"[ \t]*<!--")
_HTML_BLOCK = re.compile(
    r"[ \t]*</?(?:address|article|aside|base|basefont|blockquote|body|caption|center"
    r"|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure"
    r"|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link"
    r"|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section"
    r"|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:\s|/?>|$)",
    re.I,
)
_HTML_LONE_TAG = re.compile(
    r"[ \t]*(?:<[A-Za-z][A-Za-z0-9-]*"
    r"(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*"
    r"\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)\s*$"
)


@dataclass(frozen=True)
class Block:
    """One piece of a markdown cell.

    ``kind`` is one of PROSE_KINDS or a verbatim kind: ``fence``, ``code``,
    ``math``, ``html``, ``rule``, ``ref``, ``sep`` (line breaks between blocks).
    """

    kind: str
    text: str
    prefixes: tuple[str, ...] = ()  # markup taken off the front of each line
    cont: str = ""  # prefix for the lines a translation adds

    @property
    def translatable(self) -> bool:
        """Prose with at least one word outside code, math and tags (not a bare anchor)."""
        return self.kind in PROSE_KINDS and bool(_WORD.search(_MARKUP.sub(" ", self.text)))

    def render(self, text: str | None = None) -> str:
        """The block's markdown, with *text* (a translation) in place of its own."""
        if text is None:
            text = self.text
        elif self.kind == "heading":
            text = " ".join(text.split("\n"))  # a heading is one line
        if not self.prefixes:
            return text
        lines = _lines(text) or [""]
        if text.endswith("\n"):
            lines.append("")  # a last empty line still gets its prefix
        return "".join(
            (self.prefixes[i] if i < len(self.prefixes) else self.cont) + line
            for i, line in enumerate(lines)
        )


def split_blocks(source: str) -> list[Block]:
    """Cut *source* into blocks; ``join_blocks(split_blocks(s)) == s``."""
    lines = _lines(source)
    blocks: list[Block] = []
    gap, pos = "", 0  # text between blocks: a line ending, then blank lines
    for kind, start, end, prefixes, cont in _groups(lines):
        gap += "".join(lines[pos:start])
        if gap:
            blocks.append(Block("sep", gap))
        text = "".join(line[len(p):] for line, p in zip(lines[start:end], prefixes or [""] * (end - start)))
        ending = re.search(r"\r?\n\Z", text)
        body = text[: ending.start()] if ending else text
        gap, pos = text[len(body):], end
        blocks.append(Block(kind, body, prefixes, cont))
    gap += "".join(lines[pos:])
    if gap:
        blocks.append(Block("sep", gap))
    return blocks


def join_blocks(blocks: list[Block], replace: Callable[[Block], str | None] | None = None) -> str:
    """Join *blocks* back into markdown; *replace* may return a translation for a block."""
    return "".join(b.render(replace(b) if replace and b.translatable else None) for b in blocks)


def prose_blocks(source: str) -> list[Block]:
    """The blocks of *source* that translators see, in order."""
    return [b for b in split_blocks(source) if b.translatable]


def is_translatable_cell(cell) -> bool:
    """Markdown cells are translated unless their metadata says ``coursekit.translate: false``."""
    if cell.get("cell_type") != "markdown":
        return False
    return cell.get("metadata", {}).get("coursekit", {}).get("translate", True) is not False


def cell_source(cell) -> str:
    """A cell's source as one string (nbformat may hold it as a list of lines)."""
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


# --- the line-level parser ---------------------------------------------------

def _lines(text: str) -> list[str]:
    """Lines with their endings; only \\n ends a line (not U+2028 and friends)."""
    return [line for line in re.split(r"(?<=\n)", text) if line]


def _blank(line: str) -> bool:
    return not line.strip()


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _fence_end(lines: list[str], i: int) -> int | None:
    m = _FENCE.match(lines[i])
    if not m:
        return None
    mark = m.group(1)
    closing = re.compile(r"[ \t]*" + re.escape(mark[0]) + "{%d,}[ \t]*$" % len(mark))
    for j in range(i + 1, len(lines)):
        if closing.match(lines[j].rstrip("\r\n")):
            return j + 1
    return len(lines)  # an unclosed fence runs to the end, as in CommonMark


def _math_end(lines: list[str], i: int) -> int | None:
    """End of a display-math block starting at line *i*, if one starts there."""
    first = lines[i].strip()
    env = _BEGIN_ENV.match(lines[i])
    if env:
        closing = "\\end{%s}" % env.group(1)
        if closing in first:
            return i + 1 if first.endswith(closing) else None
    elif first.startswith("$$"):
        if len(first) > 2 and first.endswith("$$") and first.count("$$") >= 2:
            return i + 1 if first.count("$$") == 2 else None
        closing = "$$"
    else:
        return None
    for j in range(i + 1, len(lines)):
        if _blank(lines[j]):
            return None  # math cannot span a blank line in markdown
        if lines[j].strip().endswith(closing):
            return j + 1
    return None


def _html_end(lines: list[str], i: int, interrupting: bool) -> int | None:
    line = lines[i]
    raw = _HTML_RAW.match(line)
    if raw or _HTML_COMMENT.match(line):
        closing = "-->" if not raw else "</%s>" % raw.group(1).lower()
        for j in range(i, len(lines)):
            if closing in lines[j].lower():
                return j + 1
        return len(lines)
    if _HTML_BLOCK.match(line) or (not interrupting and _HTML_LONE_TAG.match(line.rstrip("\r\n"))):
        j = i + 1
        while j < len(lines) and not _blank(lines[j]):
            j += 1
        return j
    return None


def _is_table(lines: list[str], i: int) -> bool:
    return (
        "|" in lines[i]
        and i + 1 < len(lines)
        and "|" in lines[i + 1]
        and bool(_TABLE_DELIM.match(lines[i + 1].rstrip("\r\n")))
    )


def _interrupts(lines: list[str], i: int, in_item: bool) -> bool:
    """Does line *i* start a new block instead of continuing the current one?"""
    line = lines[i]
    item = _ITEM.match(line)
    # Inside a paragraph only bullets and lists starting at 1 begin a list.
    if item and (in_item or (item.group(1) in (None, "1") and line[item.end():].strip())):
        return True
    return bool(
        _FENCE.match(line)
        or _math_end(lines, i)
        or _html_end(lines, i, interrupting=True)
        or _ATX.match(line)
        or _RULE.match(line)
        or _QUOTE.match(line)
    )


Group = tuple[str, int, int, tuple[str, ...], str]


def _groups(lines: list[str]) -> Iterator[Group]:
    """Yield (kind, first line, end line, prefixes, cont) for each non-blank block."""
    i, n, in_list = 0, len(lines), False
    while i < n:
        line = lines[i]
        if _blank(line):
            i += 1
            continue
        indent = _indent(line)
        end = _fence_end(lines, i)
        if end:
            yield "fence", i, end, (), ""
            i = end
            continue
        end = _math_end(lines, i) or _html_end(lines, i, interrupting=False)
        if end:
            yield ("math" if _math_end(lines, i) else "html"), i, end, (), ""
            i = end
            continue
        if len(indent.expandtabs(4)) >= 4 and not in_list:
            end = i + 1
            while end < n and (_blank(lines[end]) or len(_indent(lines[end]).expandtabs(4)) >= 4):
                end += 1
            while _blank(lines[end - 1]):
                end -= 1
            yield "code", i, end, (), ""
            i = end
            continue
        if _RULE.match(line) or _REF.match(line):
            yield ("rule" if _RULE.match(line) else "ref"), i, i + 1, (), ""
            i += 1
            continue
        heading = _ATX.match(line)
        if heading:
            in_list = False
            yield "heading", i, i + 1, (heading.group(0),), ""
            i += 1
            continue
        if _is_table(lines, i):
            end = i + 2
            while end < n and not _blank(lines[end]) and not _interrupts(lines, end, True):
                end += 1
            yield "table", i, end, (), ""
            i = end
            continue
        quote, item = _QUOTE.match(line), _ITEM.match(line)
        if quote:
            end, prefixes = i + 1, [quote.group(0)]
            while end < n and not _blank(lines[end]):
                more = _QUOTE.match(lines[end])
                if not more and _interrupts(lines, end, False):
                    break
                prefixes.append(more.group(0) if more else _indent(lines[end]))
                end += 1
            yield "quote", i, end, tuple(prefixes), quote.group(0)
            i = end
            continue
        kind, prefixes = ("item", [item.group(0)]) if item else ("paragraph", [indent])
        end = i + 1
        while end < n and not _blank(lines[end]):
            if not item and _SETEXT.match(lines[end].rstrip("\r\n")):
                kind = "heading"  # the underline follows as a verbatim rule
                break
            if _interrupts(lines, end, bool(item)):
                break
            prefixes.append(_indent(lines[end]))
            end += 1
        in_list = bool(item) or (in_list and bool(indent))
        cont = " " * len(item.group(0).expandtabs(4)) if item else indent
        yield kind, i, end, tuple(prefixes), cont
        if kind == "heading":
            yield "rule", end, end + 1, (), ""
            end += 1
        i = end
