"""How fast does the coordinator record results: SQLite and PostgreSQL gradebooks, no kernel in the measurement.

    .venv/bin/python benchmarks/recording_speed.py [--submissions 300] [--rounds 3] [--group 50] [--no-postgres]

A scratch copy of the course is built (English) once per gradebook: the
course's SQLite file, and a database on a throwaway PostgreSQL server
(``tests/pg_server.py``; skipped when PostgreSQL's server programs are not
installed).  A grading worker executes a few real submissions (a correct one
and catalogued mistakes) once, before anything is timed; their results
stand for *submissions* students, each with a staged submission of its own.

Then the recorder (``coursekit/grading/batch/record.py``) records them all,
*group* results per transaction, as the coordinator does: the gradebook rows,
the late penalties, the autograded folders.  A round records the batch
twice: first into an empty gradebook (every submission new), then again (a
re-run: every row exists).  The script prints results recorded per second,
median of the rounds, and checks that every submission has exactly one grade
per graded cell with the scores of the result it was given.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def answers() -> list[Path]:
    mistakes = sorted((REPO / "tests" / "answers" / "mistakes").glob("*.py"))
    return [REPO / "course_data" / "demo_submissions" / "alice.en.py", *mistakes[:3]]


def prepare(scratch, students, executed_by_answer):
    """Stage every student's submission; pair it with the result of its answer."""
    from coursekit.grading.batch.submissions import Job, stage

    course = scratch.course
    assignment = course.assignment_for("en")
    items = []
    for index, student in enumerate(students):
        source = list(executed_by_answer)[index % len(executed_by_answer)]
        scratch.submit(student, source)
        job = Job(assignment, student)
        stage(course, job)
        items.append((job, executed_by_answer[source]))
    return items


def clear(course) -> None:
    """An empty gradebook of submissions (the assignment's definitions stay)."""
    from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook
    from sqlalchemy import create_engine, delete

    engine = create_engine(course.db_url)
    try:
        with engine.begin() as conn:
            for table in (Grade, Comment, SubmittedNotebook, SubmittedAssignment, Student):
                conn.execute(delete(table))
    finally:
        engine.dispose()


def check(course, items, expected) -> str:
    """'ok', or what is wrong: one grade row per graded cell per student, with the expected scores."""
    from nbgrader.api import Gradebook

    wrong = []
    with Gradebook(course.db_url, course.course_id) as gb:
        definition = gb.find_notebook(course.notebook, course.assignment_for("en"))
        cells = len(definition.grade_cells) + len(definition.task_cells)
        for job, executed in items:
            sub = gb.find_submission_notebook(course.notebook, job.assignment, job.student)
            scores = {g.name: g.auto_score for g in sub.grades}
            if len(sub.grades) != cells or {k: scores.get(k) for k in expected[id(executed)]} != expected[id(executed)]:
                wrong.append(job.student)
    return "ok" if not wrong else f"WRONG for {len(wrong)}: {', '.join(wrong[:5])}"


def measure(name, scratch, items, expected, rounds, group) -> dict:
    from coursekit.grading.batch.record import Recorder

    rates = {"first": [], "re-run": []}
    verdict = "ok"
    for round_ in range(rounds):
        clear(scratch.course)
        recorder = Recorder(scratch.course)
        try:
            for kind in ("first", "re-run"):
                started = time.perf_counter()
                results = []
                for start in range(0, len(items), group):
                    results += recorder.record_many(items[start:start + group])
                seconds = time.perf_counter() - started
                failed = [r for r in results if not r.ok]
                if failed:
                    raise SystemExit(f"{name}: {len(failed)} results not recorded: {failed[0].error}")
                rates[kind].append(len(items) / seconds)
                print(f"round {round_ + 1}: {name:10} {kind:6} {len(items) / seconds:7.1f} results/s", flush=True)
        finally:
            recorder.close()
        verdict = check(scratch.course, items, expected)
    return {kind: statistics.median(values) for kind, values in rates.items()} | {"check": verdict}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--group", type=int, default=50, help="results per transaction (c.BatchGrade.record_group)")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    from pg_server import PostgresServer, server_programs
    from scratch import ScratchCourse

    from coursekit.grading.batch.bundle import make_bundle
    from coursekit.grading.batch.execute import Worker
    from coursekit.grading.batch.run import files_of
    from coursekit.grading.batch.submissions import Job, stage

    students = [f"s{i:04d}" for i in range(args.submissions)]
    figures = {}
    with tempfile.TemporaryDirectory(prefix="recording-speed-") as tmp:
        tmp = Path(tmp)
        secret = f"\nc.TrustedGrading.secret_file = {str(tmp / 'grader.secret')!r}\n"
        server = None
        backends = [("SQLite", "")]
        if not args.no_postgres:
            if server_programs() is None:
                print("PostgreSQL's server programs are not installed: SQLite only")
            else:
                server = PostgresServer()
                backends.append(("PostgreSQL", f'c.CourseDirectory.db_url = "{server.new_database()}"\n'))
        try:
            executed_by_answer, expected = {}, {}
            for index, (name, config) in enumerate(backends):
                scratch = ScratchCourse(tmp / f"course{index}", ["en"], config=secret + config)
                if not executed_by_answer:  # real results, computed once, before anything is timed
                    course = scratch.course
                    for n, path in enumerate(answers()):
                        scratch.submit(f"origin{n}", path)
                        stage(course, Job(course.assignment_for("en"), f"origin{n}"))
                    worker = Worker(course.root, make_bundle(course, [course.assignment_for("en")]))
                    try:
                        for n, path in enumerate(answers()):
                            job = Job(course.assignment_for("en"), f"origin{n}")
                            executed = worker.execute(job, files_of(course, job))
                            assert executed.notebook is not None, executed.error
                            executed_by_answer[path] = executed
                            expected[id(executed)] = dict(executed.grades)
                    finally:
                        worker.close()
                    print(f"{len(executed_by_answer)} results computed by a worker; recording "
                          f"{len(students)} submissions, {args.group} per transaction", flush=True)
                items = prepare(scratch, students, executed_by_answer)
                figures[name] = measure(name, scratch, items, expected, args.rounds, args.group)
        finally:
            if server is not None:
                server.close()
    print(f"\n{len(students)} results, {args.group} per transaction, median of {args.rounds} rounds, results per second:")
    print(f"  {'gradebook':12} {'first':>8} {'re-run':>8}  rows and scores")
    for name, figure in figures.items():
        print(f"  {name:12} {figure['first']:8.1f} {figure['re-run']:8.1f}  {figure['check']}")
    return 0 if all(f["check"] == "ok" for f in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
