"""The instructor report: how the class did after a batch is graded.

Reads the scores from the course's gradebook through nbgrader's API and the
failure messages and incidents from the autograded notebooks, then writes

* ``report.html``: one self-contained page (figures embedded as PNG data
  URIs, inline CSS, no scripts, no network) with the score distribution, the
  pass rate of every graded cell, what the class got wrong (the submissions
  per mistake of every graded function, per language, with the failure
  messages grouped by mistake in a fold-out), the submissions that need
  attention and a few summary numbers;
* ``grades_by_cell.csv``: one row per (student, assignment), one column per
  graded cell, plus the language and the total.

Incidents are read from the autograded notebooks' metadata
(``coursekit.grading.incidents`` defines them).  Usage::

    coursekit report [--course-root DIR] [--out DIR] [--assignment NAME ...]
"""
from __future__ import annotations

import html
import importlib
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from ..course import Course, CourseError
from .charts import distribution_figure, mistakes_figure, pass_rate_figure, png_data_uri
from .data import (ATTENTION_LABELS, GRADES_CSV, MANUAL_PENDING, UNRECOGNISED, InstructorReport, SEVERITY, CellStats,
                   ClassData, attention_rows, cell_stats, check_names, collect, fmt_number, language_label,
                   messages_by_mistake, mistake_counts, mistake_titles, pending_manual, write_csv)

REPORT_HTML = "report.html"


_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: #1d1d1f; background: #f6f6f4; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d8d8d4; }
.sub { color: #5a5a5a; margin: 0 0 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 12px; }
.card { background: #fff; border: 1px solid #dcdcd8; border-radius: 8px; padding: 10px 16px; min-width: 110px; }
.card .v { font-size: 1.6em; font-weight: 600; }
.card .k { color: #5a5a5a; font-size: .85em; }
.note { background: #fff8e1; border-left: 4px solid #E69F00; padding: 8px 12px; margin: 10px 0; border-radius: 4px; }
.ok { background: #e8f5ef; border-left-color: #009E73; }
figure { margin: 12px 0; background: #fff; border: 1px solid #dcdcd8; border-radius: 8px; padding: 10px; }
figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption { color: #5a5a5a; font-size: .85em; margin-top: 6px; }
table { border-collapse: collapse; background: #fff; margin: 8px 0; font-size: .92em; }
th, td { border: 1px solid #dcdcd8; padding: 5px 9px; text-align: left; vertical-align: top; }
th { background: #eceae4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafaf8; }
code { font: .9em ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; }
code.id { white-space: nowrap; word-break: normal; }
td.r-low { background: #f9dccb; } td.r-mid { background: #fbedc9; } td.r-high { background: #d5efe5; }
.tag { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: .85em; font-weight: 600; color: #fff; white-space: nowrap; }
.k-tampered { background: #D55E00; } .k-other_numbers { background: #9b4f96; } .k-kernel_died { background: #CC79A7; } .k-timeout { background: #0072B2; }
.k-malformed { background: #5a5a5a; } .k-output_truncated { background: #56B4E9; color: #1d1d1f; }
.k-manual_pending { background: #E69F00; color: #1d1d1f; } .k-other { background: #888; }
footer { margin-top: 40px; color: #5a5a5a; font-size: .85em; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _td(i: int, cell: str | tuple[str, str], numeric: set[int]) -> str:
    content, css = cell if isinstance(cell, tuple) else (cell, "num" if i in numeric else "")
    return f'<td class="{css}">{content}</td>' if css else f"<td>{content}</td>"


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    """*rows* hold already escaped HTML fragments, or (fragment, css class) pairs."""
    num = ' class="num"'
    head = "".join(f'<th{num if i in numeric else ""} scope="col">{h}</th>'
                   for i, h in enumerate(headers))
    body = "\n".join(
        "<tr>" + "".join(_td(i, c, numeric) for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _figure(uri: str, alt: str, caption: str) -> str:
    return (f'<figure><img src="{uri}" alt="{_e(alt)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:.0f}%" if den else "\u2013"


def _rate_cell(num: int, den: int) -> tuple[str, str]:
    """A pass rate and the class that tints it like the chart's bands."""
    if not den:
        return "\u2013", "num"
    rate = num / den
    band = "low" if rate < 0.5 else "mid" if rate < 0.8 else "high"
    return _pct(num, den), f"num r-{band}"


def _summary_section(data: ClassData) -> str:
    subs = data.submissions
    totals = [s.total for s in subs]
    students = {s.student for s in subs}
    max_possible = max((s.max_total for s in subs), default=0.0)
    cards = [("Submissions", str(len(subs))), ("Students", str(len(students)))]
    if totals:
        cards += [("Mean score", fmt_number(statistics.fmean(totals))),
                  ("Median score", fmt_number(statistics.median(totals))),
                  ("Highest score", fmt_number(max(totals))),
                  ("Max possible", fmt_number(max_possible))]
    parts = ['<h2 id="summary">Summary</h2>', '<div class="cards">']
    parts += [f'<div class="card"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div></div>'
              for k, v in cards]
    parts.append("</div>")

    notes = []
    if not subs:
        notes.append("No submissions in the gradebook for "
                     + (", ".join(data.assignments) or "any assignment")
                     + ": there is nothing to plot yet.")
    elif len(subs) == 1:
        notes.append("Only one submission: distributions are not meaningful, "
                     "and each pass rate is that one student's result.")
    multi = sorted(st for st, n in Counter(s.student for s in subs).items() if n > 1)
    if multi:
        notes.append(f"{len(multi)} student(s) have more than one submission "
                     f"(several languages): {', '.join(multi)}.")
    missing = [s for s in subs if s.notebooks_missing]
    if missing:
        notes.append(f"{len(missing)} submission(s) have grades but no autograded notebook, "
                     "so their failure messages and incidents are unknown.")
    parts += [f'<p class="note">{_e(n)}</p>' for n in notes]

    if subs:
        by_lang: dict[str, list[float]] = defaultdict(list)
        for s in subs:
            by_lang[s.language].append(s.total)
        rows = [[_e(language_label(lang)), str(len(v)), fmt_number(statistics.fmean(v)),
                 fmt_number(statistics.median(v)), fmt_number(max(v))]
                for lang, v in sorted(by_lang.items())]
        parts.append(_table(["Language", "Submissions", "Mean", "Median", "Highest"],
                            rows, numeric={1, 2, 3, 4}))
    counts = Counter(s.assignment for s in subs)
    parts.append("<p>Assignments: " + ", ".join(
        f"<code>{_e(a)}</code> ({counts.get(a, 0)})" for a in data.assignments) + "</p>"
        if data.assignments else "<p>The gradebook has no assignments.</p>")
    return "\n".join(parts)


def _attention_section(data: ClassData) -> str:
    rows = attention_rows(data)
    pending = pending_manual(data)
    parts = ['<h2 id="attention">Submissions that need attention</h2>']
    if pending:
        # One line for the whole class: written answers wait in every class; incidents are the exception.
        parts.append(f'<p class="pending"><span class="tag k-{MANUAL_PENDING}">'
                     f'{_e(ATTENTION_LABELS[MANUAL_PENDING])}</span> '
                     f'Written answers waiting for a grader: {_e(pending.summary())}.</p>')
    if not rows:
        parts.append('<p class="note ok">No incidents: no kernel died or timed out, no cell was '
                     "tampered with, and every notebook showed its own numbers.</p>")
        return "\n".join(parts)
    kinds = Counter(r.kind for r in rows)
    parts.append("<p>" + ", ".join(
        f"{_e(ATTENTION_LABELS.get(k, k))}: <strong>{n}</strong>"
        for k, n in sorted(kinds.items(), key=lambda kv: SEVERITY.get(kv[0], 99))) + "</p>")
    table_rows = []
    for r in rows:
        css = r.kind if r.kind in ATTENTION_LABELS else "other"
        table_rows.append([_e(r.student), f'<code class="id">{_e(r.assignment)}</code>',
                           f'<span class="tag k-{css}">{_e(r.what)}</span>',
                           f'<span dir="auto">{_e(r.detail)}</span>'])
    parts.append(_table(["Student", "Assignment", "What", "Detail"], table_rows))
    return "\n".join(parts)


def _distribution_section(data: ClassData) -> str:
    parts = ['<h2 id="distribution">Score distribution</h2>']
    subs = data.submissions
    if len(subs) < 2:
        parts.append(f'<p class="note">{"No submissions" if not subs else "Only one submission"}'
                     ": a distribution is not meaningful, so none is drawn.</p>")
        return "\n".join(parts)
    maxima = {round(s.max_total, 6) for s in subs}
    percent = len(maxima) > 1 or max(maxima) <= 0
    totals: dict[str, list[float]] = defaultdict(list)
    for s in subs:
        value = 100.0 * s.total / s.max_total if percent and s.max_total > 0 else s.total
        totals[s.language].append(value)
    max_total = 100.0 if percent else max(maxima)
    fig = distribution_figure(dict(totals), max_total, percent=percent)
    langs = ", ".join(f"{language_label(k)} {len(v)}" for k, v in sorted(totals.items()))
    parts.append(_figure(png_data_uri(fig),
                         f"Histograms of total scores of {len(subs)} submissions "
                         f"({langs}); the dashed line marks the median.",
                         "Total score per submission; one panel for the whole class and, "
                         "when several languages were used, one per language. "
                         "Dashed line: median."))
    return "\n".join(parts)


def _pass_rate_section(stats: list[CellStats], languages: list[str], n_subs: int) -> str:
    parts = ['<h2 id="pass-rates">Pass rate per graded cell</h2>']
    if not stats:
        parts.append('<p class="note">No graded cells in the selected assignments.</p>')
        return "\n".join(parts)
    drawable = [s for s in stats if s.pass_rate is not None]
    if drawable:
        fig = pass_rate_figure(stats)
        order = ", ".join(f"{s.cell} {100 * s.pass_rate:.0f}%" for s in drawable)
        caption = ("A cell is passed with full marks on it. Cells still waiting for a manual "
                   "grade are left out of the rates.")
        if any(s.max_score <= 0 for s in stats):
            caption += " Cells worth 0 points cannot be failed on points and are not drawn."
        parts.append(_figure(png_data_uri(fig), f"Pass rate per graded cell, hardest first: {order}.",
                             caption))
    elif n_subs:
        parts.append('<p class="note">No graded cell has a pass rate yet (all waiting for '
                     "a manual grade, or worth 0 points).</p>")
    else:
        parts.append('<p class="note">No submissions: no pass rates to draw.</p>')
    per_lang = len(languages) > 1
    headers = ["Graded cell", "Points", "Passed", "Graded", "Pass rate", "Mean score",
               "Pending manual"]
    headers += [f"Pass rate ({_e(language_label(lang))})" for lang in languages] if per_lang else []
    rows = []
    for s in stats:
        row = [f'<code class="id">{_e(s.cell)}</code>', fmt_number(s.max_score), str(s.passed), str(s.graded),
               _rate_cell(s.passed, s.graded) if s.max_score > 0 else "0 points",
               "\u2013" if s.mean_fraction is None else f"{100 * s.mean_fraction:.0f}%",
               str(s.pending)]
        if per_lang:
            row += [_rate_cell(*s.by_language.get(lang, (0, 0))) if s.max_score > 0 else "\u2013"
                    for lang in languages]
        rows.append(row)
    parts.append(_table(headers, rows, numeric=set(range(1, len(headers)))))
    return "\n".join(parts)


#: How the report names a failure that shows none of the modelled mistakes.
UNRECOGNISED_LABEL = "no recognised mistake"


def _hardest_first(stats: list[CellStats], cells) -> list[str]:
    return [s.cell for s in stats if s.cell in cells] + sorted(set(cells) - {s.cell for s in stats})


def _mistake_rows(cell: str, by_mistake: dict, titles: dict[str, str]) -> list[tuple[str, str, dict]]:
    """(mistake, its name, {language: submissions}) of one cell: the most frequent first, the unrecognised last."""
    named = sorted((m for m in by_mistake if m != UNRECOGNISED), key=lambda m: (-sum(by_mistake[m].values()), m))
    rows = [(m, titles.get(m, m), by_mistake[m]) for m in named]
    if UNRECOGNISED in by_mistake:
        rows.append((UNRECOGNISED, UNRECOGNISED_LABEL, by_mistake[UNRECOGNISED]))
    return rows


def _mistakes_section(data: ClassData, stats: list[CellStats], titles: dict[str, str]) -> str:
    parts = ['<h2 id="mistakes">What the class got wrong</h2>']
    counts = mistake_counts(data)
    if not counts:
        parts.append('<p class="note ok">No graded cell ended with an error.</p>')
        return "\n".join(parts)
    checks = check_names(data)
    languages = data.languages
    per_cell = [(cell, _mistake_rows(cell, counts[cell], titles)) for cell in _hardest_first(stats, counts)]
    chart_rows = [(f"{checks.get(cell, cell)}: {name}", by_lang) for cell, rows in per_cell for _m, name, by_lang in rows]
    fig = mistakes_figure(chart_rows, languages)
    parts.append(_figure(png_data_uri(fig), "Submissions per mistake of each graded function, by language: "
                         + "; ".join(f"{label} {sum(n.values())}" for label, n in chart_rows) + ".",
                         "One bar per mistake of a graded function, split by the language of the submission."))
    parts.append("<p>For each graded function, the submissions whose failure shows each mistake that the hints name "
                 "(the name the hint has), per language; a failure that shows two counts under both. "
                 f"<em>{_e(UNRECOGNISED_LABEL)}</em>: failed for a reason no mistake model recognised. "
                 "Hardest cells first.</p>")
    headers = ["Graded function", "Mistake", *(_e(language_label(lang)) for lang in languages), "All"]
    body = []
    for cell, rows in per_cell:
        failing = sum(1 for sub in data.submissions if cell in sub.failures)
        span = f' rowspan="{len(rows)}"' if len(rows) > 1 else ""
        for i, (mistake, name, by_lang) in enumerate(rows):
            head = (f'<td{span}><code class="id">{_e(checks.get(cell, cell))}</code><br>'
                    f'<small><code class="id">{_e(cell)}</code>, {failing} failing</small></td>' if i == 0 else "")
            label = f"<em>{_e(name)}</em>" if mistake == UNRECOGNISED else f'<span dir="auto">{_e(name)}</span>'
            numbers = "".join(f'<td class="num">{by_lang.get(lang, 0)}</td>' for lang in languages)
            body.append(f'<tr class="mistake" data-cell="{_e(cell)}" data-mistake="{_e(mistake)}">{head}'
                        f'<td>{label}</td>{numbers}<td class="num">{sum(by_lang.values())}</td></tr>')
    num = ' class="num"'
    head_row = "".join(f'<th scope="col"{num if i > 1 else ""}>{h}</th>' for i, h in enumerate(headers))
    parts.append(f"<table>\n<thead><tr>{head_row}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>")
    return "\n".join(parts)


def _failures_section(data: ClassData, stats: list[CellStats], titles: dict[str, str], top: int) -> str:
    """The failure messages, grouped by graded cell and mistake, folded."""
    grouped = messages_by_mistake(data)
    parts = ['<h2 id="failures">Failure messages by mistake</h2>']
    if not grouped:
        parts.append('<p class="note ok">No graded cell ended with an error.</p>')
        return "\n".join(parts)
    rows = []
    for cell in _hardest_first(stats, grouped):
        lines = []
        for mistake, name, counter in _mistake_rows(cell, grouped[cell], titles):
            shown = counter.most_common(max(top, 1))
            rest = sum(counter.values()) - sum(n for _, n in shown)
            label = f"<em>{_e(name)}</em>" if mistake == UNRECOGNISED else f'<span dir="auto">{_e(name)}</span>'
            lines += [(label, f'<code dir="auto">{_e(msg)}</code>', str(n)) for msg, n in shown]
            if rest:
                others = len(counter) - len(shown)
                lines.append((label, f"<em>{others} other message{'s' if others != 1 else ''}</em>", str(rest)))
        span = f' rowspan="{len(lines)}"' if len(lines) > 1 else ""
        total = sum(1 for sub in data.submissions if cell in sub.failures)
        for i, (label, msg, n) in enumerate(lines):
            head = (f'<td{span}><code class="id">{_e(cell)}</code><br><small>{total} failing</small></td>'
                    if i == 0 else "")
            rows.append(f'<tr>{head}<td>{label}</td><td>{msg}</td><td class="num">{n}</td></tr>')
    distinct = sum(len(counter) for by_mistake in grouped.values() for counter in by_mistake.values())
    parts.append(
        f"<details><summary>The error each graded cell ended with, grouped by mistake ({distinct} distinct "
        "messages)</summary>\n"
        "<p><code>ename: message</code>: the first failing check, in English whatever the submission's language, "
        "counted over submissions; hardest cells first.</p>"
        '<table>\n<thead><tr><th scope="col">Graded cell</th><th scope="col">Mistake</th>'
        '<th scope="col">Failure message</th><th class="num" scope="col">Submissions</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows) + "\n</tbody>\n</table>\n</details>")
    return "\n".join(parts)


def _assignments_label(assignments: list[str], course: Course) -> str:
    """``a_en, a_fa, b`` -> ``a (en, fa), b``."""
    groups: dict[str, list[str]] = {}
    for name in assignments:
        lang = course.language_of(name) or ""
        base = name[: -len(lang) - 1] if lang else name
        groups.setdefault(base, []).append(lang)
    return ", ".join(base if langs == [""] else
                     f"{base} ({', '.join(language_label(l) for l in langs)})"
                     for base, langs in groups.items())


def render_html(data: ClassData, course: Course, top_failures: int = 5, csv_name: str = GRADES_CSV,
                extra_sections: tuple[str, ...] = (), titles: dict[str, str] | None = None) -> str:
    """The whole page as a string; *titles* names the mistakes (default: ``mistake_titles(course)``)."""
    stats = cell_stats(data)
    titles = mistake_titles(course) if titles is None else titles
    title = "Instructor report"
    if data.assignments:
        title += ": " + _assignments_label(data.assignments, course)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join([
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">Generated {_e(generated)} from the gradebook and the autograded '
        f'notebooks. Scores per cell: <a href="{_e(csv_name)}">{_e(csv_name)}</a>.</p>',
        _summary_section(data),
        _attention_section(data),
        _distribution_section(data),
        _pass_rate_section(stats, data.languages, len(data.submissions)),
        _mistakes_section(data, stats, titles),
        _failures_section(data, stats, titles, top_failures),
        *filter(None, extra_sections),
        "<footer>Pass = full marks on the cell. Scores are nbgrader's "
        "(manual score if set, else the autograder's).</footer>",
    ])
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def report_dir(course: Course) -> Path:
    """Where the report goes by default: ``c.InstructorReport.out_directory`` in the course root."""
    return course.root / InstructorReport(config=course.config).out_directory


def write_report(course: Course, out_dir: Path | None = None, assignments: list[str] | None = None) -> Path:
    """Write ``report.html`` and ``grades_by_cell.csv`` into *out_dir* (``report_dir``) and
    return the path of the HTML page."""
    options = InstructorReport(config=course.config)
    out_dir = out_dir if out_dir is not None else report_dir(course)
    data = collect(course, assignments)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(data, out_dir / GRADES_CSV)
    page = out_dir / REPORT_HTML
    sections = tuple(_section(name)(course, out_dir) for name in options.sections)
    page.write_text(render_html(data, course, top_failures=options.top_failures, extra_sections=sections),
                    encoding="utf-8")
    return page


def _section(name: str):
    """The function a section name ('module:function') stands for (c.InstructorReport.sections)."""
    module, _, function = name.partition(":")
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError) as err:
        raise CourseError(f"c.InstructorReport.sections: {name!r} names no function ({err})") from None

