"""The instructor report: how the class did after a batch is graded.

Reads the scores from the course's gradebook through nbgrader's API and the
failure messages and incidents from the autograded notebooks, then writes

* ``report.html``: one self-contained page (figures embedded as PNG data
  URIs, inline CSS, no scripts, no network) with the score distribution, the
  pass rate of every graded cell, the most frequent failure messages per cell,
  the submissions that need attention and a few summary numbers;
* ``grades_by_cell.csv``: one row per (student, assignment), one column per
  graded cell, plus the language and the total.

Incidents are read from the autograded notebook's metadata::

    nb.metadata["coursekit"]["incidents"] = [
        {"kind": "kernel_died" | "timeout" | "tampered" | "output_truncated"
                 | "malformed",
         "cell": "<grade_id>" or None,
         "message": "<text>"},
        ...
    ]

A missing key means no incidents. Usage::

    python -m coursekit.report [--course-root DIR] [--out DIR] [--assignment NAME ...]
"""
from __future__ import annotations

import argparse
import base64
import csv
import html
import io
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter
from nbgrader.api import Gradebook
from traitlets import Int
from traitlets.config import Config, Configurable

from . import COURSE_ROOT

REPORT_HTML = "report.html"
GRADES_CSV = "grades_by_cell.csv"
AUTOGRADED_DIR = "autograded"

#: Okabe & Ito's palette, safe for the common forms of colour blindness.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Colours given to languages, in order of first appearance.
LANGUAGE_COLOURS = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "reddish_purple",
                                           "sky_blue", "vermillion", "yellow")]
NEUTRAL = "#4d4d4d"

#: How each kind of incident is named in the report, most serious first.
INCIDENT_LABELS = {
    "tampered": "Tampered cell",
    "kernel_died": "Kernel died",
    "timeout": "Timed out",
    "malformed": "Malformed notebook",
    "output_truncated": "Output truncated",
}
MANUAL_PENDING = "manual_pending"
ATTENTION_LABELS = {**INCIDENT_LABELS, MANUAL_PENDING: "Manual grading pending"}
_SEVERITY = {kind: i for i, kind in enumerate(ATTENTION_LABELS)}

_LANGUAGE_SUFFIX = re.compile(r"_([A-Za-z]{2,3})$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: How the checks mark a failing check in their messages.
FAILED_CHECK = "\u2717 "
_EPS = 1e-9


class InstructorReport(Configurable):
    """Options of the instructor report (set them in nbgrader_config.py as
    ``c.InstructorReport.<option>``)."""

    top_failures = Int(
        5, help="How many of the most frequent failure messages to list per graded cell."
    ).tag(config=True)
    message_chars = Int(
        160, help="Failure messages are cut to this many characters."
    ).tag(config=True)


# --------------------------------------------------------------------------
# Data read from the gradebook and the autograded notebooks
# --------------------------------------------------------------------------

@dataclass
class CellGrade:
    """One graded cell of one submission, as the gradebook has it."""

    score: float
    max_score: float
    pending: bool  # needs a manual grade

    @property
    def passed(self) -> bool:
        return not self.pending and self.score >= self.max_score - _EPS


@dataclass
class Incident:
    kind: str
    cell: str | None
    message: str


@dataclass
class Submission:
    student: str
    assignment: str
    language: str
    max_total: float
    grades: dict[str, CellGrade] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # cell -> message
    incidents: list[Incident] = field(default_factory=list)
    notebooks_missing: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(g.score for g in self.grades.values())

    @property
    def pending_cells(self) -> list[str]:
        """Cells waiting for a manual grade that can earn points (a 0-point task
        cell, such as a question's prompt, leaves nothing to grade)."""
        return [c for c, g in self.grades.items() if g.pending and g.max_score > 0]


@dataclass
class ClassData:
    """Everything the report shows, read once."""

    assignments: list[str]
    submissions: list[Submission]
    cells: list[str]  # graded cells, in notebook order where known
    cell_max: dict[str, float] = field(default_factory=dict)  # points, from the gradebook

    @property
    def languages(self) -> list[str]:
        seen: dict[str, None] = {}
        for sub in self.submissions:
            seen.setdefault(sub.language, None)
        return sorted(seen)


@dataclass
class CellStats:
    cell: str
    max_score: float
    graded: int
    passed: int
    pending: int
    mean_fraction: float | None
    by_language: dict[str, tuple[int, int]]  # language -> (passed, graded)

    @property
    def pass_rate(self) -> float | None:
        """None when nobody has a grade yet, or when the cell is worth no
        points (it cannot be failed on points)."""
        if not self.graded or self.max_score <= 0:
            return None
        return self.passed / self.graded


def language_of(assignment: str) -> str:
    """The language suffix of an assignment name (``cnn_step_by_step_fa`` ->
    ``fa``), or ``""`` when the name has none."""
    match = _LANGUAGE_SUFFIX.search(assignment)
    return match.group(1).lower() if match else ""


def _language_label(language: str) -> str:
    return language or "(none)"


def failure_message(output: dict, limit: int = 160) -> str:
    """``ename: evalue`` of an error output, one line of evalue only, ANSI
    colours removed, cut to *limit* characters.

    The line is the first failing check (the first line that starts with
    ``✗``, the mark removed) when the evalue lists checks, so that
    students are grouped by what actually failed rather than by the
    ``N of M checks failed`` header; otherwise it is the first line."""
    ename = _ANSI.sub("", str(output.get("ename") or "Error")).strip() or "Error"
    evalue = _ANSI.sub("", str(output.get("evalue") or ""))
    lines = [line.strip() for line in evalue.splitlines() if line.strip()]
    failed = next((line[len(FAILED_CHECK):].strip() for line in lines
                   if line.startswith(FAILED_CHECK)), "")
    first = failed or (lines[0] if lines else "")
    first = first.rstrip(" :")  # "f raised NotImplementedError: " with an empty message
    message = f"{ename}: {first}" if first else ename
    if len(message) > limit:
        message = message[: max(limit - 1, 1)].rstrip() + "\u2026"
    return message


def _cell_key(notebook: str, cell: str, notebooks: list[str]) -> str:
    """Grade ids are unique within a notebook; qualify them only when the
    assignment has more than one notebook."""
    return cell if len(notebooks) <= 1 else f"{notebook}/{cell}"


def read_autograded(path: Path, notebooks: list[str], notebook: str,
                    message_chars: int = 160) -> tuple[dict[str, str], list[Incident], list[str]]:
    """Failure messages per grade cell, incidents and the order of the grade
    cells in one autograded notebook. An unreadable notebook is reported as a
    ``malformed`` incident."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb.get("cells", [])
        metadata = nb.get("metadata", {}) or {}
        if not isinstance(cells, list) or not isinstance(metadata, dict):
            raise ValueError("not a notebook")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as err:
        msg = f"the autograded notebook could not be read ({type(err).__name__})"
        return {}, [Incident("malformed", None, msg)], []

    failures: dict[str, str] = {}
    order: list[str] = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if not isinstance(meta, dict) or not meta.get("grade") or not meta.get("grade_id"):
            continue
        key = _cell_key(notebook, str(meta["grade_id"]), notebooks)
        order.append(key)
        for output in cell.get("outputs") or []:
            if isinstance(output, dict) and output.get("output_type") == "error":
                failures[key] = failure_message(output, message_chars)
                break

    incidents: list[Incident] = []
    kit = metadata.get("coursekit")
    raw = kit.get("incidents") if isinstance(kit, dict) else None
    if raw is None:
        raw = []
    elif not isinstance(raw, list):
        raw = [raw]
    for item in raw:
        if not isinstance(item, dict):
            incidents.append(Incident("malformed", None, "unreadable incident record"))
            continue
        cell = item.get("cell")
        incidents.append(Incident(
            kind=str(item.get("kind") or "unknown"),
            cell=None if cell is None else str(cell),
            message=str(item.get("message") or "")[:500],
        ))
    return failures, incidents, order


def _course_id(config: Config) -> str:
    if "CourseDirectory" in config and "course_id" in config.CourseDirectory:
        return config.CourseDirectory.course_id or "default_course"
    return "default_course"


def _load_config(course_root: Path) -> Config:
    if not (course_root / "nbgrader_config.py").exists():
        return Config()
    from .config import load_config
    return load_config(course_root)


def collect(course_root: Path, assignments: list[str] | None = None,
            config: Config | None = None) -> ClassData:
    """Read grades (gradebook), failures and incidents (autograded notebooks)
    of *assignments* (default: every assignment in the gradebook)."""
    course_root = Path(course_root)
    config = _load_config(course_root) if config is None else config
    options = InstructorReport(config=config)
    db = course_root / "gradebook.db"
    if not db.is_file():
        raise FileNotFoundError(f"{db}: no gradebook; run `nbgrader autograde` first")

    submissions: list[Submission] = []
    cell_order: dict[str, None] = {}
    db_order: dict[str, None] = {}
    cell_max: dict[str, float] = {}
    with Gradebook(f"sqlite:///{db.resolve().as_posix()}", course_id=_course_id(config)) as gb:
        known = [a.name for a in gb.assignments]
        if assignments is None:
            selected = known
        else:
            unknown = [a for a in assignments if a not in known]
            if unknown:
                raise ValueError(f"not in the gradebook: {', '.join(unknown)} "
                                 f"(it has: {', '.join(known) or 'no assignments'})")
            selected = list(dict.fromkeys(assignments))

        for name in selected:
            assignment = gb.find_assignment(name)
            notebooks = sorted(nb.name for nb in assignment.notebooks)
            for nb in assignment.notebooks:
                for cell in list(nb.grade_cells) + list(nb.task_cells):
                    key = _cell_key(nb.name, cell.name, notebooks)
                    db_order.setdefault(key, None)
                    cell_max[key] = max(cell_max.get(key, 0.0), float(cell.max_score or 0.0))
            max_total = float(assignment.max_score or 0.0)
            for sub in gb.assignment_submissions(name):
                record = Submission(student=sub.student.id, assignment=name,
                                    language=language_of(name), max_total=max_total)
                for snb in sorted(sub.notebooks, key=lambda s: s.name):
                    for grade in snb.grades:
                        key = _cell_key(snb.name, grade.name, notebooks)
                        record.grades[key] = CellGrade(
                            score=float(grade.score or 0.0),
                            max_score=float(grade.max_score or 0.0),
                            pending=bool(grade.needs_manual_grade),
                        )
                    path = (course_root / AUTOGRADED_DIR / record.student / name
                            / f"{snb.name}.ipynb")
                    if not path.is_file():
                        record.notebooks_missing.append(snb.name)
                        continue
                    failures, incidents, order = read_autograded(
                        path, notebooks, snb.name, options.message_chars)
                    record.failures.update(failures)
                    record.incidents.extend(incidents)
                    for key in order:
                        cell_order.setdefault(key, None)
                submissions.append(record)

    for key in sorted(db_order):
        cell_order.setdefault(key, None)
    cells = [c for c in cell_order if c in db_order]
    submissions.sort(key=lambda s: (s.student, s.assignment))
    return ClassData(assignments=selected, submissions=submissions, cells=cells,
                     cell_max=cell_max)


# --------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------

def cell_stats(data: ClassData) -> list[CellStats]:
    """Pass statistics of every graded cell, hardest first (lowest pass rate,
    then lowest mean score); cells with no grade yet or worth no points come
    last."""
    stats = []
    for cell in data.cells:
        grades = [(s.language, s.grades[cell]) for s in data.submissions if cell in s.grades]
        graded = [(lang, g) for lang, g in grades if not g.pending]
        by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for lang, g in graded:
            by_language[lang][0] += g.passed
            by_language[lang][1] += 1
        fractions = [g.score / g.max_score for _, g in graded if g.max_score > 0]
        stats.append(CellStats(
            cell=cell,
            max_score=max((g.max_score for _, g in grades),
                          default=data.cell_max.get(cell, 0.0)),
            graded=len(graded),
            passed=sum(g.passed for _, g in graded),
            pending=len(grades) - len(graded),
            mean_fraction=statistics.fmean(fractions) if fractions else None,
            by_language={k: (v[0], v[1]) for k, v in by_language.items()},
        ))
    stats.sort(key=lambda s: (s.pass_rate is None,
                              s.pass_rate if s.pass_rate is not None else 0.0,
                              s.mean_fraction if s.mean_fraction is not None else 0.0,
                              s.cell))
    return stats


def failure_counts(data: ClassData) -> dict[str, Counter]:
    """Per graded cell: how many submissions failed with each message."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for sub in data.submissions:
        for cell, message in sub.failures.items():
            counts[cell][message] += 1
    return dict(counts)


@dataclass
class AttentionRow:
    student: str
    assignment: str
    kind: str
    detail: str

    @property
    def what(self) -> str:
        return ATTENTION_LABELS.get(self.kind, self.kind)


def attention_rows(data: ClassData) -> list[AttentionRow]:
    """Incidents and pending manual grades, most serious first."""
    rows = []
    for sub in data.submissions:
        for inc in sub.incidents:
            detail = inc.message
            if inc.cell:
                detail = f"cell {inc.cell}: {detail}" if detail else f"cell {inc.cell}"
            rows.append(AttentionRow(sub.student, sub.assignment, inc.kind, detail))
        pending = sub.pending_cells
        if pending:
            noun = "cell" if len(pending) == 1 else "cells"
            rows.append(AttentionRow(sub.student, sub.assignment, MANUAL_PENDING,
                                     f"{len(pending)} {noun}: {', '.join(pending)}"))
    rows.sort(key=lambda r: (_SEVERITY.get(r.kind, len(_SEVERITY)), r.student, r.assignment))
    return rows


def _fmt(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "\u2013"
    x = float(x)
    if abs(x - round(x)) < _EPS:
        return str(int(round(x)))
    return f"{x:.{digits}f}"


def _csv_number(x: float) -> str:
    x = float(x)
    if abs(x - round(x)) < _EPS:
        return str(int(round(x)))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def write_csv(data: ClassData, path: Path) -> Path:
    """One row per (student, assignment), one column per graded cell."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "language", *data.cells, "total"])
        for sub in data.submissions:
            scores = [_csv_number(sub.grades[c].score) if c in sub.grades else ""
                      for c in data.cells]
            writer.writerow([sub.student, sub.assignment, sub.language, *scores,
                             _csv_number(sub.total)])
    return path


# --------------------------------------------------------------------------
# Figures (matplotlib, Agg, no pyplot state)
# --------------------------------------------------------------------------

def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_data_uri(fig: Figure, dpi: int = 110) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches="tight",
                pad_inches=0.15, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=9)


def _bin_edges(top: float) -> np.ndarray:
    """Histogram bins from 0 of a round width (1, 2, 2.5, 5, 10, ... points;
    never under one point), at most 20 of them, preferring a width that divides
    *top*; otherwise the last bin reaches past *top*."""
    steps = [m * 10.0 ** k for k in range(0, 7) for m in (1, 2, 2.5, 5)]
    fitting = [w for w in steps if top / w <= 20 + _EPS]
    dividing = [w for w in fitting if abs(top / w - round(top / w)) < 1e-6]
    width = (dividing or fitting)[0]
    count = max(1, int(np.ceil(top / width - 1e-6)))
    return np.arange(count + 1) * width


def distribution_figure(totals: dict[str, list[float]], max_total: float,
                        percent: bool = False) -> Figure:
    """Histogram of total scores of the whole class on top and, when there is
    more than one language, one small panel per language below it (same
    x axis). A dashed line marks each median."""
    everything = [x for values in totals.values() for x in values]
    languages = sorted(totals) if len(totals) > 1 else []
    n = len(languages)
    if n:
        ncols = min(n, 3)
        nrows_small = -(-n // ncols)
        layout = [["all"] * ncols] + [
            [languages[r * ncols + c] if r * ncols + c < n else "." for c in range(ncols)]
            for r in range(nrows_small)]
        fig = _new_figure(10.0, 3.0 + 2.3 * nrows_small)
        axes = fig.subplot_mosaic(layout, height_ratios=[1.3] + [1.0] * nrows_small,
                                  empty_sentinel=".")
    else:
        fig = _new_figure(8.0, 3.4)
        axes = {"all": fig.add_subplot()}

    edges = _bin_edges(max(max_total, max(everything, default=0.0), 1.0))
    top = float(edges[-1])
    panels = [("all", "All submissions", everything, NEUTRAL)]
    panels += [(lang, f"Language: {_language_label(lang)}", totals[lang],
                LANGUAGE_COLOURS[i % len(LANGUAGE_COLOURS)]) for i, lang in enumerate(languages)]
    ymax_small = 0
    for key, title, values, colour in panels:
        ax = axes[key]
        counts, _, _ = ax.hist(values, bins=edges, color=colour, edgecolor="white", linewidth=0.6)
        if key != "all":
            ymax_small = max(ymax_small, int(max(counts, default=0)))
        label = f"{title} (n = {len(values)}"
        if values:
            median = statistics.median(values)
            ax.axvline(median, color=OKABE_ITO["black"], linestyle="--", linewidth=1.1)
            label += f", median {_fmt(median)}{'%' if percent else ''}"
        ax.set_title(label + ")", fontsize=10 if key == "all" else 9.5, loc="left")
        ax.set_xlim(0, top)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        ax.set_axisbelow(True)
        if key != "all":
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        if percent:
            ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        _style(ax)
    axes["all"].set_ylabel("Submissions")
    for i, lang in enumerate(languages):
        axes[lang].set_ylim(0, max(ymax_small, 1) * 1.08)  # same scale for every language
        if i % ncols == 0:
            axes[lang].set_ylabel("Submissions")
    unit = "% of the maximum" if percent else f"points (maximum {_fmt(max_total)})"
    fig.supxlabel(f"Total score, {unit}", fontsize=10)
    fig.suptitle("Distribution of total scores (dashed line: median)", fontsize=12,
                 fontweight="bold")
    return fig


def _band_colour(rate: float) -> str:
    if rate < 0.5:
        return OKABE_ITO["vermillion"]
    if rate < 0.8:
        return OKABE_ITO["orange"]
    return OKABE_ITO["bluish_green"]


def pass_rate_figure(stats: list[CellStats]) -> Figure:
    """Horizontal bars of pass rate per graded cell, hardest at the top.
    Cells without any grade yet (all pending) or worth no points are left out."""
    rows = [s for s in stats if s.pass_rate is not None]
    height = 0.34 * len(rows) + 1.5
    longest = max((len(s.cell) for s in rows), default=10)
    fig = _new_figure(max(7.5, 5.0 + 0.07 * longest), height)
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    rates = [100.0 * s.pass_rate for s in rows]
    ax.barh(y, rates, color=[_band_colour(r / 100.0) for r in rates], height=0.7)
    ax.set_yticks(y, [s.cell for s in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)  # inverted: first row (hardest) at the top
    ax.set_xlim(0, 119)  # room for the labels right of full bars
    ax.set_xticks(np.arange(0, 101, 20))
    ax.spines["bottom"].set_bounds(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_xlabel("Submissions with full marks on the cell")
    ax.set_ylabel("Graded cell")
    for yi, (rate, s) in enumerate(zip(rates, rows)):
        ax.text(rate + 1.0, yi, f"{rate:.0f}%  ({s.passed}/{s.graded})", va="center",
                ha="left", fontsize=8.5, color="#222222")
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)
    _style(ax)
    ax.legend(handles=[Patch(color=OKABE_ITO["vermillion"], label="below 50%"),
                       Patch(color=OKABE_ITO["orange"], label="50\u201380%"),
                       Patch(color=OKABE_ITO["bluish_green"], label="80% or more")],
              loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=8.5,
              frameon=False)
    fig.suptitle("Pass rate per graded cell (hardest first)", fontsize=12, fontweight="bold")
    return fig


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

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
.k-tampered { background: #D55E00; } .k-kernel_died { background: #CC79A7; } .k-timeout { background: #0072B2; }
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
        cards += [("Mean score", _fmt(statistics.fmean(totals))),
                  ("Median score", _fmt(statistics.median(totals))),
                  ("Highest score", _fmt(max(totals))),
                  ("Max possible", _fmt(max_possible))]
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
        rows = [[_e(_language_label(lang)), str(len(v)), _fmt(statistics.fmean(v)),
                 _fmt(statistics.median(v)), _fmt(max(v))]
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
    parts = ['<h2 id="attention">Submissions that need attention</h2>']
    if not rows:
        parts.append('<p class="note ok">Nothing to look at: no incidents and no manual '
                     "grading pending.</p>")
        return "\n".join(parts)
    kinds = Counter(r.kind for r in rows)
    parts.append("<p>" + ", ".join(
        f"{_e(ATTENTION_LABELS.get(k, k))}: <strong>{n}</strong>"
        for k, n in sorted(kinds.items(), key=lambda kv: _SEVERITY.get(kv[0], 99))) + "</p>")
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
    langs = ", ".join(f"{_language_label(k)} {len(v)}" for k, v in sorted(totals.items()))
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
    headers += [f"Pass rate ({_e(_language_label(lang))})" for lang in languages] if per_lang else []
    rows = []
    for s in stats:
        row = [f'<code class="id">{_e(s.cell)}</code>', _fmt(s.max_score), str(s.passed), str(s.graded),
               _rate_cell(s.passed, s.graded) if s.max_score > 0 else "0 points",
               "\u2013" if s.mean_fraction is None else f"{100 * s.mean_fraction:.0f}%",
               str(s.pending)]
        if per_lang:
            row += [_rate_cell(*s.by_language.get(lang, (0, 0))) if s.max_score > 0 else "\u2013"
                    for lang in languages]
        rows.append(row)
    parts.append(_table(headers, rows, numeric=set(range(1, len(headers)))))
    return "\n".join(parts)


def _failures_section(stats: list[CellStats], counts: dict[str, Counter], top: int) -> str:
    parts = ['<h2 id="failures">Most frequent failure messages per graded cell</h2>']
    if not any(counts.values()):
        parts.append('<p class="note ok">No graded cell ended with an error.</p>')
        return "\n".join(parts)
    order = [s.cell for s in stats] + sorted(set(counts) - {s.cell for s in stats})
    rows = []
    for cell in order:
        counter = counts.get(cell)
        if not counter:
            continue
        shown = counter.most_common(max(top, 1))
        rest = sum(counter.values()) - sum(n for _, n in shown)
        lines = [(f'<code dir="auto">{_e(msg)}</code>', str(n)) for msg, n in shown]
        if rest:
            others = len(counter) - len(shown)
            lines.append((f"<em>{others} other message{'s' if others != 1 else ''}</em>", str(rest)))
        span = f' rowspan="{len(lines)}"' if len(lines) > 1 else ""
        total = sum(counter.values())
        for i, (msg, n) in enumerate(lines):
            head = (f'<td{span}><code class="id">{_e(cell)}</code><br>'
                    f"<small>{total} failing</small></td>"
                    if i == 0 else "")
            rows.append(f'<tr>{head}<td>{msg}</td><td class="num">{n}</td></tr>')
    parts.append(
        "<p>The error each graded cell ended with (<code>ename: evalue</code>: the first failing "
        "check when the checks list them, else the first line), counted over submissions; "
        "hardest cells first.</p>"
        '<table>\n<thead><tr><th scope="col">Graded cell</th><th scope="col">Failure message</th>'
        '<th class="num" scope="col">Submissions</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows) + "\n</tbody>\n</table>")
    return "\n".join(parts)


def _assignments_label(assignments: list[str]) -> str:
    """``a_en, a_fa, b`` -> ``a (en, fa), b``."""
    groups: dict[str, list[str]] = {}
    for name in assignments:
        lang = language_of(name)
        base = name[: -len(lang) - 1] if lang else name
        groups.setdefault(base, []).append(lang)
    return ", ".join(base if langs == [""] else
                     f"{base} ({', '.join(_language_label(l) for l in langs)})"
                     for base, langs in groups.items())


def render_html(data: ClassData, top_failures: int = 5, csv_name: str = GRADES_CSV) -> str:
    """The whole page as a string."""
    stats = cell_stats(data)
    counts = failure_counts(data)
    title = "Instructor report"
    if data.assignments:
        title += ": " + _assignments_label(data.assignments)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join([
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">Generated {_e(generated)} from the gradebook and the autograded '
        f'notebooks. Scores per cell: <a href="{_e(csv_name)}">{_e(csv_name)}</a>.</p>',
        _summary_section(data),
        _attention_section(data),
        _distribution_section(data),
        _pass_rate_section(stats, data.languages, len(data.submissions)),
        _failures_section(stats, counts, top_failures),
        "<footer>Pass = full marks on the cell. Scores are nbgrader's "
        "(manual score if set, else the autograder's).</footer>",
    ])
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def write_report(course_root: Path, out_dir: Path, assignments: list[str] | None = None) -> Path:
    """Write ``report.html`` and ``grades_by_cell.csv`` into *out_dir* and
    return the path of the HTML page."""
    course_root = Path(course_root)
    config = _load_config(course_root)
    options = InstructorReport(config=config)
    data = collect(course_root, assignments, config=config)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(data, out_dir / GRADES_CSV)
    page = out_dir / REPORT_HTML
    page.write_text(render_html(data, top_failures=options.top_failures), encoding="utf-8")
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coursekit.report",
        description="Write the instructor report (report.html and grades_by_cell.csv) "
                    "from the gradebook and the autograded notebooks.")
    parser.add_argument("--course-root", type=Path, default=COURSE_ROOT,
                        help="folder with gradebook.db and autograded/ (default: this course)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: <course root>/artifacts/report)")
    parser.add_argument("--assignment", action="append", dest="assignments", metavar="NAME",
                        help="report only this assignment (repeatable; default: all)")
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else args.course_root / "artifacts" / "report"
    try:
        page = write_report(args.course_root, out, args.assignments)
    except (FileNotFoundError, ValueError) as err:
        print(f"report: {err}", file=sys.stderr)
        return 1
    print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
