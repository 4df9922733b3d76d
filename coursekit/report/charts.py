"""Report, second stage: the figures (matplotlib's Agg canvas, no pyplot state), as PNG data URIs."""
from __future__ import annotations

import base64
import io
import statistics

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .data import EPS, CellStats, fmt_number, language_label

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
    fitting = [w for w in steps if top / w <= 20 + EPS]
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
    panels += [(lang, f"Language: {language_label(lang)}", totals[lang],
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
            label += f", median {fmt_number(median)}{'%' if percent else ''}"
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
    unit = "% of the maximum" if percent else f"points (maximum {fmt_number(max_total)})"
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


def mistakes_figure(rows: list[tuple[str, dict[str, int]]], languages: list[str]) -> Figure:
    """Horizontal bars, one per (graded function, mistake) row, in the order given (top first), each split by
    language: how many submissions show the mistake. *rows* are (label, {language: count})."""
    height = 0.32 * len(rows) + 1.6
    longest = max((len(label) for label, _ in rows), default=10)
    fig = _new_figure(max(7.5, 4.5 + 0.075 * longest), height)
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for i, lang in enumerate(languages):
        counts = np.array([float(by_lang.get(lang, 0)) for _, by_lang in rows])
        ax.barh(y, counts, left=left, height=0.7, color=LANGUAGE_COLOURS[i % len(LANGUAGE_COLOURS)],
                label=language_label(lang))
        left += counts
    for yi, total in enumerate(left):
        ax.text(total + max(left.max(initial=1.0) * 0.01, 0.05), yi, fmt_number(total), va="center", ha="left",
                fontsize=8.5, color="#222222")
    ax.set_yticks(y, [label for label, _ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the first row at the top
    ax.set_xlim(0, max(left.max(initial=1.0), 1.0) * 1.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Submissions")
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)
    _style(ax)
    if len(languages) > 1:
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(languages), fontsize=8.5, frameon=False)
    fig.suptitle("What the class got wrong: submissions per mistake", fontsize=12, fontweight="bold")
    return fig
