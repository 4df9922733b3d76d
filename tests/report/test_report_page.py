"""The instructor report as an instructor sees it: report.html opened in headless Chromium.

The course is the small graded class of tests/test_report.py (a real nbgrader
gradebook and autograded notebooks, four students in three languages). The
page is opened from a file:// URL with every request other than file: and
data: refused and recorded.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

import pytest

from browser_support import chromium_context, refuse_network, require_chromium, screenshot_path
from coursekit.report import screenshot as report_screenshot
from test_report import graded_class, make_course, write_report

pytestmark = pytest.mark.filterwarnings(
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning")


@pytest.fixture
def graded_course(tmp_path, monkeypatch):
    # nbgrader runs `alembic`, beside this interpreter, when it creates a gradebook
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    return make_course(tmp_path / "course", graded_class())


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
def test_does_the_report_page_show_its_figures_without_touching_the_network(graded_course, tmp_path):
    """Does report.html, opened in Chromium, load every figure and make no network request?"""
    require_chromium()
    page_path = write_report(graded_course, tmp_path / "out")
    requests: list[str] = []
    with chromium_context(width=1280, height=900) as context:
        refused = refuse_network(context)
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_path.as_uri(), wait_until="load")
        images = page.evaluate(
            "() => Array.from(document.images).map(i => ({alt: i.alt, complete: i.complete,"
            " width: i.naturalWidth, src: i.src.slice(0, 22)}))")
        headings = page.locator("h2").all_inner_texts()
        page.screenshot(path=str(screenshot_path("report_page.png")), full_page=True)

    assert len(images) == 3, f"expected the distribution, pass-rate and mistakes figures, got {images}"
    assert all(i["complete"] and i["width"] > 0 for i in images), f"figures that did not load: {images}"
    assert all(i["src"].startswith("data:image/png") for i in images)
    assert refused == [], f"the page tried to reach the network: {refused}"
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests
    assert "Score distribution" in headings and "Pass rate per graded cell" in headings
    assert "What the class got wrong" in headings


@pytest.mark.slow
def test_does_the_screenshot_command_write_a_png_of_the_report(graded_course, tmp_path, capsys):
    """Does `python -m coursekit.report.screenshot` write a 1280-pixel-wide PNG of the report?"""
    require_chromium()
    out = tmp_path / "shots" / "report.png"
    assert report_screenshot.main(["--course-root", str(graded_course), "--out", str(out),
                                   "--height", "1200"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    width, height = png_size(out)
    assert width == 1280 and 600 <= height <= 1200


def test_does_the_screenshot_command_fail_cleanly_without_a_gradebook(tmp_path, capsys):
    """Does the screenshot command fail with a message, and no PNG, when there is no gradebook?"""
    out = tmp_path / "report.png"
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    assert report_screenshot.main(["--course-root", str(tmp_path), "--out", str(out)]) == 1
    assert "no gradebook" in capsys.readouterr().err
    assert not out.exists()
