"""Feedback stage: each line of an output laid out in its own direction.

A Persian check message is a block of lines, each isolated right to left as a
whole (U+2067 ... U+2069, by ``cnn_checks``), inside nbconvert's
left-to-right ``<pre>``.  The kit's stylesheet gives output text
``unicode-bidi: plaintext`` and ``text-align: start``, so that each line
takes the direction of its first strong letter, wraps, and starts at the
edge where it begins (the right one for Persian).  Two things stand in the
way, and the mark put at the start of a line here (U+200F RIGHT-TO-LEFT MARK
or U+200E LEFT-TO-RIGHT MARK, invisible) removes both:

* a line that is one right-to-left isolate has no strong letter outside it,
  and the Unicode rule (UAX #9, P2) skips isolates: it would be left to right;
* Chromium does not skip isolates when it looks for the first strong letter,
  so ``\u2067\u2066conv_single_step\u2069: ...`` would be left to right for
  the code name isolated in it.

The direction of a line is therefore decided here, by rule P2 (isolates
skipped), and a line that is one isolate takes the isolate's direction.
"""
from __future__ import annotations

import re
import unicodedata

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
LRM, RLM = "\u200e", "\u200f"
_RIGHT_TO_LEFT = {"R", "AL"}


def line_direction(line: str) -> str | None:
    """``"rtl"``, ``"ltr"`` or None (no strong letter): rule P2, then the isolate a whole line is."""
    depth = 0
    for char in line:
        if char in (LRI, RLI, FSI):
            depth += 1
        elif char == PDI:
            depth = max(depth - 1, 0)
        elif depth == 0:
            kind = unicodedata.bidirectional(char)
            if kind == "L":
                return "ltr"
            if kind in _RIGHT_TO_LEFT:
                return "rtl"
    opening = line.lstrip()[:1]
    if opening == RLI:
        return "rtl"
    if opening == LRI:
        return "ltr"
    return None


def first_strong(line: str) -> str | None:
    """The direction of the first strong letter, isolates not skipped (what Chromium goes by)."""
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in _RIGHT_TO_LEFT:
            return "rtl"
    return None


def mark_line(line: str) -> str:
    """*line* with a direction mark in front when the browser would otherwise take the wrong direction."""
    if line.startswith((LRM, RLM)):
        return line
    direction = line_direction(line)
    if direction == "rtl":
        # Unless a right-to-left letter opens the line, the mark decides: Chromium skips a closed isolate when
        # it looks for the first strong letter of some lines and not of others (a right-to-left isolate
        # holding left-to-right isolates is read as left to right).
        return line if unicodedata.bidirectional(line[:1] or " ") in _RIGHT_TO_LEFT else RLM + line
    if direction is None or direction == (first_strong(line) or "ltr"):
        return line
    return LRM + line


_LINE = re.compile(r"[^\n]+")


def mark_lines(text: str) -> str:
    """Every line of *text* marked as ``mark_line`` does (the line breaks kept)."""
    if not text:
        return text
    return _LINE.sub(lambda m: mark_line(m.group(0)), text)
