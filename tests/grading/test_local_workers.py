"""The batch's pool of local workers (coursekit.grading.batch.local.LocalWorkers), with stand-in workers.

The pool's own job is bookkeeping: one result per submission, a dead or hung
worker replaced and its submission tried again (c.BatchGrade.attempts in
all), no process left behind.  The workers here are the stand-ins of
``tests/fake_grading_workers.py``: no sandbox, no kernel, no nbgrader.  A job
is (assignment, student); the student's name says what its worker does.
"""
import os

import pytest

import fake_grading_workers
from coursekit.grading.batch import local
from coursekit.grading.batch.local import LocalWorkers, WorkersFailed


@pytest.fixture
def pool(tmp_path, monkeypatch):
    """Run jobs on a pool of stand-in workers; returns ``{job: (result, attempts)}`` and the calls in order."""
    monkeypatch.setattr(local, "START_TIMEOUT_S", 30.0)
    monkeypatch.setattr(local, "STOP_GRACE_S", 2.0)

    def run(students, *, workers=2, attempts=2, timeout_s=30.0, target=fake_grading_workers.serve):
        monkeypatch.setattr(local, "_serve", target)
        calls = []
        jobs = [("hw", student) for student in students]
        pool = LocalWorkers(tmp_path, None, workers, attempts=attempts, timeout_s=timeout_s)
        try:
            pool.run(jobs, lambda job: {"answers.py": job[1].encode()},
                     lambda job, result, tries: calls.append((job, result, tries)))
        finally:
            run.slots_after = list(pool.slots)
        return {job[1]: (result, tries) for job, result, tries in calls}, calls
    return run


def test_does_every_submission_get_one_result(pool):
    """Do five submissions on two workers get one result each, on the first attempt?"""
    results, calls = pool(["ok-1", "ok-2", "ok-3", "ok-4", "ok-5"])
    assert sorted(job[1] for job, _result, _tries in calls) == ["ok-1", "ok-2", "ok-3", "ok-4", "ok-5"]
    assert {tries for _result, tries in results.values()} == {1}


def test_does_a_worker_get_the_submissions_files(pool):
    """Does each worker receive what files_of() gives for its submission?"""
    results, _calls = pool(["ok-1"])
    assert results["ok-1"][0][2] == {"answers.py": b"ok-1"}


def test_does_a_worker_get_its_next_submission_before_the_last_one_is_recorded(tmp_path, monkeypatch):
    """Is a worker that sent a result sent its next submission before the coordinator records that result
    (recording takes a while; the worker would wait for it)?"""
    import time

    monkeypatch.setattr(local, "_serve", fake_grading_workers.serve)
    recorded = {}

    def record(job, result, tries):
        time.sleep(0.5)
        recorded[job[1]] = time.monotonic()

    LocalWorkers(tmp_path, None, 1, attempts=1, timeout_s=30.0).run(
        [("hw", "ok-1"), ("hw", "ok-2")], lambda job: {}, record)
    received = float((tmp_path / "ok-2.received").read_text())
    assert received < recorded["ok-1"]


def test_do_two_workers_grade_at_once(pool):
    """With two workers, are two submissions graded at the same time, one by each?"""
    results, _calls = pool(["together-1", "together-2"])
    assert len({pid for (_student, pid, _files), _tries in results.values()}) == 2


def test_is_a_submission_that_kills_its_worker_tried_again_then_given_up(pool):
    """Is a submission whose worker dies every time reported ungraded after c.BatchGrade.attempts tries?"""
    results, _calls = pool(["dies"], attempts=2)
    executed, tries = results["dies"]
    assert (executed.notebook, tries) == (None, 2)
    assert "died or ran past" in executed.error


def test_is_a_submission_graded_on_a_later_attempt(pool):
    """Is a submission whose worker died once graded by the replacement worker, on attempt 2?"""
    results, _calls = pool(["flaky"], attempts=2)
    assert results["flaky"][0][0] == "flaky" and results["flaky"][1] == 2


def test_are_the_other_submissions_graded_when_one_kills_its_worker(pool):
    """Do the submissions around one that kills its worker still get their results?"""
    results, _calls = pool(["ok-1", "dies", "ok-2", "ok-3"], attempts=1)
    assert {s: r[0] for s, (r, _t) in results.items() if s.startswith("ok-")} == {
        "ok-1": "ok-1", "ok-2": "ok-2", "ok-3": "ok-3"}


def test_is_a_hung_worker_killed_after_the_notebook_timeout(pool):
    """Is a worker that works past c.BatchGrade.notebook_timeout_s killed, and its submission given up?"""
    results, _calls = pool(["hangs", "ok-1"], attempts=1, timeout_s=1.0)
    executed, tries = results["hangs"]
    assert (executed.notebook, tries) == (None, 1)
    assert "1 s" in executed.error


def test_does_a_pool_whose_workers_cannot_start_stop(pool):
    """When workers end before they are ready, does the batch stop with WorkersFailed instead of trying forever?"""
    with pytest.raises(WorkersFailed, match="ended before they were ready"):
        pool(["ok-1", "ok-2"], target=fake_grading_workers.never_ready)


def test_is_no_worker_left_running(pool):
    """After the batch, has every worker process ended, the killed ones included?"""
    results, _calls = pool(["ok-1", "dies", "ok-2"], attempts=1)
    pids = {pid for (result, _tries) in results.values() if isinstance(result, tuple) for pid in [result[1]]}
    assert pids and pool.slots_after == []
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_does_a_worker_that_dies_as_it_starts_leave_the_coordinator_waiting(tmp_path, monkeypatch):
    """When a new worker ends before it reads anything (here: a program that exits at once), does the batch
    still stop with WorkersFailed, however large its bundle, instead of blocking on a full pipe?"""
    import threading
    from multiprocessing import spawn

    from coursekit.grading.batch.bundle import Bundle

    monkeypatch.setattr(local, "START_TIMEOUT_S", 30.0)
    monkeypatch.setattr(local, "STOP_GRACE_S", 2.0)
    executable = spawn.get_executable()
    spawn.set_executable("/bin/false")
    bundle = Bundle(os.urandom(4 * 2**20), {"hw": {"data.bin": os.urandom(2**20)}})
    raised = []

    def batch():
        pool = LocalWorkers(tmp_path, bundle, 2, attempts=1, timeout_s=30.0)
        try:
            pool.run([("hw", "ok-1"), ("hw", "ok-2")], lambda job: {}, lambda *result: None)
        except WorkersFailed as err:
            raised.append(err)

    try:
        thread = threading.Thread(target=batch, daemon=True)
        thread.start()
        thread.join(60)
    finally:
        spawn.set_executable(executable)
    assert not thread.is_alive(), "the coordinator is still waiting"
    assert raised and "ended before they were ready" in str(raised[0])
