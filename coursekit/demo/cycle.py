"""The demo cycle: build, submit the bundled demo answers, autograde, feedback, export, report.

Each file ``course_data/demo_submissions/<student>.<lang>.py`` is one student's
answers (see ``coursekit.answers``); an empty file is a blank submission.  The
cycle fills the release notebook of that language with them, puts the result
where ``nbgrader collect`` would, and then runs the real nbgrader commands.
"""
import datetime
import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from rich.console import Console
from rich.table import Table

from ..build.nbgrader_run import run_nbgrader
from ..build.release import build_all
from ..course import Course
from ..report.page import write_report
from .answers import fill, load_answers


def demo_students(course: Course) -> list:
    """``[(student, lang, answer file)]`` for every demo submission (``course_data/demo_submissions/``)."""
    found = []
    for path in sorted((course.data_dir / "demo_submissions").glob("*.py")):
        student, _, lang = path.stem.partition(".")
        if not lang:
            raise ValueError(f"{path}: demo submissions are named <student>.<lang>.py")
        found.append((student, lang, path))
    return found


def submit(course: Course, student: str, lang: str, answers_file: Path) -> Path:
    """Write ``submitted/<student>/<assignment>/``: the release folder with the answers filled in."""
    assignment = course.assignment_for(lang)
    release = course.release_dir(assignment)
    dest = course.submitted_dir(student, assignment)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(release, dest)
    nb = nbformat.read(course.release_notebook(assignment), as_version=4)
    nb = fill(nb, load_answers(answers_file), origin=str(answers_file))
    nbformat.write(nb, dest / course.release_notebook(assignment).name)
    stamp = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.timezone.utc)
    (dest / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    return dest


def summary_rows(course: Course, students) -> list:
    """``(student, lang, score, max_score, {grade_id: (score, max, waits for a grader)})`` from the gradebook."""
    rows = []
    with Gradebook(course.db_url, course.course_id) as gb:
        for student, lang, _path in students:
            sub = gb.find_submission_notebook(course.notebook, course.assignment_for(lang), student)
            cells = {g.name: (g.score, g.max_score, g.needs_manual_grade) for g in sub.grades}
            rows.append((student, lang, sub.score, sub.max_score, cells))
    return rows


def print_summary(rows, console=None):
    console = console or Console()
    table = Table(title="Demo cycle: autograded scores")
    table.add_column("student")
    table.add_column("language")
    table.add_column("score", justify="right")
    table.add_column("full marks", justify="right")
    table.add_column("cells that lost points", overflow="fold")
    table.add_column("written answers to grade by hand", overflow="fold")
    for student, lang, score, max_score, cells in rows:
        # A written answer scores 0 until a grader scores it: it is waiting, not lost.
        done = {name: (s, m) for name, (s, m, waiting) in cells.items() if m and not waiting}
        full = [name for name, (s, m) in done.items() if s == m]
        lost = [f"{name.removeprefix('test_')} {s:g}/{m:g}" for name, (s, m) in done.items() if s != m]
        waiting = [m for _s, m, is_waiting in cells.values() if m and is_waiting]
        to_grade = f"{len(waiting)} answers, {sum(waiting):g} points" if waiting else "-"
        if len(lost) == len(done) and lost:
            lost = [f"all {len(lost)} graded cells"]
        table.add_row(student, lang, f"{score:g} / {max_score:g}", f"{len(full)} of {len(done)}",
                      ", ".join(lost) or "-", to_grade)
    console.print(table)


def run_demo(course: Course, progress=print) -> list:
    """Run the whole cycle in *course*; returns the summary rows."""
    from ..grading.batch import run_batch

    students = demo_students(course)
    languages = sorted({lang for _s, lang, _p in students})
    build_all(course, progress=progress)
    for student, lang, path in students:
        progress(f"[submit] {student} ({lang}) from {path.name}")
        submit(course, student, lang, path)
    progress("[autograde] coursekit grade: nbgrader's Autograde in parallel workers, in the sandbox")
    results = run_batch(course, [course.assignment_for(lang) for lang in languages],
                        students=[student for student, _l, _p in students], progress=False)
    failed = [r for r in results if not r.ok]
    if failed:
        raise RuntimeError("autograde failed for " + ", ".join(f"{r.student}: {r.error}" for r in failed))
    for lang in languages:
        progress(f"[feedback] nbgrader generate_feedback {course.assignment_for(lang)}")
        run_nbgrader(["generate_feedback", course.assignment_for(lang), "--force"], course.root)
    progress("[export] nbgrader export -> grades.csv")
    run_nbgrader(["export", "--to", "grades.csv"], course.root)
    report = write_report(course)
    progress(f"[report] {course.relative(report)}")
    rows = summary_rows(course, students)
    print_summary(rows)
    return rows
