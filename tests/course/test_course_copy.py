"""A copy of the course works on its own: every command writes into the copy, and nothing into the original.

The course (what a build reads, ``copy_build_inputs``) is copied into a fresh
folder, a class of two students is submitted there, and the instructor's
commands run as subprocesses: ``coursekit build en``, ``coursekit grade``,
``nbgrader generate_feedback``, ``nbgrader export`` and ``coursekit report``.
They run twice: from inside the copy, as the README says, and with
``--course-root COPY`` from the original repository, which is itself a course:
a command that took the course from its current folder instead of from
``--course-root`` would read or write the original.  nbgrader has no
``--course-root`` (it reads the ``nbgrader_config.py`` of the folder it runs
in), so its commands always run in the copy.

The copy is a course of its own: one of its test cells carries a comment the
original's does not, so a stage that compared a submission with the
original's release would see a tampered cell.
"""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from coursekit.build.nbgrader_run import nbgrader_env
from coursekit.build.release_sync import copy_build_inputs
from coursekit.course import Course
from coursekit.demo.cycle import submit
from scratch import ANSWERS, COURSE, CORRECT_LOOPS, REPO, autograded_cells

pytestmark = pytest.mark.slow

CLASS = {"alice": CORRECT_LOOPS, "bob": ANSWERS / "mistakes" / "conv_backward__published_stride_less.py"}
EN = COURSE.assignment_for("en")
#: The test cell that differs between the copy and the original, and the line only the copy's has.
OWN_CELL, OWN_LINE = "test_zero_pad", "# (this copy's own version of the cell)"
#: What changes in a checkout whenever Python or pytest run in it.
NOT_THE_COURSES = {".git", ".venv", "__pycache__", ".pytest_cache"}


def snapshot(folder: Path) -> dict:
    """{relative path: (size, mtime)} of every file below *folder*, and git's view of the checkout."""
    files = {}
    for base, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in NOT_THE_COURSES]
        for name in names:
            path = Path(base, name)
            stat = path.lstat()
            files[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns)
    status = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=folder,
                            capture_output=True, text=True, check=True).stdout
    return {"files": files, "git status": status}


def changes(before: dict, after: dict) -> list:
    """What differs between two snapshots, one line per path."""
    old, new = before["files"], after["files"]
    lines = [f"new: {p}" for p in sorted(new.keys() - old.keys())]
    lines += [f"removed: {p}" for p in sorted(old.keys() - new.keys())]
    lines += [f"changed: {p}" for p in sorted(old.keys() & new.keys()) if old[p] != new[p]]
    if before["git status"] != after["git status"]:
        lines.append(f"git status was:\n{before['git status']}and is:\n{after['git status']}")
    return lines


def coursekit_cmd() -> list:
    script = Path(sys.executable).parent / "coursekit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "coursekit"]


class Cycle:
    """The instructor's commands on a copy of the course, and what they left behind."""

    def __init__(self, copy: Path, where: str):
        self.copy, self.where = copy, where
        self.course = Course.load(copy)
        self.runs: list[subprocess.CompletedProcess] = []

    def coursekit(self, *args):
        if self.where == "in the copy":
            self._run([*coursekit_cmd(), *args], self.copy)
        else:
            self._run([*coursekit_cmd(), *args, "--course-root", str(self.copy)], REPO)

    def nbgrader(self, *args):
        self._run([sys.executable, "-m", "nbgrader", *args], self.copy)

    def _run(self, argv, cwd):
        self.runs.append(subprocess.run(argv, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True,
                                        stdin=subprocess.DEVNULL, timeout=1200))


def make_its_own(course: Course) -> None:
    """Give the copy's master a test cell of its own (a comment line more)."""
    nb = nbformat.read(course.master_path, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == OWN_CELL)
    cell.source = OWN_LINE + "\n" + cell.source
    nbformat.write(nb, course.master_path)


@pytest.fixture(scope="module", params=["in the copy", "with --course-root from the original"])
def cycle(request, tmp_path_factory):
    copy = copy_build_inputs(COURSE, tmp_path_factory.mktemp("copy") / "course")
    make_its_own(Course.load(copy))
    before = snapshot(REPO)
    cycle = Cycle(copy, request.param)
    cycle.coursekit("build", "en")
    if cycle.runs[-1].returncode == 0:
        for student, answers in CLASS.items():
            submit(cycle.course, student, "en", answers)
        cycle.coursekit("grade", "--workers", "2")
        cycle.nbgrader("generate_feedback", EN, "--force")
        cycle.nbgrader("export", "--to", "grades.csv")
        cycle.coursekit("report")
    cycle.changes_to_the_original = changes(before, snapshot(REPO))
    return cycle


def test_did_every_command_succeed(cycle):
    """Did build, grade, generate_feedback, export and report each exit 0?"""
    failed = [f"{' '.join(r.args)} (exit {r.returncode}):\n{r.stdout[-3000:]}{r.stderr[-3000:]}"
              for r in cycle.runs if r.returncode != 0]
    assert len(cycle.runs) == 5 and failed == []


def test_is_the_original_repository_untouched(cycle):
    """Did no command write, create or delete a file of the original repository (git status and mtimes)?"""
    assert cycle.changes_to_the_original == []


def test_is_the_release_built_in_the_copy(cycle):
    """Did `coursekit build en` write the English source and release into the copy?"""
    assert cycle.course.release_notebook(EN).is_file()
    assert (cycle.course.source_dir(EN) / f"{COURSE.notebook}.ipynb").is_file()


def test_are_the_grades_in_the_copys_gradebook(cycle):
    """Does the copy's gradebook hold both students, alice with every autograded point and bob 20 fewer?"""
    full = sum(autograded_cells().values())
    with Gradebook(cycle.course.db_url, cycle.course.course_id) as gb:
        scores = {s: gb.find_submission(EN, s).score for s in CLASS}
    assert scores == {"alice": full, "bob": full - 20}


def test_is_an_untouched_submission_graded_against_the_copys_own_release(cycle):
    """Is alice's untouched notebook graded without incidents (compared with the copy's release, not the original's)?"""
    graded = json.loads(cycle.course.autograded_notebook("alice", EN).read_text())
    assert graded["metadata"].get("coursekit", {}).get("incidents", []) == []


def test_are_the_graded_notebooks_in_the_copy(cycle):
    """Are both graded notebooks in the copy's autograded/ folder?"""
    assert all(cycle.course.autograded_notebook(s, EN).is_file() for s in CLASS)


def test_is_the_feedback_in_the_copy(cycle):
    """Did generate_feedback write both students' pages in the copy, without the hidden checks?"""
    pages = [(cycle.course.feedback_dir(s, EN) / f"{COURSE.notebook}.html").read_text() for s in CLASS]
    assert all("hidden check: " not in page and "BEGIN HIDDEN TESTS" not in page for page in pages)


def test_is_the_export_in_the_copy(cycle):
    """Did `nbgrader export` write grades.csv in the copy, one row per student?"""
    with open(cycle.copy / "grades.csv", newline="") as fh:
        assert sorted(row["student_id"] for row in csv.DictReader(fh)) == sorted(CLASS)


def test_is_the_report_in_the_copy(cycle):
    """Did `coursekit report` write report.html and grades_by_cell.csv in the copy's artifacts/report/?"""
    report = cycle.copy / "artifacts" / "report"
    assert (report / "report.html").is_file() and (report / "grades_by_cell.csv").is_file()


def test_did_the_batch_keep_its_working_folders_in_the_copy(cycle):
    """Are the gradebook backups and the staging folder of `coursekit grade` in the copy?"""
    from coursekit.grading.batch.options import BatchGrade

    settings = BatchGrade(config=cycle.course.config)
    assert list((cycle.copy / settings.backup_directory).glob("gradebook-*.db"))
    assert (cycle.copy / settings.staging_directory / "submitted").is_dir()
