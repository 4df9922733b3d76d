"""The similarity page as an instructor sees it: opened in headless Chromium, with no network.

The class is the benchmark's labelled one (10 authors, 3 disguised copies), in
a scratch course; every request other than file:, data: and about: is refused
and recorded.  The side-by-side view of the first pair is kept in
artifacts/screenshots/similarity_side_by_side.png.
"""
import pytest

from browser_support import chromium_context, refuse_network, require_chromium, screenshot_path
from coursekit.similarity.page import write_similarity

from helpers import labelled_set, scratch_course, write_class

pytestmark = pytest.mark.slow


def test_are_the_two_sides_of_a_pair_shown_next_to_each_other(tmp_path):
    """Does the first pair's view show both submissions' cells side by side, at the same height, with the
    shared fragments highlighted on both, and does the page ask for nothing over the network?"""
    require_chromium()
    course = scratch_course(tmp_path / "course")
    write_class(course, labelled_set(10, 3), tmp_path / "answers")
    page, result = write_similarity(course, tmp_path / "report")
    assert result.flagged
    with chromium_context(width=1400, height=1000) as context:
        refused = refuse_network(context)
        view = context.new_page()
        view.goto(page.resolve().as_uri(), wait_until="load")
        view.click('a[href="#pair-1"]')
        pair = view.locator("#pair-1")
        left, right = pair.locator("pre").nth(0), pair.locator("pre").nth(1)
        lbox, rbox = left.bounding_box(), right.bounding_box()
        assert lbox["x"] + lbox["width"] <= rbox["x"] and abs(lbox["y"] - rbox["y"]) < 2
        assert rbox["x"] + rbox["width"] <= 1400  # the right side is not pushed off the page
        assert left.locator("mark").count() and right.locator("mark").count()
        assert left.locator("mark").first.is_visible() and right.locator("mark").first.is_visible()
        pair.screenshot(path=str(screenshot_path("similarity_side_by_side.png")))
    assert refused == []
