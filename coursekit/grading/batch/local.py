"""Local grading workers: processes of this machine, each with its warm sandbox, and a coordinator that
never waits without a bound.

The coordinator hands one submission at a time to each idle worker over a
pipe and waits on the pipes and on the processes themselves.  A worker that
dies, or works past ``c.BatchGrade.notebook_timeout_s``, is killed and
replaced, and its submission tried again (``c.BatchGrade.attempts`` in all);
a result that arrived is recorded once and never asked for again.  Workers
install no signal handler: they are told to stop, and killed when they do
not within a few seconds.  A killed worker's sandbox ends with it, and its
folders are removed by the next batch.

A new worker reads the batch's bundle from a private file, not from the
pipe that starts it: a process that dies while it starts (before it has
read what it was sent) would leave the coordinator blocked for ever writing
more than a pipe holds, with no timeout to end it.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import signal
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

from ..sandbox.folders import owned_folder
from ..sandbox.lifetime import end_with_parent
from .bundle import Bundle
from .execute import Executed, Worker
from .submissions import Job

#: Seconds a worker has to stop (close its sandbox) before it is killed.
STOP_GRACE_S = 10.0
#: Seconds a new worker has to start (its sandbox imports numpy and the rest) before it is killed.
START_TIMEOUT_S = 240.0
#: Workers that may end before they are ready, before the batch gives up.
MAX_FAILED_STARTS = 3


class WorkersFailed(RuntimeError):
    """The grading workers cannot start here; the message says so."""


def _serve(conn, course_root: str, bundle_file: str) -> None:
    """A worker process: execute each submission it is sent, until told to stop."""
    # Ctrl-C reaches the whole process group; the coordinator decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A coordinator that is killed takes its workers with it (their sandboxes end with them).
    end_with_parent(os.getppid(), signal.SIGKILL)
    worker = None
    try:
        with open(bundle_file, "rb") as fh:
            bundle = pickle.load(fh)  # the coordinator's own file (mode 0600), not a student's
        worker = Worker(Path(course_root), bundle)
        conn.send(("ready", os.getpid()))
        while True:
            try:
                message = conn.recv()
            except EOFError:  # the coordinator is gone
                break
            if message[0] == "stop":
                break
            _, job, files = message
            conn.send(("done", job, worker.execute(job, files)))
    finally:
        if worker is not None:
            worker.close()
        conn.close()


@dataclass
class _Slot:
    process: multiprocessing.Process
    conn: object
    ready: bool = False
    job: Job | None = None
    since: float = 0.0


class LocalWorkers:
    """N worker processes on this machine."""

    def __init__(self, course_root: Path, bundle: Bundle, count: int, *, attempts: int, timeout_s: float):
        self.course_root, self.bundle, self.count = str(course_root), bundle, count
        self.attempts, self.timeout_s = attempts, timeout_s
        self.context = multiprocessing.get_context("spawn")
        self.slots: list[_Slot] = []
        self.failed_starts = 0
        self.bundle_file: str | None = None

    def _write_bundle(self) -> None:
        # In a folder named for this process: a later batch removes it if this one is killed.
        folder = owned_folder("cnn-bundle-")
        self.bundle_file = os.path.join(folder, "bundle.pickle")
        with open(self.bundle_file, "xb") as fh:
            pickle.dump(self.bundle, fh, protocol=pickle.HIGHEST_PROTOCOL)

    def _start_one(self) -> _Slot:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(theirs, self.course_root, self.bundle_file),
                                       name="coursekit-grader", daemon=True)
        process.start()
        theirs.close()
        slot = _Slot(process, ours, since=time.monotonic())
        self.slots.append(slot)
        return slot

    def run(self, jobs, files_of, on_result, stop=None) -> None:
        """Execute every job; ``on_result(job, Executed, attempts)`` once per job that ends, in that order.

        When *stop* is requested, the workers are stopped and the jobs not done get no result.
        """
        pending = deque((job, 1) for job in jobs)
        tries = {}
        try:
            self._write_bundle()
            for _ in range(min(self.count, len(pending))):
                self._start_one()
            while (pending or any(s.job is not None for s in self.slots)) and not (stop and stop.requested):
                self._hand_out(pending, tries, files_of)
                objects = [s.conn for s in self.slots] + [s.process.sentinel for s in self.slots]
                finished = []
                for ready in wait(objects, timeout=0.5):
                    slot = next(s for s in self.slots if ready in (s.conn, s.process.sentinel))
                    if ready is slot.conn:
                        finished += self._receive(slot, tries)
                # The workers that finished get their next submission before the coordinator records:
                # recording takes a while, and a worker would wait for it.
                self._hand_out(pending, tries, files_of)
                for job, executed, attempt in finished:
                    on_result(job, executed, attempt)
                now = time.monotonic()
                for slot in list(self.slots):
                    limit = self.timeout_s if slot.ready else START_TIMEOUT_S
                    if not slot.process.is_alive() or now - slot.since > limit:
                        self._replace(slot, pending, tries, on_result)
        finally:
            self.stop()

    def _hand_out(self, pending, tries, files_of) -> None:
        """Send the next pending submission to every worker that is ready and idle."""
        for slot in self.slots:
            if slot.ready and slot.job is None and pending:
                job, attempt = pending.popleft()
                tries[job] = attempt
                slot.job, slot.since = job, time.monotonic()
                try:
                    slot.conn.send(("grade", job, files_of(job)))
                except (BrokenPipeError, OSError):
                    pass  # seen as a dead worker

    def _receive(self, slot: _Slot, tries) -> list:
        """The message of *slot*'s worker: ``[(job, Executed, attempts)]`` for a result, else ``[]``."""
        try:
            message = slot.conn.recv()
        except (EOFError, OSError):
            return []  # the worker died: its sentinel says so
        if message[0] == "ready":
            slot.ready, slot.since = True, time.monotonic()
        elif message[0] == "done" and slot.job == message[1]:
            job, slot.job = slot.job, None
            return [(job, message[2], tries[job])]
        return []

    def _replace(self, slot: _Slot, pending, tries, on_result) -> None:
        """Kill a dead or hung worker; try its submission again (or give it up); start another if needed."""
        self._kill(slot)
        self.slots.remove(slot)
        if not slot.ready:
            self.failed_starts += 1
            if self.failed_starts >= MAX_FAILED_STARTS:
                raise WorkersFailed(f"{self.failed_starts} grading workers ended before they were ready "
                                    "(see the errors above); no submission was graded by them")
        job = slot.job
        if job is not None:
            attempt = tries[job]
            if attempt < self.attempts:
                pending.appendleft((job, attempt + 1))
            else:
                why = (f"its grading worker died or ran past {self.timeout_s:g} s, {attempt} time(s); "
                       "it was not graded")
                on_result(job, Executed(None, 0.0, why), attempt)
        if pending and len(self.slots) < self.count:
            self._start_one()

    @staticmethod
    def _kill(slot: _Slot) -> None:
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(timeout=5)
        slot.conn.close()

    def stop(self) -> None:
        """Tell every worker to stop; kill those that have not after a few seconds.  Bounded."""
        for slot in self.slots:
            try:
                slot.conn.send(("stop",))
            except (BrokenPipeError, OSError):
                pass
        deadline = time.monotonic() + STOP_GRACE_S
        for slot in self.slots:
            slot.process.join(timeout=max(deadline - time.monotonic(), 0.1))
        for slot in self.slots:
            self._kill(slot)
        self.slots = []
        if self.bundle_file is not None:
            shutil.rmtree(os.path.dirname(self.bundle_file), ignore_errors=True)
            self.bundle_file = None
