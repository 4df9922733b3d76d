"""Shared fixtures: a scratch copy of the course, built and graded with real nbgrader."""
import pytest

from scratch import ANSWERS, CORRECT_LOOPS, ScratchCourse, student_id


@pytest.fixture(scope="session")
def english_course(tmp_path_factory):
    return ScratchCourse(tmp_path_factory.mktemp("course"), ["en"])


@pytest.fixture(scope="session")
def catalogue_grades(english_course):
    """Every answer of the catalogue (correct, mistaken, tampering) graded in one autograde run."""
    files = {"correct-loops": CORRECT_LOOPS, "correct-vectorized": ANSWERS / "correct_vectorized.py"}
    for path in sorted((ANSWERS / "mistakes").glob("*.py")) + sorted((ANSWERS / "tampering").glob("*.py")):
        files[student_id(path)] = path
    from coursekit.grading.batch import run_batch

    for student, path in files.items():
        english_course.submit(student, path)
    # The batch grader gives plain nbgrader's grades (tests/test_batch_grade.py), twice as fast.
    run_batch(english_course.course, workers=2, progress=False, students=list(files))
    return {student: english_course.scores(student) for student in files}
