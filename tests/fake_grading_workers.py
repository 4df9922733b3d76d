"""Stand-ins for the batch's worker process (coursekit.grading.batch.local._serve), for the tests of the pool.

They speak the worker's protocol (``("ready", pid)``, then ``("done", job, result)``
for each ``("grade", job, files)`` until ``("stop",)``) and import only the
standard library, so that a spawned stand-in starts in a fraction of a second.
What each does with a job depends on the student's name (``job[1]``):

    ok-*     answers at once: the result is ``(student, pid, files)``
    together-*  answers once two together-* jobs are held at once (each leaves a file <student>.held in the course root)
    dies     the process exits without answering
    hangs    never answers
    flaky    exits the first time (a marker file in the course root remembers it), answers afterwards
"""
import os
import time
from pathlib import Path


def serve(conn, course_root, bundle):
    (Path(course_root) / f"worker-{os.getpid()}").touch()
    conn.send(("ready", os.getpid()))
    while True:
        message = conn.recv()
        if message[0] == "stop":
            break
        _, job, files = message
        student = job[1]
        (Path(course_root) / f"{student}.received").write_text(repr(time.monotonic()))
        marker = Path(course_root) / f"{student}.tried"
        if student == "dies" or (student == "flaky" and not marker.exists()):
            marker.touch()
            os._exit(1)
        if student == "hangs":
            time.sleep(3600)
        if student.startswith("together"):
            # Only two workers holding a job each at the same time get past this: one worker alone waits out
            # the deadline.
            (Path(course_root) / f"{student}.held").touch()
            deadline = time.monotonic() + 60
            while len(list(Path(course_root).glob("together-*.held"))) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        conn.send(("done", job, (student, os.getpid(), files)))
    conn.close()


def never_ready(conn, course_root, bundle):
    """A worker that cannot start (its sandbox failed, say)."""
    os._exit(1)
