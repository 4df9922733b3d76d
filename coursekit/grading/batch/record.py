"""In the coordinator: record the workers' results in the course's gradebook, many submissions per transaction.

A worker sends back what ``nbgrader autograde`` would write for one
submission: the autograded notebook, and the score and comment of every cell
as ``SaveAutoGrades`` decides them (``stages.CollectAutoGrades``).  The
recorder writes what nbgrader writes, with nbgrader's own tables and rules:

- the student, created when missing (``Autograde.create_student``);
- the submission, created with a notebook, a grade and a comment row per
  cell of the assignment when missing (``Gradebook.add_submission``), its
  timestamp updated from ``timestamp.txt`` when there is one;
- each grade's ``auto_score``, and ``needs_manual_grade`` set when a grade was
  entered by hand or the score is not automatic; ``manual_score`` is never
  touched; each comment's ``auto_comment`` (``SaveAutoGrades``);
- each notebook's late penalty (the course's ``AssignLatePenalties`` plugin);
- ``autograded/<student>/<assignment>/`` as nbgrader lays it out: the
  submission's other files, the source folder's files over them, the
  notebook, every file read-only.

Up to ``c.BatchGrade.record_group`` submissions go in one transaction.  The
files are written first and the transaction commits after them; a result is
reported recorded only once it committed.  A crash before the commit leaves
none of the group's grades (their files are written again by the re-run); a
re-run updates the same rows, so no grade is ever recorded twice.  A group
that fails is recorded again one submission per transaction, so that one bad
result costs only itself.
"""
from __future__ import annotations

import json
import os
import queue
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ...course import Course
from .submissions import Job, staged_submissions
from .kept_files import kept_files


#: Threads writing a group's autograded folders: making files waits for the disk, not for Python.
FILE_WRITERS = 8


@dataclass
class Result:
    assignment: str
    student: str
    ok: bool
    seconds: float
    score: float = 0.0
    max_score: float = 0.0
    incidents: list = field(default_factory=list)
    error: str = ""
    attempts: int = 1


@dataclass
class _Definitions:
    """An assignment as the gradebook defines it: ids of its notebooks and cells, its due date."""

    id: str
    duedate: object
    #: {notebook name: (notebook id, {grade cell name: cell id}, {commented cell name: cell id}, [(cell id, kind)])}
    notebooks: dict


class RecordingError(RuntimeError):
    """One submission's result cannot be recorded (the message says why); nothing of it was written."""


class Recorder:
    """Writes workers' results into the course's gradebook, a group of submissions per transaction."""

    def __init__(self, course: Course):
        from nbgrader.preprocessors import AssignLatePenalties
        from sqlalchemy.exc import SAWarning
        from traitlets.utils.importstring import import_item

        from .execute import autograde_stages
        from .stages import late_penalty_stage, worker_stages

        # nbgrader 0.9 with SQLAlchemy 2 warns "Object of type <Submitted...> not in session" on every new
        # submission (plain `nbgrader autograde` prints the same); it changes nothing.
        warnings.filterwarnings("ignore", message="Object of type <Submitted", category=SAWarning)
        self.course = course
        sanitizing, grading = autograde_stages(course.config)
        worker_stages(sanitizing, grading)  # refuses a pipeline the workers cannot run, before any is sent
        stage = late_penalty_stage(grading)
        if stage is not None:
            cls = import_item(stage) if isinstance(stage, str) else stage
            self.late = cls(config=course.config) if issubclass(cls, AssignLatePenalties) else None
            if self.late is not None:
                self.late.init_plugin()
        else:
            self.late = None
        from nbgrader.coursedir import CourseDirectory

        self.coursedir = CourseDirectory(config=course.config, root=str(course.root))
        self.permissions = 0o664 if self.coursedir.groupshared else 0o444  # nbgrader's converters' default
        self._gradebook = None
        self._definitions: dict[str, _Definitions] = {}
        self._sources: dict[str, dict[str, bytes]] = {}
        if course.sqlite_path is not None:
            _write_ahead_log()

    # -- the gradebook ----------------------------------------------------------------------------------

    @property
    def gradebook(self):
        """One connection for the recorder's life (opened in the thread that records)."""
        if self._gradebook is None:
            from nbgrader.api import Gradebook

            self._gradebook = Gradebook(self.course.db_url, self.course.course_id)
        return self._gradebook

    def close(self) -> None:
        if self._gradebook is not None:
            self._gradebook.close()
            self._gradebook = None

    def definitions(self, assignment: str) -> _Definitions:
        found = self._definitions.get(assignment)
        if found is None:
            gb = self.gradebook
            a = gb.find_assignment(assignment)
            notebooks = {}
            for nb in a.notebooks:
                graded = {c.name: c.id for c in nb.grade_cells}
                graded.update({c.name: c.id for c in nb.task_cells})
                commented = {c.name: c.id for c in nb.solution_cells}
                commented.update({c.name: c.id for c in nb.task_cells})
                rows = ([(c.id, "grade") for c in nb.grade_cells] + [(c.id, "comment") for c in nb.solution_cells]
                        + [(c.id, "comment") for c in nb.task_cells] + [(c.id, "grade") for c in nb.task_cells])
                notebooks[nb.name] = (nb.id, graded, commented, rows)
            found = self._definitions[assignment] = _Definitions(a.id, a.duedate, notebooks)
            gb.db.expunge_all()
        return found

    # -- recording --------------------------------------------------------------------------------------

    def record(self, job: Job, executed) -> Result:
        """Record one result (a group of one)."""
        return self.record_many([(job, executed)])[0]

    def record_many(self, items) -> list[Result]:
        """Record ``[(job, Executed)]``, in one transaction when it can; a Result for each, in that order."""
        if not items:
            return []
        try:
            return self._record_group(items)
        except Exception as err:  # noqa: BLE001 - the group fails; each is tried on its own
            self._rollback()
            if len(items) == 1:
                job, executed = items[0]
                why = str(err) if isinstance(err, RecordingError) else f"{type(err).__name__}: {err}"
                return [Result(job.assignment, job.student, False, executed.seconds,
                               error=f"the result could not be recorded: {why}")]
            return [result for item in items for result in self.record_many([item])]

    def _rollback(self) -> None:
        if self._gradebook is not None:
            try:
                self._gradebook.db.rollback()
                self._gradebook.db.expunge_all()
            except Exception:  # noqa: BLE001 - a broken connection: open a new one next time
                self.close()

    def _record_group(self, items) -> list[Result]:
        from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook, new_uuid
        from nbgrader.utils import parse_utc
        from sqlalchemy import insert, select, update

        started = time.perf_counter()
        db = self.gradebook.db
        notebook = self.course.notebook
        plans = []
        for job, executed in items:
            plans.append(self._plan(job, executed, notebook))
        students = sorted({job.student for job, _ in items})
        known = set(db.scalars(select(Student.id).where(Student.id.in_(students))))
        if set(students) - known:
            db.execute(insert(Student), [{"id": s} for s in students if s not in known])

        by_assignment: dict[str, list] = {}
        for plan in plans:
            by_assignment.setdefault(plan["job"].assignment, []).append(plan)
        submissions = {}  # (assignment, student): SubmittedAssignment id
        new = {"submission": [], "notebook": [], "grade": [], "comment": []}
        for assignment, group in by_assignment.items():
            defs = self.definitions(assignment)
            names = [p["job"].student for p in group]
            existing = dict(db.execute(
                select(SubmittedAssignment.student_id, SubmittedAssignment.id)
                .where(SubmittedAssignment.assignment_id == defs.id, SubmittedAssignment.student_id.in_(names))).all())
            for plan in group:
                student, timestamp = plan["job"].student, plan["timestamp"]
                if student in existing:
                    submissions[(assignment, student)] = existing[student]
                    if timestamp is not None:
                        db.execute(update(SubmittedAssignment).where(SubmittedAssignment.id == existing[student])
                                   .values(timestamp=parse_utc(timestamp)))
                    continue
                # As Gradebook.add_submission: a row for every notebook, grade and comment of the assignment.
                sid = submissions[(assignment, student)] = new_uuid()
                new["submission"].append({"id": sid, "assignment_id": defs.id, "student_id": student,
                                          "timestamp": parse_utc(timestamp) if timestamp else None})
                for nb_id, _graded, _commented, rows in defs.notebooks.values():
                    snb = new_uuid()
                    new["notebook"].append({"id": snb, "notebook_id": nb_id, "assignment_id": sid})
                    for cell_id, kind in rows:
                        new[kind].append({"id": new_uuid(), "cell_id": cell_id, "notebook_id": snb})
        for table, rows in ((SubmittedAssignment, new["submission"]), (SubmittedNotebook, new["notebook"]),
                            (Grade, new["grade"]), (Comment, new["comment"])):
            if rows:  # the columns' own defaults (needs_manual_grade) fill the rest, as for nbgrader's objects
                db.execute(insert(table), rows)

        # Every row to update, found in two queries for the whole group.
        ids = list(submissions.values())
        notebooks = {(row.assignment_id, row.notebook_id): row.id for row in db.execute(
            select(SubmittedNotebook.id, SubmittedNotebook.assignment_id, SubmittedNotebook.notebook_id)
            .where(SubmittedNotebook.assignment_id.in_(ids)))}
        grades = {(row.notebook_id, row.cell_id): (row.id, row.manual_score) for row in db.execute(
            select(Grade.id, Grade.notebook_id, Grade.cell_id, Grade.manual_score)
            .where(Grade.notebook_id.in_(notebooks.values())))}
        comments = {(row.notebook_id, row.cell_id): (row.id, None) for row in db.execute(
            select(Comment.id, Comment.notebook_id, Comment.cell_id)
            .where(Comment.notebook_id.in_(notebooks.values())))}
        grade_rows, comment_rows, submitted_notebooks = [], [], {}
        for plan in plans:
            job, executed = plan["job"], plan["executed"]
            defs = self.definitions(job.assignment)
            nb_id, graded, commented, _rows = defs.notebooks[notebook]
            snb = notebooks[(submissions[(job.assignment, job.student)], nb_id)]
            submitted_notebooks[plan["key"]] = snb
            for name, auto_score in executed.grades.items():
                grade_id, manual = _row(grades, snb, graded, name, "grade", job)
                grade_rows.append({"id": grade_id, "auto_score": auto_score,
                                   "needs_manual_grade": manual is not None or auto_score is None})
            for name, auto_comment in executed.comments.items():
                comment_id, _ = _row(comments, snb, commented, name, "comment", job)
                comment_rows.append({"id": comment_id, "auto_comment": auto_comment})
        if grade_rows:
            db.execute(update(Grade), grade_rows)
        if comment_rows:
            db.execute(update(Comment), comment_rows)
        self._late_penalties(db, plans, submissions, submitted_notebooks)

        # The files before the commit: a result is recorded once its grades are, and its files exist by then.
        with ThreadPoolExecutor(max_workers=FILE_WRITERS, thread_name_prefix="coursekit-files") as pool:
            list(pool.map(self._write_files, plans))  # list(): the first error is raised here
        db.commit()
        scores = {row.id: (row.score, row.max_score) for row in db.execute(
            select(SubmittedAssignment.id, SubmittedAssignment.score, SubmittedAssignment.max_score)
            .where(SubmittedAssignment.id.in_(ids)))}
        db.expunge_all()
        share = (time.perf_counter() - started) / len(plans)
        results = []
        for plan in plans:
            job, executed = plan["job"], plan["executed"]
            score, max_score = scores[submissions[(job.assignment, job.student)]]
            results.append(Result(job.assignment, job.student, True, executed.seconds + share,
                                  score=score or 0.0, max_score=max_score or 0.0, incidents=plan["incidents"]))
        return results

    def _plan(self, job: Job, executed, notebook: str) -> dict:
        """What one result will write; raises RecordingError when it cannot be recorded."""
        if executed.notebook is None:
            raise RecordingError(executed.error or "the worker sent no notebook")
        try:
            nb = json.loads(executed.notebook)
        except ValueError as err:
            raise RecordingError(f"the worker's notebook is not JSON ({err})") from None
        incidents = nb.get("metadata", {}).get("coursekit", {}).get("incidents", [])
        folder = staged_submissions(self.course) / job.student / job.assignment
        timestamp = None
        stamp = folder / "timestamp.txt"
        if stamp.is_file():  # as CourseDirectory.get_existing_timestamp reads it
            timestamp = stamp.read_text().strip() or None
        return {"job": job, "executed": executed, "key": (job.assignment, job.student), "incidents": incidents,
                "timestamp": timestamp, "folder": folder, "notebook": notebook}

    def _late_penalties(self, db, plans, submissions, submitted_notebooks) -> None:
        """As AssignLatePenalties: None, or the plugin's penalty (at most the score) for a late notebook."""
        from nbgrader.api import SubmittedAssignment, SubmittedNotebook
        from sqlalchemy import select, update

        if self.late is None:
            return  # the course has no AssignLatePenalties stage: nbgrader leaves the penalties alone
        penalties = {snb: None for snb in submitted_notebooks.values()}
        late = {row.id: row for row in db.execute(
            select(SubmittedAssignment.id, SubmittedAssignment.timestamp, SubmittedAssignment.extension)
            .where(SubmittedAssignment.id.in_(list(submissions.values()))))}
        for plan in plans:
            job = plan["job"]
            defs = self.definitions(job.assignment)
            row = late[submissions[(job.assignment, job.student)]]
            duedate = defs.duedate + row.extension if (defs.duedate and row.extension) else defs.duedate
            if row.timestamp is None or duedate is None:
                continue
            seconds = max(0, (row.timestamp - duedate).total_seconds())
            if seconds <= 0:
                continue
            snb = submitted_notebooks[plan["key"]]
            score = db.execute(select(SubmittedNotebook.score).where(SubmittedNotebook.id == snb)).scalar_one()
            penalty = self.late.plugin_inst.late_submission_penalty(job.student, score, seconds)
            if penalty is not None:
                penalty = self.late._check_late_penalty(_Scored(score), penalty)
            penalties[snb] = penalty
        db.execute(update(SubmittedNotebook), [{"id": k, "late_submission_penalty": v} for k, v in penalties.items()])

    def _source_files(self, assignment: str) -> dict[str, bytes]:
        """``{relative path: bytes}`` of the files Autograde copies from the source folder (read once)."""
        found = self._sources.get(assignment)
        if found is None:
            source = self.course.source_dir(assignment)
            excluded = set(self.coursedir.config.Autograde.get("exclude_overwriting", {}).get(assignment, []))
            found = {}
            for filename in kept_files(str(source), self.coursedir.ignore + ["*.ipynb"]):
                relative = os.path.relpath(filename, source)
                if relative not in excluded:
                    found[relative] = Path(filename).read_bytes()
            self._sources[assignment] = found
        return found

    def _write_files(self, plan) -> None:
        """``autograded/<student>/<assignment>/`` as nbgrader's Autograde leaves it.

        The submission's files, the source folder's over them, the notebook,
        every file read-only; nothing else (nbgrader removes the folder
        first).  Files already there are rewritten in place, which spares
        removing and making folders again on a re-run.
        """
        job, folder = plan["job"], plan["folder"]
        dest = self.course.autograded_dir(job.student, job.assignment)
        files = {os.path.relpath(f, folder): f for f in kept_files(str(folder), self.coursedir.ignore + ["*.ipynb"])}
        files.update(self._source_files(job.assignment))
        files[f"{plan['notebook']}.ipynb"] = plan["executed"].notebook.encode("utf-8")
        if dest.exists():
            for dirname, dirnames, filenames in os.walk(dest, topdown=False):
                for filename in filenames:
                    path = os.path.join(dirname, filename)
                    if os.path.relpath(path, dest) not in files:
                        os.unlink(path)
                if dirname != str(dest) and not os.listdir(dirname):
                    os.rmdir(dirname)
        made = set()
        for relative, data in files.items():
            path = dest / relative
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            if isinstance(data, str):  # a file of the submission: copy it
                data = Path(data).read_bytes()
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            except PermissionError:  # a read-only file of an earlier grading
                os.chmod(path, 0o644)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(path, self.permissions)


class RecordingThread:
    """The recorder, beside the loop that hands out submissions: results queue up and are recorded in groups.

    A group is what has arrived, up to *group* results, once the first of them
    has waited *wait_s* or the group is full.  ``on_recorded(job, Result,
    attempts)`` is called in the recording thread once per result, after its
    commit.  ``close()`` records what is queued, then ends the thread.
    """

    def __init__(self, recorder: Recorder, on_recorded, group: int = 50, wait_s: float = 1.0):
        self.recorder, self.on_recorded, self.group, self.wait_s = recorder, on_recorded, group, wait_s
        self.queue: queue.Queue = queue.Queue()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="coursekit-recorder", daemon=True)
        self.thread.start()

    def put(self, job: Job, executed, attempts: int) -> None:
        if self.failure is not None:
            raise RuntimeError("the recorder stopped") from self.failure
        self.queue.put((job, executed, attempts))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.failure is not None:
            raise RuntimeError("the recorder stopped") from self.failure

    def _run(self) -> None:
        try:
            ending = False
            while not ending:
                first = self.queue.get()
                if first is None:
                    break
                items = [first]
                deadline = time.monotonic() + self.wait_s
                while len(items) < self.group:
                    try:
                        item = self.queue.get(timeout=max(deadline - time.monotonic(), 0.0))
                    except queue.Empty:
                        break
                    if item is None:
                        ending = True
                        break
                    items.append(item)
                results = self.recorder.record_many([(job, executed) for job, executed, _ in items])
                for (job, _executed, attempts), result in zip(items, results):
                    self.on_recorded(job, result, attempts)
        except BaseException as err:  # noqa: BLE001 - reported by put() and close()
            self.failure = err
        finally:
            self.recorder.close()


@dataclass
class _Scored:
    """What AssignLatePenalties._check_late_penalty reads of a notebook."""

    score: float


def _row(rows, notebook_id, cells, name, what, job):
    cell_id = cells.get(name)
    found = rows.get((notebook_id, cell_id)) if cell_id is not None else None
    if found is None:
        raise RecordingError(f"{job.student}/{job.assignment}: the gradebook has no {what} for the cell {name!r} "
                             "(was the assignment built again during the batch?)")
    return found


def _write_ahead_log() -> None:
    """Write-ahead logging for the SQLite gradebooks of this process.

    A commit writes the log only, and readers (formgrader, a report) do not
    block the recorder.  The log is flushed to disk at every commit (SQLite's
    default, synchronous=FULL): a result reported recorded stays recorded.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if event.contains(Engine, "connect", _sqlite_pragmas):
        return
    event.listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(connection, record) -> None:
    if type(connection).__module__.startswith("sqlite3"):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
