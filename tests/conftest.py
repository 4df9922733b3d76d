"""Shared fixtures: a scratch copy of the course, built and graded with real nbgrader."""
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from coursekit import COURSE_ROOT, NOTEBOOK_NAME
from coursekit.batch_grade import run_batch
from coursekit.build_release import assignment_for, build_all, master_path, run_nbgrader
from coursekit.demo_cycle import submit
from coursekit.release_sync import copy_build_inputs

TESTS = Path(__file__).resolve().parent
ANSWERS = TESTS / "answers"
CORRECT_LOOPS = COURSE_ROOT / "course_data" / "demo_submissions" / "alice.en.py"


class ScratchCourse:
    """A copy of the course in a temporary folder, built for some languages."""

    def __init__(self, root: Path, languages, timeout: int = None):
        self.root = Path(root)
        copy_build_inputs(COURSE_ROOT, self.root)
        if timeout:  # hostile tests wait for timeouts; a short one keeps them quick
            with open(self.root / "nbgrader_config.py", "a") as config:
                config.write(f"\nc.Execute.timeout = {timeout}\n")
        build_all(self.root, languages, progress=lambda message: None)

    def submit(self, student: str, answers: Path, lang: str = "en") -> Path:
        return submit(self.root, student, lang, answers)

    def autograde(self, lang: str = "en", *extra) -> None:
        run_nbgrader(["autograde", assignment_for(lang), "--force", *extra], self.root)

    def scores(self, student: str, lang: str = "en") -> dict:
        """``{grade_id: (score, max_score)}`` of one student's graded notebook."""
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            sub = gb.find_submission_notebook(NOTEBOOK_NAME, assignment_for(lang), student)
            return {g.name: (g.score, g.max_score) for g in sub.grades}

    def autograded_notebook(self, student: str, lang: str = "en") -> Path:
        return self.root / "autograded" / student / assignment_for(lang) / f"{NOTEBOOK_NAME}.ipynb"


def autograded_cells() -> dict:
    """``{grade_id: points}`` of the master's autograded cells, the code cells that test answers.

    The written answers (markdown) are scored by a grader, after autograding.
    """
    cells = {}
    for cell in nbformat.read(master_path(), as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and meta.get("points"):
            cells[meta["grade_id"]] = meta["points"]
    return cells


def student_id(path: Path) -> str:
    """A gradebook-safe student id for an answer file."""
    return path.stem.replace("__", "-").replace("_", "-")


@pytest.fixture(scope="session")
def english_course(tmp_path_factory):
    return ScratchCourse(tmp_path_factory.mktemp("course"), ["en"])


@pytest.fixture(scope="session")
def catalogue_grades(english_course):
    """Every answer of the catalogue (correct, mistaken, tampering) graded in one autograde run."""
    files = {"correct-loops": CORRECT_LOOPS, "correct-vectorized": ANSWERS / "correct_vectorized.py"}
    for path in sorted((ANSWERS / "mistakes").glob("*.py")) + sorted((ANSWERS / "tampering").glob("*.py")):
        files[student_id(path)] = path
    for student, path in files.items():
        english_course.submit(student, path)
    # The batch grader gives plain nbgrader's grades (tests/test_batch_grade.py), twice as fast.
    run_batch(english_course.root, workers=2, progress=False, students=list(files))
    return {student: english_course.scores(student) for student in files}
