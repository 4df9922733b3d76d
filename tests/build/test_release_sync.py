"""Is the committed release/ what a fresh build produces?"""
import pytest

from coursekit.build.release_sync import check_release, compare_trees
from scratch import COURSE


@pytest.mark.slow
def test_does_a_fresh_build_reproduce_the_committed_release():
    """Does rebuilding every language from the master reproduce release/ byte for byte?"""
    problems = check_release(COURSE, progress=lambda message: None)
    assert problems == [], "\n".join(problems)


def test_does_the_comparison_notice_a_changed_file(tmp_path):
    """Does the tree comparison report a changed, a missing and an extra file?"""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for name, text in [("same.txt", "x"), ("changed.txt", "old"), ("gone.txt", "y")]:
        (tmp_path / "a" / name).write_text(text)
    (tmp_path / "b" / "same.txt").write_text("x")
    (tmp_path / "b" / "changed.txt").write_text("new")
    (tmp_path / "b" / "extra.txt").write_text("z")
    problems = compare_trees(tmp_path / "a", tmp_path / "b")
    assert len(problems) == 3
    assert any("gone.txt" in p and "missing" in p for p in problems)
    assert any("extra.txt" in p for p in problems)
    assert any("changed.txt" in p and "differs" in p for p in problems)
