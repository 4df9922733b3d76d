"""The page an instructor reads: similar, never copied; the evidence side by side; nothing loaded or sent."""
import re
import subprocess
import sys

import pytest

from coursekit.similarity.options import SimilarityReport
from coursekit.similarity.page import highlight, report_section, write_similarity

from helpers import labelled_set, scratch_course, write_class


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("similarity-page")
    course = scratch_course(tmp / "course")
    write_class(course, labelled_set(10, 3), tmp / "answers")
    page, result = write_similarity(course, tmp / "report")
    return course, page, result


def test_does_the_page_say_similar_and_never_copied(written):
    """Does the page speak of similar submissions, and use "copied" only to say that similar is not copied?"""
    _, page, result = written
    text = page.read_text(encoding="utf-8")
    assert result.flagged and "Similar submissions" in text
    assert re.findall(r"\bcop(?:ied|y|ying)\b|plagiar", text, re.IGNORECASE) == ["copied"]
    assert "Similar is not copied" in text


def test_does_the_page_load_and_send_nothing(written):
    """Is the page self-contained: no script, no stylesheet or image from elsewhere, no form?"""
    text = written[1].read_text(encoding="utf-8")
    assert "<script" not in text and "<form" not in text and "<link" not in text
    assert not re.search(r"(src|href)=\"(https?:)?//", text)


def test_does_every_flagged_pair_get_both_sides_with_numbered_fragments(written):
    """Has each flagged pair a side-by-side view, with numbered shared fragments on both sides?"""
    _, page, result = written
    text = page.read_text(encoding="utf-8")
    for n in range(1, len(result.flagged) + 1):
        section = text.split(f'id="pair-{n}"')[1].split('<section class="pair"')[0]
        left_right = re.findall(r'<pre dir="ltr">(.*?)</pre>', section, re.DOTALL)
        assert left_right and len(left_right) % 2 == 0
        for left, right in zip(left_right[::2], left_right[1::2]):
            numbers = lambda side: set(re.findall(r"<sup>(\d+)</sup>", side))  # noqa: E731
            assert numbers(left) and numbers(right)
            assert "<mark" in left and "<mark" in right


def test_is_highlighted_code_escaped_and_whole():
    """Does highlighting keep every character of the code, escaped, with the marks around the spans?"""
    code = "if a < b:\n    c = a & b\n"
    html = highlight(code, [(0, 8, 0), (5, 20, 1)])
    assert re.sub(r"<[^>]+>|\d(?=</sup>)", "", html).replace("&lt;", "<").replace("&amp;", "&") == code
    assert html.count("<mark") == 2


def test_does_the_report_section_link_the_page(written):
    """Does the instructor report's section count the similar pairs and link similarity.html?"""
    _, page, result = written
    section = report_section(result, page.name)
    assert f'href="{page.name}"' in section and f"{len(result.flagged)} pair" in section
    assert "Similar is not copied" in section


def test_does_the_command_write_the_page(written, tmp_path):
    """Does `coursekit similarity --course-root DIR --out DIR` write the page and list the similar pairs?"""
    course, _, result = written
    run = subprocess.run([sys.executable, "-m", "coursekit", "similarity", "--course-root", str(course.root),
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / SimilarityReport().output_name).is_file()
    assert f"{len(result.flagged)} pair(s) at or above" in run.stdout
