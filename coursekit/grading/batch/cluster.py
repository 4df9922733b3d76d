"""Grading workers on a Dask cluster: each Dask worker process grades in its own warm sandbox, on its own machine.

The coordinator (``run.py``) connects to the scheduler at
``c.BatchGrade.scheduler`` and registers a worker plugin, ``GradingPlugin``,
that carries the batch's bundle: the scheduler hands it to every worker that
is connected or joins later (a restarted one too), so the bundle crosses the
network once per worker.  On each worker process the plugin prepares one
grading ``Worker`` (``execute.py``) for the course at
``c.BatchGrade.worker_course_root``, with its warm sandbox, after checking
that the machine holds the coordinator's grader secret and the same course
(release, hidden checks); a worker that does not is sent nothing more.
Unregistering the plugin at the end of the batch (or closing the worker)
closes it.

Each submission is one task whose arguments are its files; the coordinator
keeps a bounded number of them on the cluster and collects the executed
notebooks, which it records in its one gradebook (``on_result``), so no
worker ever writes a grade.  A worker that dies mid-notebook (killed, out of
memory, or past ``c.BatchGrade.notebook_timeout_s``, when it ends itself)
leaves nothing written: Dask runs its task again on another worker, up to
the scheduler's ``distributed.scheduler.allowed-failures``, and a task that
killed that many workers comes back as ``KilledWorker`` and is reported as
failed.  Every submission is reported exactly once.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import signal
import threading
import time
import uuid
from collections import deque
from pathlib import Path

from distributed import Client, get_worker, wait
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.scheduler import KilledWorker

from ...course import Course
from ..verdict.secret import TrustedGrading, checks_dir, load_secret
from .bundle import Bundle
from .execute import Executed, Worker
from .local import START_TIMEOUT_S, WorkersFailed
from .options import BatchGrade
from .submissions import Job

log = logging.getLogger(__name__)

#: Seconds to reach the scheduler before giving up.
CONNECT_TIMEOUT_S = 30.0
#: Tasks on the cluster at once, per worker thread: enough to keep every worker busy, few enough that
#: the scheduler does not hold every submission's files.
TASKS_PER_THREAD = 2
#: Seconds between two looks at the cluster's workers.
LOOK_EVERY_S = 2.0


class ClusterError(WorkersFailed):
    """The Dask scheduler is out of reach."""


class WorkerSetupError(RuntimeError):
    """A Dask worker cannot grade this course (no course, no secret or another one); it is not sent more."""

    def __init__(self, worker: str, why: str):
        super().__init__(worker, why)
        self.worker, self.why = worker, why

    def __str__(self):
        return f"{self.worker}: {self.why}"


class SetupProblem(RuntimeError):
    """Why this machine cannot grade the course, in words for the instructor."""


def bundle_digest(bundle: Bundle) -> str:
    digest = hashlib.sha256(bundle.definitions)
    for assignment in sorted(bundle.sources):
        for name, data in sorted(bundle.sources[assignment].items()):
            digest.update(f"\0{assignment}\0{name}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def secret_fingerprint(course: Course) -> str:
    """Names the grader's secret without giving it away: every machine must hold the same one."""
    secret = load_secret(TrustedGrading(config=course.config), course.course_id)
    return hmac.new(secret, b"coursekit grader secret fingerprint", hashlib.sha256).hexdigest()[:16]


def course_fingerprint(course: Course) -> dict[str, str]:
    """Digests of what a worker grades with from its own copy of the course, not from the bundle, by part.

    The released notebooks (GuardLockedCells compares locked cells with them,
    and grades without comparing when they are missing), with their message
    catalogs; the hidden checks; the master's check module.  A worker at
    another commit would grade differently without a word.
    """
    parts = {
        "release/": [p for lang in course.languages
                     for p in course.release_dir(course.assignment_for(lang)).rglob("*")],
        "the hidden checks": list(checks_dir(course).rglob("*")),
        "the master's checks": list(course.master_dir.rglob("*.py")),
    }
    digests = {}
    for part, files in parts.items():
        digest = hashlib.sha256()
        for path in sorted(p for p in files if p.is_file() and not {"__pycache__", ".ipynb_checkpoints"} & set(p.parts)):
            data = path.read_bytes()
            digest.update(f"\0{path.relative_to(course.root)}\0{len(data)}\0".encode())
            digest.update(data)
        digests[part] = digest.hexdigest()[:16]
    return digests


# --------------------------------------------------------------------------
# On each Dask worker process
# --------------------------------------------------------------------------

#: {(course root, bundle digest): (bundle, {"secret": fingerprint, "course": fingerprint})}: what the plugin brought.
_OFFERED: dict = {}
#: {(course root, bundle digest): Worker, or why none can be made here}.
_GRADERS: dict = {}
_GRADERS_LOCK = threading.Lock()
#: One notebook at a time in a process: the process has one warm sandbox.
_RUNNING = threading.Lock()


def _grader(key) -> Worker:
    """This process's grading Worker for *key*, made on first use (the plugin starts making it early)."""
    with _GRADERS_LOCK:
        grader = _GRADERS.get(key)
        if grader is None:
            if key not in _OFFERED:
                raise WorkerSetupError(_address(), "the batch's grading plugin is not set up on this worker")
            bundle, expected = _OFFERED[key]
            try:
                grader = _start_grader(Path(key[0]), bundle, expected)
            except Exception as err:  # noqa: BLE001 - told to the coordinator, which sends no more here
                grader = str(err) if isinstance(err, SetupProblem) else f"{type(err).__name__}: {err}"
            _GRADERS[key] = grader
    if isinstance(grader, str):
        # A new exception each time: one raised again and again drags every earlier traceback along.
        raise WorkerSetupError(_address(), grader)
    return grader


def _start_grader(root: Path, bundle: Bundle, expected: dict) -> Worker:
    from ..sandbox.folders import remove_stale_folders

    course = Course.load(root)
    try:
        secret = secret_fingerprint(course)
    except Exception as err:  # noqa: BLE001 - SecretError above all
        raise SetupProblem(str(err)) from None
    if secret != expected["secret"]:
        raise SetupProblem("this machine's grader secret (c.TrustedGrading.secret_file) is not the coordinator's; "
                           "copy the coordinator's secret here")
    mine = course_fingerprint(course)
    differ = [part for part, digest in expected["course"].items() if mine.get(part) != digest]
    if differ:
        raise SetupProblem(f"the course at {root} is not the coordinator's: {', '.join(differ)} "
                           f"{'differs' if len(differ) == 1 else 'differ'}; check out the coordinator's commit here")
    remove_stale_folders()  # the sandbox folders of workers killed on this machine
    return Worker(root, bundle)


def _close(key) -> None:
    with _GRADERS_LOCK:
        _OFFERED.pop(key, None)
        grader = _GRADERS.pop(key, None)
    if isinstance(grader, Worker):
        # A notebook still running (its task was cancelled) ends with the sandbox; wait for it a little.
        got = _RUNNING.acquire(timeout=10)
        try:
            grader.close()
        finally:
            if got:
                _RUNNING.release()


def _address() -> str:
    try:
        return get_worker().address
    except ValueError:
        return f"pid {os.getpid()}"


def _end_this_worker(job: Job, seconds: float) -> None:
    """A notebook ran past its bound: end the process (its sandbox ends with it); Dask tries elsewhere."""
    log.error("%s/%s ran past %g s; ending this worker so that the submission is tried again",
              job.student, job.assignment, seconds)
    for handler in logging.getLogger().handlers:
        handler.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def grade(key, job: Job, files: dict[str, bytes], timeout_s: float) -> Executed:
    """The task: execute one submission on this worker's grading Worker."""
    grader = _grader(key)
    with _RUNNING:
        watchdog = threading.Timer(timeout_s, _end_this_worker, args=(job, timeout_s))
        watchdog.daemon = True
        watchdog.start()
        try:
            return grader.execute(job, files)
        finally:
            watchdog.cancel()


class GradingPlugin(WorkerPlugin):
    """Brings the bundle to a Dask worker and starts its grading Worker; closes it at teardown."""

    def __init__(self, key, bundle: Bundle, expected: dict):
        self.key, self.bundle, self.expected = key, bundle, expected

    def setup(self, worker):
        with _GRADERS_LOCK:
            _OFFERED[self.key] = (self.bundle, self.expected)
        # In a thread: the worker's event loop must keep answering while the sandbox starts.
        threading.Thread(target=self._warm_up, args=(worker.address,), name="coursekit-warm-up", daemon=True).start()

    def _warm_up(self, address):
        try:
            _grader(self.key)
        except WorkerSetupError as err:
            log.error("this worker (%s) cannot grade: %s", address, err.why)

    async def teardown(self, worker):
        await asyncio.to_thread(_close, self.key)


# --------------------------------------------------------------------------
# In the coordinator
# --------------------------------------------------------------------------

def run_on_cluster(course: Course, scheduler: str, bundle: Bundle, jobs, files_of, on_result, stop=None) -> None:
    """Execute every job on the cluster at *scheduler*; ``on_result(job, Executed, attempts)`` once per job."""
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
    # as_current: distributed.wait() finds its client there, and the caller's default client stays theirs.
    with client, client.as_current():
        ClusterBatch(client, course, bundle).run(jobs, files_of, on_result, stop)


class ClusterBatch:
    """One batch on a connected cluster: a bounded number of tasks out, each result reported once."""

    def __init__(self, client: Client, course: Course, bundle: Bundle):
        settings = BatchGrade(config=course.config)
        self.client = client
        self.timeout_s = settings.notebook_timeout_s
        root = settings.worker_course_root or str(course.root)
        self.key = (root, bundle_digest(bundle))
        expected = {"secret": secret_fingerprint(course), "course": course_fingerprint(course)}
        self.plugin = GradingPlugin(self.key, bundle, expected)
        # One name per course: a batch replaces what a previous one (even one that crashed) left on the workers.
        self.plugin_name = f"coursekit-grader-{course.course_id}"
        self.futures: dict = {}
        #: {worker address: why it cannot grade}: it is sent nothing more, if others can grade.
        self.unusable: dict[str, str] = {}
        self.workers: dict[str, int] = {}
        self.usable: list[str] = []
        self.looked = self.had_workers = time.monotonic()
        self.stopped = ""

    def run(self, jobs, files_of, on_result, stop=None) -> None:
        pending = deque(jobs)
        self.client.register_plugin(self.plugin, name=self.plugin_name)
        try:
            while (pending or self.futures) and not self.stopped:
                if stop is not None and stop.requested:
                    self.stopped = "the batch was stopped"
                    break
                self._look()
                if self.stopped:
                    break
                threads = sum(n for w, n in self.workers.items() if w in self.usable)
                while pending and len(self.futures) < max(TASKS_PER_THREAD * threads, 1):
                    job = pending.popleft()
                    self.futures[self._submit(job, files_of(job))] = job
                try:
                    done = wait(list(self.futures), timeout=1.0, return_when="FIRST_COMPLETED").done
                except TimeoutError:
                    continue
                self._collect(done, pending, on_result)
        finally:
            for future in self.futures:
                future.cancel()
            try:
                self.client.unregister_worker_plugin(self.plugin_name)
            except Exception as err:  # noqa: BLE001 - the workers close it when they close
                log.warning("could not unregister the grading plugin: %s", err)
        if self.stopped:  # every submission not graded yet is reported, with the reason
            for job in [*self.futures.values(), *pending]:
                on_result(job, Executed(None, 0.0, f"{self.stopped}; it was not graded"), 0)
        self.futures.clear()

    def _look(self) -> None:
        """Which workers are connected and which can grade (every few seconds, or when one could not)."""
        now = time.monotonic()
        if now - self.looked < LOOK_EVERY_S and self.usable:
            return
        self.looked = now
        self.workers = self.client.nthreads()
        self.usable = [w for w in self.workers if w not in self.unusable]
        if self.usable:
            self.had_workers = now
        elif self.workers:
            self.stopped = "no Dask worker can grade this course (" + "; ".join(
                f"{w}: {why}" for w, why in self.unusable.items()) + ")"
        elif now - self.had_workers > START_TIMEOUT_S:
            self.stopped = f"no Dask worker was connected to the scheduler for {START_TIMEOUT_S:g} s"

    def _submit(self, job: Job, files):
        # Loose restrictions: the workers known to grade are preferred, any worker is taken when none of them
        # is left (a restarted worker comes back under another address).
        restrictions = {"workers": self.usable, "allow_other_workers": True} if self.unusable else {}
        return self.client.submit(grade, self.key, job, files, self.timeout_s, pure=False,
                                  key=f"coursekit-grade-{job.assignment}-{job.student}-{uuid.uuid4().hex[:8]}",
                                  **restrictions)

    def _collect(self, done, pending, on_result) -> None:
        finished = [f for f in done if f.status == "finished"]
        tries = self._tries([f.key for f in finished]) if finished else {}
        for future in done:
            job = self.futures.pop(future)
            err = future.exception() if future.status == "error" else None
            if future.status == "finished":
                on_result(job, future.result(), tries.get(future.key, 1))
            elif isinstance(err, WorkerSetupError):
                if err.worker not in self.unusable:
                    log.error("Dask worker %s cannot grade: %s", err.worker, err.why)
                self.unusable[err.worker] = err.why
                self.usable = []  # look again before sending more
                pending.appendleft(job)  # it never started: not an attempt
            elif isinstance(err, KilledWorker):
                attempts = err.allowed_failures + 1
                on_result(job, Executed(None, 0.0, f"{attempts} Dask workers died while grading it (the "
                                                   "scheduler's distributed.scheduler.allowed-failures); it was "
                                                   "not graded"), attempts)
            elif err is not None:
                on_result(job, Executed(None, 0.0, f"the cluster could not grade it: {type(err).__name__}: {err}"),
                          tries.get(future.key, 1))
            else:
                on_result(job, Executed(None, 0.0, f"its task was {future.status} on the cluster; it was not "
                                                   "graded"), 1)
            future.release()

    def _tries(self, keys) -> dict:
        """{task key: the attempts it took}: one more than the workers that died while running it."""
        def suspicious(dask_scheduler, keys):
            return {k: dask_scheduler.tasks[k].suspicious + 1 for k in keys if k in dask_scheduler.tasks}

        try:
            return self.client.run_on_scheduler(suspicious, keys=keys)
        except Exception as err:  # noqa: BLE001 - a scheduler that runs no function: counts unknown
            log.debug("attempt counts unavailable: %s", err)
            return {}
