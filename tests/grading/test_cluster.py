"""Grading on a Dask cluster into a PostgreSQL gradebook, with real servers, started as an instructor starts them.

A throwaway PostgreSQL server (``pg_server.py``) holds the gradebook of one
scratch course, the coordinator's.  The cluster is started with Dask's
command-line tools, as docs/large-class.md tells an instructor to: ``dask
scheduler``, and two ``dask worker`` commands (each a worker process behind
its nanny), run in a second copy of the course in another folder, as another
machine would hold it (a copy of the course's files at the same commit, the
grader secret copied beside it, ``create_missing_secret = False``); the
coordinator names that folder in ``c.BatchGrade.worker_course_root``.  The
same submissions are graded by plain sequential ``nbgrader autograde`` into
the SQLite gradebook of a third scratch course, with the same secret, so that
both draw the same hidden inputs and must give the same grade to every cell.
"""
from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from sqlalchemy import create_engine, text

from coursekit.grading.batch import run_batch
from coursekit.report.page import write_report
from pg_server import PostgresServer, server_programs
from scratch import ANSWERS, CORRECT_LOOPS, NOTEBOOK_NAME, ScratchCourse

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(server_programs() is None, reason="PostgreSQL's server is not installed "
                                                                     "(scripts/setup.sh installs it)")]

ASSIGNMENT = "cnn_step_by_step_en"
#: A mixed batch: correct, mistaken and hostile answers.
COMPARED = {"alice": CORRECT_LOOPS,
            "mistaken-backward": ANSWERS / "mistakes" / "conv_backward__published_stride_less.py",
            "mistaken-mask": ANSWERS / "mistakes" / "create_mask_from_window__marks_minimum.py",
            "exits-the-kernel": ANSWERS / "hostile" / "exits_the_kernel.py",
            "infinite-loop": ANSWERS / "hostile" / "infinite_loop.py"}
#: Graded while one of the two Dask workers is killed.
SURVIVORS = [f"survivor-{n}" for n in range(4)]
#: Graded while a third worker, with another grader secret, is connected.
NEIGHBOURS = [f"neighbour-{n}" for n in range(3)]
OTHER_SECRET = "COURSEKIT_TEST_SECRET"


DASK = Path(sys.executable).parent / "dask"
#: As docs/large-class.md sets them for the scheduler.
SCHEDULER_ENV = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
                 "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0"}
#: What a clone of the course holds, without the coordinator's grading state.
NOT_CLONED = shutil.ignore_patterns("gradebook.db*", "submitted", "autograded", "feedback", ".grading", "backups")


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory):
    """One grader secret for both courses: the hidden inputs, and so the grades, depend on it."""
    path = tmp_path_factory.mktemp("secret") / "grader.secret"
    path.write_text(secrets.token_hex(32))
    return path


@pytest.fixture(scope="module")
def postgres():
    with PostgresServer() as server:
        yield server


def clone(course: ScratchCourse, folder: Path, secret: Path) -> Path:
    """A copy of *course* in *folder*, as a worker machine holds it: its own secret file, copied, never made."""
    shutil.copytree(course.root, folder, ignore=NOT_CLONED)
    copied = folder.parent / f"{folder.name}.secret"
    shutil.copy2(secret, copied)
    os.chmod(copied, 0o600)
    with open(folder / "nbgrader_config.py", "a") as config:
        config.write(f'\nc.TrustedGrading.secret_file = os.environ.get("{OTHER_SECRET}", "{copied}")\n'
                     "c.TrustedGrading.create_missing_secret = False\n")
    return folder


class Processes:
    """Programs started by a test, each in a session of its own; stopped (then killed) at the end, by id."""

    def __init__(self):
        self.started: list[subprocess.Popen] = []

    def start(self, command, log: Path, **kwargs) -> subprocess.Popen:
        with open(log, "w") as out:
            process = subprocess.Popen([str(c) for c in command], stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True, **kwargs)
        self.started.append(process)
        return process

    def stop(self, process) -> None:
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(process.pid, sig)  # the process, its nanny's worker and their children
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def close(self) -> None:
        for process in reversed(self.started):
            self.stop(process)


@pytest.fixture(scope="module")
def courses(tmp_path_factory, secret_file, postgres):
    """The coordinator's course (PostgreSQL), the workers' copy of it, and plain nbgrader's course (SQLite)."""
    # A worker started with COURSEKIT_TEST_SECRET holds another secret (test_is_a_worker_that_differs_...).
    same = f'\nimport os\nc.TrustedGrading.secret_file = os.environ.get("{OTHER_SECRET}", "{secret_file}")\n'
    plain = ScratchCourse(tmp_path_factory.mktemp("plain"), ["en"], timeout=8, config=same)
    url = postgres.new_database()
    copy = tmp_path_factory.mktemp("worker-machine") / "cnn-course"
    clustered = ScratchCourse(tmp_path_factory.mktemp("clustered"), ["en"], timeout=8,
                              config=same + f'c.CourseDirectory.db_url = "{url}"\n'
                                            f'c.BatchGrade.worker_course_root = "{copy}"\n')
    assert clustered.course.db_url == url and clustered.course.sqlite_path is None
    clustered.worker_copy = clone(clustered, copy, secret_file)
    for student, path in COMPARED.items():
        plain.submit(student, path)
        clustered.submit(student, path)
    return plain, clustered


@pytest.fixture(scope="module")
def cluster(courses, tmp_path_factory):
    """`dask scheduler` and two `dask worker` commands, the workers in the workers' copy of the course."""
    from distributed import Client

    _plain, clustered = courses
    logs = tmp_path_factory.mktemp("dask-logs")
    processes = Processes()
    try:
        scheduler_file = logs / "scheduler.json"
        processes.start([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                         "--scheduler-file", scheduler_file], logs / "scheduler.log",
                        cwd=clustered.root, env={**os.environ, **SCHEDULER_ENV})
        deadline = time.monotonic() + 120
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert scheduler_file.exists(), (logs / "scheduler.log").read_text()
        address = json.loads(scheduler_file.read_text())["address"]
        for name in ("machine-a", "machine-b"):
            processes.start([DASK, "worker", address, "--nworkers", "1", "--nthreads", "1", "--name", name,
                             "--no-dashboard"], logs / f"{name}.log", cwd=clustered.worker_copy)
        with Client(address, set_as_default=False, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            client.processes, client.logs = processes, logs
            yield client
    finally:
        processes.close()


@pytest.fixture(scope="module")
def graded(courses, cluster):
    """The mixed batch graded by plain nbgrader (SQLite) and on the cluster (PostgreSQL)."""
    plain, clustered = courses
    started = time.perf_counter()
    plain.autograde()
    plain.seconds = time.perf_counter() - started
    started = time.perf_counter()
    results = run_batch(clustered.course, progress=False, students=list(COMPARED),
                        scheduler=cluster.scheduler.address)
    clustered.seconds = time.perf_counter() - started
    clustered.results = {r.student: r for r in results}
    print(f"plain nbgrader: {plain.seconds:.0f} s; two Dask workers: {clustered.seconds:.0f} s")
    return plain, clustered


def grade_rows(course) -> list:
    """Every grade row of the gradebook: (student, cell) per row, duplicates included."""
    engine = create_engine(course.course.db_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(
                "SELECT submitted_assignment.student_id, base_cell.name FROM grade "
                "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
                "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
                "JOIN base_cell ON grade.cell_id = base_cell.id"))]
    finally:
        engine.dispose()


def graded_cells(course) -> list:
    """The cells that get a grade: nbgrader's grade cells and task cells."""
    with Gradebook(course.course.db_url, course.course.course_id) as gb:
        notebook = gb.find_notebook(NOTEBOOK_NAME, ASSIGNMENT)
        return [cell.name for cell in notebook.grade_cells + notebook.task_cells]


def test_does_the_cluster_give_the_grades_of_plain_nbgrader(graded):
    """Do Dask workers, recording into PostgreSQL, give every cell the score sequential `nbgrader autograde` gives?"""
    plain, clustered = graded
    assert all(r.ok for r in clustered.results.values()), {s: r.error for s, r in clustered.results.items()}
    for student in COMPARED:
        assert clustered.scores(student) == plain.scores(student), student
    assert clustered.scores("alice") != clustered.scores("mistaken-mask")


def test_are_hostile_answers_contained_on_the_cluster(graded):
    """Did the kernel that exited and the loop that never ended cost their own cells, and leave incidents?"""
    _plain, clustered = graded
    kinds = {s: {i["kind"] for i in r.incidents} for s, r in clustered.results.items()}
    assert "kernel_died" in kinds["exits-the-kernel"]
    assert "timeout" in kinds["infinite-loop"]
    scores = clustered.scores("infinite-loop")
    assert scores["test_conv_forward"][0] == 0 and scores["test_zero_pad"][0] == scores["test_zero_pad"][1]


def test_does_the_report_read_a_postgresql_gradebook(graded, tmp_path):
    """Does `coursekit report` read every graded student of the PostgreSQL gradebook, with the same totals?"""
    plain, clustered = graded
    page = write_report(clustered.course, tmp_path).read_text()
    with open(tmp_path / "grades_by_cell.csv", newline="", encoding="utf-8") as file:
        totals = {row["student"]: float(row["total"]) for row in csv.DictReader(file)}
    assert set(COMPARED) <= set(totals)
    for student in COMPARED:
        assert totals[student] == sum(score or 0 for score, _ in plain.scores(student).values())
    assert f"of {len(totals)} submissions" in page


def test_does_a_killed_worker_lose_or_double_no_grade(graded, cluster):
    """When a Dask worker is killed mid-notebook, does every submission end with exactly one grade per cell?"""
    plain, clustered = graded
    for student in SURVIVORS:
        clustered.submit(student, CORRECT_LOOPS)
    staging = clustered.worker_copy / ".grading"  # the workers lay out submissions in their own copy
    pids = set(cluster.run(os.getpid).values())
    killed = []

    def kill_a_worker_mid_notebook():
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            # A worker lays out a submission in .grading/worker-<pid>-*/<student>/ while it grades it.
            busy = [p for p in staging.glob("worker-*/survivor-*") if int(p.parent.name.split("-")[1]) in pids]
            if busy:
                time.sleep(1.0)  # well inside the notebook: its kernel is running cells
                if busy[0].exists():  # still grading the same submission
                    pid = int(busy[0].parent.name.split("-")[1])
                    os.kill(pid, signal.SIGKILL)
                    killed.append((pid, busy[0].name))
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker_mid_notebook)
    killer.start()
    results = {r.student: r for r in run_batch(clustered.course, progress=False, students=SURVIVORS,
                                               scheduler=cluster.scheduler.address)}
    killer.join()
    assert killed, "no worker was caught grading"
    assert sorted(results) == SURVIVORS
    assert all(r.ok for r in results.values()), {s: r.error for s, r in results.items()}
    assert results[killed[0][1]].attempts == 2
    rows = grade_rows(clustered)
    cells = graded_cells(clustered)
    for student in SURVIVORS:
        mine = [cell for who, cell in rows if who == student]
        assert sorted(mine) == sorted(cells), student  # each cell once: none missing, none twice
        assert clustered.scores(student) == plain.scores("alice"), student
    cluster.wait_for_workers(2, timeout=120)  # the nanny restarted the killed one


def test_is_a_rerun_idempotent_and_a_manual_grade_kept(graded, cluster):
    """Does grading again on the cluster change no score, add no grade row, and keep a grade entered by hand?"""
    _plain, clustered = graded
    students = ["alice", "mistaken-mask"]
    before = {s: clustered.scores(s) for s in students}
    rows = sorted(grade_rows(clustered))
    with Gradebook(clustered.course.db_url, clustered.course.course_id) as gb:
        grade = gb.find_grade("test_create_mask_from_window", NOTEBOOK_NAME, ASSIGNMENT, "mistaken-mask")
        grade.manual_score = 3
        gb.db.commit()
    results = run_batch(clustered.course, progress=False, students=students, scheduler=cluster.scheduler.address)
    assert all(r.ok for r in results)
    with Gradebook(clustered.course.db_url, clustered.course.course_id) as gb:
        grade = gb.find_grade("test_create_mask_from_window", NOTEBOOK_NAME, ASSIGNMENT, "mistaken-mask")
        assert grade.manual_score == 3 and grade.score == 3
    cell = before["mistaken-mask"]["test_create_mask_from_window"]
    before["mistaken-mask"]["test_create_mask_from_window"] = (3, cell[1])
    assert {s: clustered.scores(s) for s in students} == before
    assert sorted(grade_rows(clustered)) == rows


def differing_copy(clustered, folder: Path, change) -> Path:
    """Another copy of the workers' course, changed by *change*: a machine at another commit."""
    shutil.copytree(clustered.worker_copy, folder)
    change(folder)
    return folder


def _edit_hidden_check(folder: Path) -> None:
    check = sorted((folder / "hidden_checks").glob("*.py"))[-1]
    check.write_text(check.read_text() + "\n# another version of this check\n")


def _edit_release(folder: Path) -> None:
    notebook = next((folder / "release").rglob("*.ipynb"))
    notebook.write_text(notebook.read_text() + "\n")


def test_is_a_worker_that_differs_sent_nothing(graded, cluster, tmp_path):
    """Is a worker whose secret, hidden checks or release differ refused, saying which, while the others grade?

    A worker machine holds its copy of the course at the path the coordinator
    names; on this one machine, a differing copy is put at that path for its
    worker only, with bubblewrap (a mount seen by that process alone).
    """
    plain, clustered = graded
    for student in NEIGHBOURS:
        clustered.submit(student, CORRECT_LOOPS)
    other = tmp_path / "other.secret"
    other.write_text(secrets.token_hex(32))
    copy = clustered.worker_copy
    address = cluster.scheduler.address
    worker = [DASK, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--name"]
    strangers = {
        "other-secret": ([*worker, "other-secret"], {OTHER_SECRET: str(other)},
                         "grader secret (c.TrustedGrading.secret_file) is not the coordinator's"),
        "other-hidden-checks": (["bwrap", "--dev-bind", "/", "/", "--bind",
                                 differing_copy(clustered, tmp_path / "hidden", _edit_hidden_check), copy,
                                 "--chdir", copy, "--die-with-parent", "--", *worker, "other-hidden-checks"], {},
                                "is not the coordinator's: the hidden checks differs"),
        "other-release": (["bwrap", "--dev-bind", "/", "/", "--bind",
                           differing_copy(clustered, tmp_path / "release", _edit_release), copy,
                           "--chdir", copy, "--die-with-parent", "--", *worker, "other-release"], {},
                          "is not the coordinator's: release/ differs"),
    }
    started = []
    try:
        for name, (command, env, _message) in strangers.items():
            started.append(cluster.processes.start(command, tmp_path / f"{name}.log", cwd=copy,
                                                   env={**os.environ, **env}))
        cluster.wait_for_workers(2 + len(strangers), timeout=120)
        results = run_batch(clustered.course, progress=False, students=NEIGHBOURS, scheduler=address)
    finally:
        for process in started:
            cluster.processes.stop(process)
    assert sorted(r.student for r in results) == NEIGHBOURS
    assert all(r.ok for r in results), {r.student: r.error for r in results}
    for student in NEIGHBOURS:
        assert clustered.scores(student) == plain.scores("alice"), student
    for name, (_command, _env, message) in strangers.items():
        assert message in (tmp_path / f"{name}.log").read_text(), name
