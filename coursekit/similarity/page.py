"""Similarity, last step: the ranked pairs -> one self-contained HTML page, shared fragments side by side.

The page (``similarity.html`` beside the instructor report) has no scripts,
loads nothing and sends nothing: it is written on the instructor's machine
from the submissions there.  It lists every pair at or above the threshold,
best first, the submissions that match a reference solution, and for the
first ``max_pairs_shown`` of them both sides' answer cells with the code they
share highlighted, fragment by fragment in matching colours.  It says
"similar", never more: the evidence is shown and a person judges it.
"""
from __future__ import annotations

import html
import time
from pathlib import Path

from ..course import Course
from ..report.page import _CSS as _REPORT_CSS  # the report's look: the two pages are read side by side
from .extract import extract
from .fingerprint import Settings
from .options import SimilarityReport
from .rank import Pair, Result, rank

#: Fragment colours (Okabe-Ito, lightened); fragment n takes colour n mod 8 on both sides.
PALETTE = ["#f6d38c", "#a9d8f3", "#9fdcc5", "#f5ef9a", "#9cc3e4", "#f2b998", "#e6bcd6", "#d2d2d2"]

_CSS = _REPORT_CSS + """
main { max-width: 1400px; }
h3 { font-size: 1.05em; margin: 18px 0 6px; }
tr.below td { color: #6a6a6a; }
.pair { background: #fff; border: 1px solid #dcdcd8; border-radius: 8px; padding: 10px 16px; margin: 18px 0; }
.sides { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; }
.sides h4 { margin: 4px 0; font-size: .92em; color: #3a3a3a; }
pre { font: 12.5px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: #fbfbf9;
      border: 1px solid #e2e2de; border-radius: 6px; padding: 8px; margin: 0; overflow-x: auto;
      white-space: pre; }
mark { border-radius: 2px; padding: 0; color: inherit; }
mark sup { font: 9px/1 system-ui, sans-serif; color: #3a3a3a; }
""" + "\n".join(f"mark.f{i} {{ background: {colour}; }}" for i, colour in enumerate(PALETTE))


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def highlight(code: str, spans: list[tuple[int, int, int]]) -> str:
    """*code* as escaped HTML with each (start, end, fragment number) span in a numbered ``<mark>``."""
    owner = [-1] * len(code)
    for start, end, number in spans:
        for i in range(max(start, 0), min(end, len(code))):
            if owner[i] < 0:
                owner[i] = number
    out, i = [], 0
    while i < len(code):
        j = i
        while j < len(code) and owner[j] == owner[i]:
            j += 1
        text = _e(code[i:j])
        if owner[i] < 0:
            out.append(text)
        else:
            n = owner[i]
            first = i == 0 or owner[i - 1] != n
            label = f"<sup>{n + 1}</sup>" if first else ""
            out.append(f'<mark class="f{n % len(PALETTE)}" title="shared fragment {n + 1}">{label}{text}</mark>')
        i = j
    return "".join(out)


def _pair_id(kind: str, rank_no: int) -> str:
    return f"{kind}-{rank_no}"


def pair_view(pair: Pair, anchor: str, title: str) -> str:
    """One pair: per answer cell, both sides with the shared fragments highlighted."""
    parts = [f'<section class="pair" id="{anchor}"><h3>{_e(title)}: {_e(pair.left.label)} and '
             f"{_e(pair.right.label)}, {_pct(pair.score)} similar</h3>"]
    for match in sorted(pair.matches, key=lambda m: -m.shared):
        fragments = match.fragments()
        left = highlight(match.left.raw_code, [(*f.left, n) for n, f in enumerate(fragments)])
        right = highlight(match.right.raw_code, [(*f.right, n) for n, f in enumerate(fragments)])
        parts.append(
            f'<p><code>{_e(match.title)}</code>: {_pct(match.score)} of this cell\'s code shared, '
            f"{len(fragments)} fragment{'s' if len(fragments) != 1 else ''}</p>"
            f'<div class="sides"><div><h4>{_e(pair.left.label)}</h4><pre dir="ltr">{left}</pre></div>'
            f'<div><h4>{_e(pair.right.label)}</h4><pre dir="ltr">{right}</pre></div></div>')
    parts.append('<p><a href="#top">back to the list</a></p></section>')
    return "\n".join(parts)


def _pairs_table(pairs: list[Pair], threshold: float, kind: str, shown: int, right_header: str,
                 context: int = 0) -> str:
    above = [p for p in pairs if p.score >= threshold]
    below = [p for p in pairs if p.score < threshold][:context]
    rows = []
    for n, pair in enumerate(above + below, 1):
        css = "" if pair.score >= threshold else ' class="below"'
        view = (f'<a href="#{_pair_id(kind, n)}">side by side</a>' if pair.score >= threshold and n <= shown
                else "")
        cells = ", ".join(f"{m.title} {_pct(m.score)}" for m in sorted(pair.matches, key=lambda m: -m.shared)[:4])
        more = len(pair.matches) - 4
        rows.append(f"<tr{css}><td class=\"num\">{n}</td><td>{_e(pair.left.label)}</td>"
                    f"<td>{_e(pair.right.label)}</td><td class=\"num\">{_pct(pair.score)}</td>"
                    f"<td class=\"num\">{pair.longest}</td><td><code>{_e(cells)}</code>"
                    f"{f' and {more} more' if more > 0 else ''}</td><td>{view}</td></tr>")
    head = ("<tr><th class=\"num\">#</th><th>Submission</th><th>" + _e(right_header) + "</th>"
            "<th class=\"num\">Similarity</th><th class=\"num\">Longest fragment</th>"
            "<th>Cells with shared code (most shared code first)</th><th></th></tr>")
    return f"<table>\n<thead>{head}</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def render(result: Result, options: SimilarityReport) -> str:
    """The whole page."""
    ex, settings = result.extracted, result.settings
    flagged, refs = result.flagged, result.flagged_references
    languages = sorted({s.language for s in ex.submissions if s.language})
    title = f"Similar submissions: {ex.master}" + (f" ({', '.join(languages)})" if languages else "")
    generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    n = result.submissions
    parts = [
        f'<h1 id="top">{_e(title)}</h1>',
        f'<p class="sub">Generated {_e(generated)} on this machine from <code>submitted/</code>; nothing was '
        "sent anywhere. "
        f"{n} submission{'s' if n != 1 else ''}, {n * (n - 1) // 2} pairs, compared in {result.seconds:.1f} s.</p>",
        '<p class="note">A pair is listed when at least '
        f"<strong>{_pct(result.threshold)}</strong> of the two submissions' own code is found in both. "
        "<strong>Similar is not copied:</strong> short answers, a common approach or help from the same "
        "source can make independent work similar. Read the shared fragments below and decide; "
        "the code the release gives (scaffold, docstrings, given lines, in every language) never counts, and "
        f"{result.common} fingerprint{'s' if result.common != 1 else ''} found in more than "
        f"{_pct(settings.common_fraction)} of the class {'were' if result.common != 1 else 'was'} discounted as "
        "the natural shape of the answer.</p>",
        f"<p>Comparison: {'answer cell with answer cell of the same grade id' if result.unit == 'cell' else 'whole notebooks'}"
        f"; names, comments, strings and layout ignored (copydetect, k = {settings.noise_threshold} "
        f"characters of normalised code, every run of {settings.guarantee_threshold} found). "
        "Similarity: the share of both sides' fingerprinted code found in both. Longest fragment: in "
        "characters of normalised code.</p>",
    ]
    parts.append(f'<h2 id="pairs">Pairs of submissions at or above {_pct(result.threshold)}</h2>')
    if flagged:
        parts.append(f"<p>{len(flagged)} pair{'s' if len(flagged) != 1 else ''}, most similar first; the "
                     "closest pairs below the threshold follow in grey.</p>")
    else:
        parts.append('<p class="note ok">No pair of submissions reaches the threshold.</p>')
    if result.pairs:
        parts.append(_pairs_table(result.pairs, result.threshold, "pair", options.max_pairs_shown, "Submission",
                                  context=5))
    if ex.references:
        parts.append(f'<h2 id="references">Submissions that match a reference solution</h2>'
                     f"<p>{len(ex.references)} reference solution{'s' if len(ex.references) != 1 else ''} from "
                     f"{_e(', '.join(options.reference_dirs))}.</p>")
        if refs:
            parts.append(_pairs_table(result.references, result.threshold, "ref", options.max_pairs_shown,
                                      "Reference solution"))
        else:
            parts.append('<p class="note ok">No submission reaches the threshold against a reference.</p>')
    if ex.skipped:
        parts.append('<h2 id="skipped">Not compared</h2><ul>'
                     + "".join(f"<li><code>{_e(s)}</code></li>" for s in ex.skipped) + "</ul>")
    views = [pair_view(p, _pair_id("pair", n), f"Pair {n}")
             for n, p in enumerate(flagged[:options.max_pairs_shown], 1)]
    views += [pair_view(p, _pair_id("ref", n), f"Reference match {n}")
              for n, p in enumerate(refs[:options.max_pairs_shown], 1)]
    if views:
        parts.append('<h2 id="side-by-side">Side by side</h2>')
        parts += views
    body = "\n".join(parts)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def compare_class(course: Course, options: SimilarityReport | None = None) -> Result:
    """Read the course's submissions and reference solutions and rank every pair."""
    options = options or SimilarityReport(config=course.config)
    settings = Settings(options.noise_threshold, max(options.guarantee_threshold, options.noise_threshold),
                        options.common_fraction, options.common_min_class)
    return rank(extract(course, options.reference_dirs), settings, options.unit, options.threshold)


def write_similarity(course: Course, out_dir: Path, options: SimilarityReport | None = None) -> tuple[Path, Result]:
    """Write the similarity page into *out_dir*; (its path, the ranked pairs)."""
    options = options or SimilarityReport(config=course.config)
    result = compare_class(course, options)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / options.output_name
    page.write_text(render(result, options), encoding="utf-8")
    return page, result


def report_section(result: Result, href: str) -> str:
    """The instructor report's short section: how many pairs are similar, and a link to the page."""
    flagged, refs = result.flagged, result.flagged_references
    lines = [f"{len(flagged)} pair{'s' if len(flagged) != 1 else ''} of submissions at or above "
             f"{_pct(result.threshold)} similarity"]
    if result.extracted.references:
        lines.append(f"{len(refs)} match{'es' if len(refs) != 1 else ''} with a reference solution")
    top = "".join(f"<li>{_e(p.left.label)} and {_e(p.right.label)}: {_pct(p.score)}</li>" for p in flagged[:5])
    return ('<h2 id="similarity">Similar submissions</h2>'
            f"<p>{_e('; '.join(lines))}. Similar is not copied: open "
            f'<a href="{_e(href)}">{_e(href)}</a> to read the shared code side by side and judge.</p>'
            + (f"<ul>{top}</ul>" if top else ""))


def report_section_for(course: Course, out_dir: Path) -> str:
    """The instructor report's section (``c.InstructorReport.sections``): writes the similarity page beside
    the report and links it; nothing when ``c.SimilarityReport.in_instructor_report`` is False."""
    if not SimilarityReport(config=course.config).in_instructor_report:
        return ""
    try:
        similar, result = write_similarity(course, out_dir)
    except FileNotFoundError as err:  # no release/ to tell given code from the students'
        return f'<h2 id="similarity">Similar submissions</h2><p class="note">Not compared: {_e(err)}</p>'
    return report_section(result, similar.name)


def screenshot_pair(page: Path, out: Path, anchor: str = "pair-1", width: int = 1280, height: int = 900) -> Path:
    """A PNG of one pair's side-by-side view on *page* (headless Chromium; the page may load nothing)."""
    from ..report.screenshot import chromium_context, refuse_network

    with chromium_context(width=width, height=height) as context:
        refused = refuse_network(context)
        view = context.new_page()
        view.goto(Path(page).resolve().as_uri(), wait_until="load")
        box = view.locator(f"#{anchor}").bounding_box()
        if box is None:
            raise RuntimeError(f"{page}: no #{anchor} on the page")
        if refused:
            raise RuntimeError(f"{page}: the page made network requests: {refused}")
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        clip = {"x": 0, "y": box["y"] - 8, "width": width, "height": min(box["height"] + 16, height)}
        view.screenshot(path=str(out), full_page=True, clip=clip)
    return Path(out)
