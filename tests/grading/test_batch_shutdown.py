"""Batch grading always ends, and leaves no process, folder or stray grade behind.

Each test runs with a temp folder of its own (``TMPDIR``), so that what its
batches start can be told from anything else on the machine: a worker and a
cold kernel's launcher carry that folder in their environment, a sandbox's
bubblewrap on its command line, and a sandbox's zygote and kernels live in its
pid namespace, which ends with bubblewrap.  The sandboxes' own folders
(``cnn-warm-<pid>-*``, ``cnn-sandbox-<pid>-*``) are made in it.
"""
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest
from nbgrader.api import Gradebook

from coursekit.grading.batch import run_batch
from coursekit.grading.sandbox.folders import OWNED, PREFIXES, process_exists, remove_stale_folders
from coursekit.grading.sandbox.warm import SHORT_BASES
from scratch import ANSWERS, CORRECT_LOOPS, NOTEBOOK_NAME, ScratchCourse, assignment_for

#: Seconds within which a batch, or what a stopped batch leaves, must end.
BOUND = 120
ZYGOTE = "coursekit.grading.sandbox.zygote"

# A worker with a warm sandbox gets SIGTERM at the worst moment: while its close holds the lock of the
# Event it waits on, which the sandbox's own thread takes too.  No handler may wait for that lock.
CLOSE_INTERRUPTED = r'''
import os, signal, sys, threading, time
from coursekit.grading.sandbox import warm_kernels
from coursekit.grading.sandbox.facts import SandboxFacts


class SignalledWhileHeld(threading.Event):
    signalled = False

    def wait(self, timeout=None):
        with self._cond:
            if not self.signalled:
                self.signalled = True
                os.kill(os.getpid(), signal.SIGTERM)  # delivered here, under the lock
        return super().wait(timeout)


box = warm_kernels.sandbox_for(SandboxFacts())
box.imports = ()  # a zygote that imports nothing is ready at once
box.ensure_ready()
box._exited = SignalledWhileHeld()
print(box.base, box.proc.pid, flush=True)
warm_kernels.close_all()  # as a worker's end does
time.sleep(60)
sys.exit(3)  # the SIGTERM did not end it
'''

# A batch in a process of its own, to be stopped from outside.
BATCH = ("import sys; from coursekit.course import Course; from coursekit.grading.batch import run_batch; "
         "run_batch(Course.load(sys.argv[1]), workers=2, progress=False, students=sys.argv[2:])")

STUDENTS = {"alice": CORRECT_LOOPS,
            "mistaken": ANSWERS / "mistakes" / "pool_backward__ignores_stride.py"}


def leftovers(tmp: Path) -> list:
    """Processes started for *tmp* that are still there (see the module's docstring)."""
    found = []
    for p in psutil.process_iter(["cmdline", "environ", "status"]):
        if p.pid == os.getpid() or p.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        cmdline = " ".join(p.info["cmdline"] or [])
        if "multiprocessing.resource_tracker" in cmdline:  # the test process's own
            continue
        if str(tmp) in cmdline or (p.info["environ"] or {}).get("TMPDIR") == str(tmp):
            found.append(f"{p.pid}: {cmdline[:150]}")
    return found


def sandbox_folders(tmp: Path) -> list:
    """Sandbox folders in *tmp*, and those whose process is gone in the short folders for socket links
    (used when *tmp* is too deep for socket paths)."""
    found = [p.name for p in tmp.iterdir() if p.name.startswith(PREFIXES)]
    for base in SHORT_BASES:
        try:
            entries = list(Path(base).iterdir())
        except OSError:
            continue
        found += [str(p) for p in entries if (m := OWNED.fullmatch(p.name)) and p.stat().st_uid == os.geteuid()
                  and not process_exists(int(m.group(1)))]
    return sorted(found)


def left_behind(tmp: Path, seconds: float = 30) -> list:
    """What is still there after *seconds* (the end of a killed process is not instant)."""
    deadline = time.monotonic() + seconds
    while (left := leftovers(tmp) + sandbox_folders(tmp)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def kernel_running(pid: int) -> bool:
    """Is a kernel running under *pid*, that is, has a warm sandbox's zygote a child?"""
    try:
        below = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return False
    for p in below:
        try:
            if ZYGOTE in " ".join(p.cmdline()) and p.children():
                return True
        except psutil.Error:
            pass
    return False


def wait_for(condition, seconds: float = BOUND) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {condition.__doc__}"
        time.sleep(0.05)


def gradebook(course) -> dict:
    """``{student: {grade_id: score}}``, checking that each graded cell has exactly one grade."""
    assignment = assignment_for("en")
    out = {}
    with Gradebook(course.course.db_url, course.course.course_id) as gb:
        notebook = gb.find_notebook(NOTEBOOK_NAME, assignment)
        cells = sorted(c.name for c in [*notebook.grade_cells, *notebook.task_cells])
        for student in STUDENTS:
            grades = gb.find_submission_notebook(NOTEBOOK_NAME, assignment, student).grades
            assert sorted(g.name for g in grades) == cells, student
            autograded = [g for g in grades if getattr(g.cell, "cell_type", None) == "code"]
            assert autograded and all(g.auto_score is not None for g in autograded), student
            out[student] = {g.name: g.score for g in grades}
    return out


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


@pytest.mark.slow
def test_does_a_sigterm_during_a_sandbox_close_end_the_worker(private_tmp):
    """Does a worker that gets SIGTERM while it closes its sandbox end at once, its sandbox with it, and is
    its folder swept by the next batch?"""
    child = subprocess.Popen([sys.executable, "-c", CLOSE_INTERRUPTED], stdout=subprocess.PIPE, text=True)
    started = time.monotonic()
    try:
        code = child.wait(timeout=BOUND)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        pytest.fail(f"deadlock: the worker was still there {BOUND} s after SIGTERM")
    base, bwrap = child.stdout.read().split()
    assert code == -signal.SIGTERM
    assert time.monotonic() - started < 30
    wait_for(lambda: not psutil.pid_exists(int(bwrap)), 30)
    assert remove_stale_folders(private_tmp) == [base] or not Path(base).exists()
    assert left_behind(private_tmp) == []


def test_are_the_folders_of_killed_graders_swept(tmp_path):
    """Does the sweep remove the folders of a gone process, and keep those of a live one and all others?"""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    for name in (f"cnn-warm-{gone.pid}-x", f"cnn-sandbox-{gone.pid}-y", f"worker-{gone.pid}-z",
                 f"cnn-warm-{os.getpid()}-live", "cnn-warm-nopid", "other"):
        (tmp_path / name).mkdir()
    removed = remove_stale_folders(tmp_path)
    assert sorted(Path(p).name for p in removed) == sorted(
        [f"cnn-warm-{gone.pid}-x", f"cnn-sandbox-{gone.pid}-y", f"worker-{gone.pid}-z"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"cnn-warm-{os.getpid()}-live", "cnn-warm-nopid",
                                                                "other"])


@pytest.mark.slow
@pytest.mark.timeout(1500)  # 35 batches: minutes on an idle 2-core machine, twice that on a busy one
def test_do_batches_always_end_and_leave_nothing_behind(tmp_path_factory, private_tmp):
    """Do 30 small batches, and batches stopped while they grade, end in bounded time with nothing left?

    Stopped: SIGTERM or SIGINT to the process running the batch, SIGKILL to one
    of its workers.  Every graded cell keeps exactly one grade, and a batch
    after a stopped one gives the same scores as all the others.
    """
    course = ScratchCourse(tmp_path_factory.mktemp("soak"), ["en"], config=(
        f"\nc.TrustedGrading.secret_file = {str(tmp_path_factory.mktemp('secret') / 'grader.secret')!r}\n"))
    for student, answers in STUDENTS.items():
        course.submit(student, answers)

    def batch():
        started = time.monotonic()
        results = run_batch(course.course, workers=2, progress=False, students=list(STUDENTS))
        assert time.monotonic() - started < BOUND
        assert sorted(r.student for r in results) == sorted(STUDENTS)
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        assert left_behind(private_tmp) == []
        return gradebook(course)

    reference = batch()
    assert reference["alice"] != reference["mistaken"]  # the two are graded apart
    for _ in range(29):
        assert batch() == reference

    for signum in (signal.SIGTERM, signal.SIGINT):
        child = subprocess.Popen([sys.executable, "-c", BATCH, str(course.root), *STUDENTS],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: kernel_running(child.pid))
            child.send_signal(signum)
            child.wait(timeout=BOUND)
        finally:
            if child.poll() is None:
                child.kill()
        assert left_behind(private_tmp, BOUND) == [], signal.Signals(signum).name
        assert gradebook(course) == reference  # what it had not finished kept its grades
        assert batch() == reference

    killed = []

    def kill_a_grading_worker():
        def busy_worker():
            """a worker of this process runs a kernel"""
            for p in psutil.Process().children():
                try:
                    if "multiprocessing" in " ".join(p.cmdline()) and kernel_running(p.pid):
                        return p
                except psutil.Error:
                    pass
        wait_for(busy_worker)
        worker = busy_worker()
        worker.send_signal(signal.SIGKILL)
        killed.append(worker.pid)

    killer = threading.Thread(target=kill_a_grading_worker)
    killer.start()
    try:
        assert batch() == reference  # its submission went to a new worker
    finally:
        killer.join()
    assert killed and not psutil.pid_exists(killed[0])
