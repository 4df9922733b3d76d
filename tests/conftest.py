"""Shared fixtures (a scratch copy of the course, built and graded with real nbgrader) and the two test tiers.

``pytest -m "not slow"`` runs the fast tier: no kernel, no sandbox, no
nbgrader subprocess, no build of the course, no browser.  A test that needs
one of those is marked ``slow`` (``pytestmark = pytest.mark.slow`` for a
whole module).
"""
import pytest

from scratch import ANSWERS, CORRECT_LOOPS, ScratchCourse, student_id

#: Fixtures that build or grade the course: every test that uses one is slow.
SLOW_FIXTURES = frozenset({"english_course", "catalogue_grades"})


@pytest.fixture(scope="session")
def english_course(tmp_path_factory):
    return ScratchCourse(tmp_path_factory.mktemp("course"), ["en"])


@pytest.fixture(scope="session")
def catalogue_grades(english_course):
    """Every answer of the catalogue (correct, mistaken, tampering) graded in one batch."""
    files = {"correct-loops": CORRECT_LOOPS, "correct-vectorized": ANSWERS / "correct_vectorized.py"}
    for path in sorted((ANSWERS / "mistakes").glob("*.py")) + sorted((ANSWERS / "tampering").glob("*.py")):
        files[student_id(path)] = path
    for student, path in files.items():
        english_course.submit(student, path)
    # The batch grader gives plain nbgrader's grades (tests/grading/test_batch.py), twice as fast.
    english_course.grade(workers=2, students=list(files))
    return {student: english_course.scores(student) for student in files}


def _drives_a_browser(module) -> bool:
    """Does the test module use the browser helpers (tests/browser_support.py)?"""
    return any(getattr(value, "__module__", None) == "browser_support" for value in vars(module).values())


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    # The browser tests' own files are another engineer's: they are marked here, by what they import.
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and _drives_a_browser(module):
            item.add_marker(pytest.mark.slow)
    # A fast test that grows a slow fixture would quietly slow the fast tier down: refuse it.
    unmarked = [item.nodeid for item in items
                if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("slow") is None]
    if unmarked:
        raise pytest.UsageError("these tests build or grade the course but are not marked slow:\n  "
                                + "\n  ".join(unmarked))


@pytest.fixture(scope="session")
def sandbox_kernelspec(tmp_path_factory):
    """This checkout's ``cnn-sandbox`` kernelspec, installed into a throwaway Jupyter path."""
    from coursekit.grading.sandbox.kernelspec import install_kernelspec
    from coursekit.grading.sandbox.options import KERNEL_NAME

    prefix = tmp_path_factory.mktemp("jupyter-prefix")
    assert install_kernelspec(prefix) == KERNEL_NAME
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
        yield prefix
