"""A picture of the instructor report: render it, open it in headless Chromium, save a PNG.

The report (``coursekit report``) is written for a course root, opened as a
``file://`` page in Debian's Chromium driven by Playwright, and photographed
at a fixed width. The page is self-contained, so every request other than
``file:`` and ``data:`` is refused: a screenshot never depends on the network.

Usage::

    python -m coursekit.report.screenshot --course-root DIR --out report.png [--full-page]

``docs/report.png`` is the report of the sample class (``python -m
coursekit.demo.sample_class``), graded in a scratch copy of the course.

Chromium comes from the system (``apt-get install chromium``); Playwright's
own browser downloads are not used.
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

from ..course import Course, CourseError

#: Where Chromium is looked for on PATH, in order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Flags for a quiet, offline, sandbox-less headless Chromium.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = ("Chromium was not found on PATH (looked for {names}). "
                    "Install it with `apt-get install chromium` (scripts/setup.sh does).")
#: Schemes a self-contained local page may load.
LOCAL_SCHEMES = ("file:", "data:", "about:")

DEFAULT_WIDTH = 1280
DEFAULT_HEIGHT = 2200

class ChromiumMissing(RuntimeError):
    """No Chromium executable on PATH."""


def find_chromium() -> str:
    """The path of the system's Chromium; raise ChromiumMissing when there is none."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise ChromiumMissing(MISSING_CHROMIUM.format(names=", ".join(CHROMIUM_NAMES)))


@contextlib.contextmanager
def chromium_context(width: int = DEFAULT_WIDTH, height: int = 900, **options):
    """A Playwright browser context of headless Chromium with a fresh, temporary profile.

    Extra keyword arguments go to ``launch_persistent_context`` (e.g.
    ``device_scale_factor``, ``locale``).
    """
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, \
            sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height}, **options)
        try:
            yield context
        finally:
            context.close()


def refuse_network(context, refused: list | None = None) -> list:
    """Abort every request of *context* that is not file:, data: or about:.

    Returns the list that collects the refused URLs (the one passed in, or a new one).
    """
    refused = [] if refused is None else refused

    def handle(route):
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            refused.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)
    return refused


def screenshot_page(html_path: Path, out: Path, width: int = DEFAULT_WIDTH,
                    height: int | None = DEFAULT_HEIGHT, full_page: bool = False) -> Path:
    """Open *html_path* in Chromium and save a PNG of it to *out*.

    The picture is *width* pixels wide and shows the top of the page, at most
    *height* pixels, cut above a section heading where one is near (the whole
    page with *full_page*, or when *height* is None).
    Raise RuntimeError when the page tried to reach the network or an image
    did not load.
    """
    html_path, out = Path(html_path).resolve(), Path(out)
    with chromium_context(width=width, height=900) as context:
        refused = refuse_network(context)
        page = context.new_page()
        page.goto(html_path.as_uri(), wait_until="load")
        broken = page.evaluate(
            "() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.alt || i.src.slice(0, 60))")
        if refused:
            raise RuntimeError(f"{html_path}: the page made network requests: {refused}")
        if broken:
            raise RuntimeError(f"{html_path}: images that did not load: {broken}")
        out.parent.mkdir(parents=True, exist_ok=True)
        if full_page or height is None:
            page.screenshot(path=str(out), full_page=True)
        else:
            clip = {"x": 0, "y": 0, "width": width, "height": _cut_height(page, height)}
            page.screenshot(path=str(out), full_page=True, clip=clip)
    return out


def _cut_height(page, height: int) -> int:
    """At most *height* pixels, cut just above a section heading when one falls in the
    lower half of the picture, so that no figure or table is cut through."""
    page_height = page.evaluate("() => document.documentElement.scrollHeight")
    if page_height <= height:
        return page_height
    tops = page.evaluate("() => Array.from(document.querySelectorAll('h2'))"
                         ".map(h => h.getBoundingClientRect().top + window.scrollY)")
    cuts = [int(top) - 12 for top in tops if height / 2 <= top - 12 <= height]
    return max(cuts, default=height)


def report_screenshot(course: Course, out: Path, assignments: list[str] | None = None,
                      width: int = DEFAULT_WIDTH, height: int | None = DEFAULT_HEIGHT,
                      full_page: bool = False) -> Path:
    """Write the report of *course* to a temporary folder and photograph it into *out*."""
    from .page import write_report

    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        page = write_report(course, Path(tmp), assignments)
        return screenshot_page(page, out, width=width, height=height, full_page=full_page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coursekit.report.screenshot",
        description="Render the instructor report of a course and save a PNG screenshot of it.")
    parser.add_argument("--course-root", type=Path, default=None,
                        help="the course folder (default: the one the current folder belongs to)")
    parser.add_argument("--out", type=Path, required=True, help="the PNG file to write")
    parser.add_argument("--assignment", action="append", dest="assignments", metavar="NAME",
                        help="report only this assignment (repeatable; default: all)")
    parser.add_argument("--width", type=int, default=DEFAULT_WIDTH,
                        help=f"page width in pixels (default {DEFAULT_WIDTH})")
    parser.add_argument("--height", type=int, default=DEFAULT_HEIGHT,
                        help="at most this many pixels of the top of the page, cut above a section "
                             f"heading (default {DEFAULT_HEIGHT})")
    parser.add_argument("--full-page", action="store_true", help="keep the whole page")
    args = parser.parse_args(argv)
    try:
        course = Course.load(args.course_root)
        out = report_screenshot(course, args.out, args.assignments,
                                width=args.width, height=args.height, full_page=args.full_page)
    except (ChromiumMissing, CourseError, FileNotFoundError, ValueError, RuntimeError) as err:
        print(f"report_screenshot: {err}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
