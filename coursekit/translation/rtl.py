"""Right-to-left layout for translated notebooks (Persian)."""
from __future__ import annotations

import copy
import re

from .prose_blocks import cell_source, is_translatable_cell, split_blocks

_WRAPPED = re.compile(r'<div dir="rtl"[^>]*>\n\n.*\n\n</div>\Z', re.S)


def wrap_rtl(nb, lang: str = "fa"):
    """A copy of *nb* whose translated markdown cells are laid out right to left.

    Each such cell becomes ``<div dir="rtl" lang=...>``, a blank line, the
    content, a blank line, ``</div>``: the blank lines let CommonMark parse the
    content as markdown rather than raw HTML. Fenced code inside gets its own
    ``<div dir="ltr">`` so that the bidi algorithm does not move punctuation at
    the ends of code lines, and inline code is isolated in ``<bdi>``. Math
    and every character (U+200C included) are left as they are. Code cells, and markdown cells that are
    not translated, stay left to right. Wrapping twice changes nothing.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        source = cell_source(cell)
        if not is_translatable_cell(cell) or not source.strip() or _WRAPPED.match(source):
            continue
        cell.source = f'<div dir="rtl" lang="{lang}">\n\n{_ltr_fences(source)}\n\n</div>'
    return nb


def _ltr_fences(source: str) -> str:
    blocks = split_blocks(source)
    out = []
    for i, block in enumerate(blocks):
        if block.kind == "fence":
            indent = block.text[: len(block.text) - len(block.text.lstrip(" \t"))]
            out.append(f'{indent}<div dir="ltr">\n\n{block.text}\n\n{indent}</div>')
        elif block.kind == "sep" and i and blocks[i - 1].kind == "fence" and i + 1 < len(blocks):
            # "</div>" opens an HTML block that runs to the next blank line, so
            # text right after it needs a blank line to stay markdown.
            out.append(block.text if block.text.count("\n") > 1 else "\n\n")
        elif block.translatable:
            out.append(block.render(_isolate_inline_code(block.text)))
        else:
            out.append(block.render())
    return "".join(out)


# A code span: a run of backticks, the code, the same run again.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _isolate_inline_code(text: str) -> str:
    """Put each inline code span in ``<bdi>``, so that right-to-left prose around it
    cannot reorder it (``b.item()`` would otherwise show as ``()b.item``)."""
    return _CODE_SPAN.sub(lambda m: f"<bdi>{m.group(0)}</bdi>", text)
