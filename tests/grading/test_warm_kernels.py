"""The warm sandbox (coursekit.grading.sandbox.warm, warm_kernels): what only warm kernels do.

What a submission can and cannot do is tested for warm and cold kernels alike
in ``test_sandbox_restrictions.py``.  Here: each kernel is forked by the
course's one warm sandbox, one after the other, so these tests show what one
child leaves for the next (nothing), that a dead child does not take the
sandbox with it, and that a child cannot point the grader at a socket of the
host.  The last test grades real submissions of a scratch copy of the course
with warm kernels and with plain ``nbgrader autograde``, and compares the
scores.  The throwaway course is described in ``tests/sandbox_course.py``.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import DeadKernelError

from coursekit.course import Course
from coursekit.grading.sandbox.options import KERNEL_NAME
from coursekit.grading.sandbox.warm import LINK_SUFFIX, SOCKET_PATH_MAX, SUBMISSION_DIR
from coursekit.grading.sandbox.warm_kernels import WarmKernelManager, WarmProvisioner, sandbox_for
from kernel_cells import notebook
from sandbox_course import ATTEMPT, SandboxedKernels, alice, bob, make_course
from scratch import ANSWERS, CORRECT_LOOPS, ScratchCourse

pytestmark = [pytest.mark.slow]
WARM = SandboxedKernels("warm")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("warm") / "course")
    yield root
    sandbox_for(WARM.facts_for(alice(root))).close()


def test_does_each_kernel_come_from_the_one_warm_sandbox(course):
    """Is each kernel forked by the course's warm sandbox, which keeps running after it?"""
    box = sandbox_for(WARM.facts_for(alice(course)))
    WARM.run(alice(course), "print(1)")
    spawned, starts = box.spawned, box.starts
    [out] = WARM.run(alice(course), "import json, os; print(json.dumps(os.getcwd()))")
    assert out == SUBMISSION_DIR
    assert (box.spawned, box.starts) == (spawned + 1, starts)
    assert box.running


def test_does_a_kernel_see_only_the_files_of_its_own_submission(course):
    """After bob's kernel, does alice's see her files only (the submission folder is refilled for each kernel)?"""
    [bobs] = WARM.run(bob(course), "import json, os; print(json.dumps(os.listdir('.')))")
    [alices] = WARM.run(alice(course), "import json, os; print(json.dumps(sorted(os.listdir('.'))))")
    assert bobs == ["other.txt"]
    assert alices == sorted(p.name for p in alice(course).iterdir())


def test_does_a_warm_kernel_run_in_its_own_session(course):
    """Does a warm kernel lead its own session, so that an interrupt reaches it and its children only?"""
    [out] = WARM.run(alice(course), "import json, os; print(json.dumps(os.getsid(0) == os.getpid()))")
    assert out is True


def test_is_a_kernel_that_calls_os_exit_dead_and_the_next_one_fresh(course):
    """Does os._exit in a cell count as a dead kernel, and does the next submission get a working one?"""
    box = sandbox_for(WARM.facts_for(alice(course)))
    WARM.run(alice(course), "print(1)")
    starts = box.starts
    with pytest.raises(DeadKernelError):
        WARM.execute(notebook("import os; os._exit(3)", "print('never')"), alice(course))
    [out] = WARM.run(alice(course), "import json, os; print(json.dumps({'pid': os.getpid()}))")
    assert out["pid"] > 2
    assert box.starts == starts  # the same sandbox: only the child died


def test_does_a_warm_kernel_start_when_the_temp_folder_is_too_deep_for_socket_paths(
        tmp_path_factory, monkeypatch):
    """With a TMPDIR too deep for a Unix socket's path, do the kernel's socket links go to a short
    private folder, which the sandbox's close removes?"""
    deep = tmp_path_factory.mktemp("deep") / ("t" * 70)
    deep.mkdir()
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr(tempfile, "tempdir", None)
    root = make_course(tmp_path_factory.mktemp("deep-course") / "course")
    box = sandbox_for(WARM.facts_for(alice(root)))
    try:
        [out] = WARM.run(alice(root), "import json; print(json.dumps(6 * 7))")
        assert out == 42
        assert box.base.parent == deep
        links = box.links_base
        assert links is not None and links.parent != deep
        assert len(str(links)) + LINK_SUFFIX <= SOCKET_PATH_MAX
    finally:
        box.close()
    assert not links.exists()
    # Only the facts this process hands its kernels stay there, for the process's life.
    assert [p for p in deep.iterdir() if not p.name.startswith(f"cnn-facts-{os.getpid()}-")] == []


def test_is_a_daemon_left_by_one_kernel_gone_before_the_next_runs(course):
    """Is a daemon started by one kernel gone, with everything it wrote, before the next kernel runs?"""
    [before] = WARM.run(alice(course), ATTEMPT + """
import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
os.makedirs(os.path.expanduser("~/private"))
for path in ("/tmp/secret", os.path.expanduser("~/private/secret"), "/run/kernel/secret"):
    open(path, "w").write("child 1")
attempt(lambda: open("/dev/shm/secret", "w").write("child 1"))  # where writable
shm = libc.shmget(0x5EC2E7, 4096, 0o1000 | 0o666)  # IPC_CREAT
queue = libc.mq_open(b"/leftover", os.O_CREAT | os.O_RDWR, 0o600, None)
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:  # the daemon: reparented to the sandbox's init
        while True:
            with open("/tmp/daemon.log", "a") as fh:
                fh.write("alive\\n")
            time.sleep(0.02)
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.3)
print(json.dumps({"shm": shm, "queue": queue, "daemon": os.path.exists("/tmp/daemon.log"),
                  "processes": len([p for p in os.listdir("/proc") if p.isdigit()])}))
""")
    assert before["shm"] >= 0 and before["daemon"]
    assert before["queue"] == -1  # no POSIX message queues (they would outlive the child)
    assert before["processes"] == 4  # init, zygote, kernel, daemon
    [after] = WARM.run(alice(course), """
        import ctypes, json, os, time
        libc = ctypes.CDLL(None, use_errno=True)
        time.sleep(0.3)  # a live daemon would have written again by now
        print(json.dumps({
            "tmp": sorted(os.listdir("/tmp")), "home": sorted(os.listdir(os.path.expanduser("~"))),
            "dev_shm": os.listdir("/dev/shm"), "run_kernel": sorted(os.listdir("/run/kernel")),
            "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
            "me": [os.getppid(), os.getpid()],
            "shm": libc.shmget(0x5EC2E7, 0, 0), "sysv": open("/proc/sysvipc/shm").read().count("\\n"),
        }))
    """)
    assert "secret" not in after["tmp"] and "daemon.log" not in after["tmp"]
    assert "private" not in after["home"]
    assert after["dev_shm"] == []
    assert "secret" not in after["run_kernel"]
    assert after["pids"] == sorted([1, *after["me"]])  # init, zygote, this kernel: nothing else
    assert after["shm"] == -1 and after["sysv"] == 1  # the header line only


def test_can_a_submission_point_the_grader_at_a_socket_of_the_host(course):
    """When a kernel swaps its sockets for symlinks to a host socket and dies, does the grader reconnect there?"""
    host_path = Path(tempfile.gettempdir()) / f"cnn-warm-test-{uuid.uuid4().hex[:8]}.sock"
    host = socket.socket(socket.AF_UNIX)
    host.bind(str(host_path))
    host.listen()
    host.setblocking(False)

    async def scenario():
        km = WarmKernelManager(kernel_name=KERNEL_NAME)
        await km.start_kernel(cwd=str(alice(course)), extra_arguments=WARM._options(alice(course))["extra_arguments"])
        assert isinstance(km.provisioner, WarmProvisioner)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            kc.execute(textwrap.dedent(f"""
                import os, time
                for n in range(1, 6):
                    os.unlink(f"/run/kernel/k-{{n}}")
                    os.symlink({str(host_path)!r}, f"/run/kernel/k-{{n}}")
                time.sleep(0.2)
                os._exit(0)
            """))
            deadline = time.monotonic() + 20
            while await km.is_alive() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            dead = not await km.is_alive()
            await asyncio.sleep(1.5)  # the client's ZMQ sockets keep reconnecting meanwhile
            return dead
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    try:
        dead = asyncio.run(scenario())
        with pytest.raises(BlockingIOError):
            host.accept()
    finally:
        host.close()
        host_path.unlink()
    assert dead


# --------------------------------------------------------------------------
# Real grading: identical grades
# --------------------------------------------------------------------------

#: Graded both ways.  The witness is alice's answers with a zero_pad that prints
#: the kernel's folder, which shows which kind of kernel graded it.
COMPARED = {"alice": CORRECT_LOOPS,
            "mistaken-stride": ANSWERS / "mistakes" / "conv_forward__ignores_stride.py",
            "mistaken-mask": ANSWERS / "mistakes" / "pool_backward__mask_in_average_mode.py",
            "dies": ANSWERS / "hostile" / "exits_the_kernel.py"}
WITNESS = f'''BASED_ON = {str(CORRECT_LOOPS)!r}
import numpy as np


def zero_pad(X, pad):
    import os
    print("kernel folder:", os.getcwd())
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=0)
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A scratch copy of the course, built for English; tests copy it."""
    return ScratchCourse(tmp_path_factory.mktemp("warm-built"), ["en"], timeout=8)


def copy_course(built, target: Path) -> ScratchCourse:
    shutil.copytree(built.root, target, symlinks=True)
    course = ScratchCourse.__new__(ScratchCourse)
    course.course = Course.load(target)
    return course


def all_scores(course, students) -> dict:
    return {student: course.scores(student) for student in students}


def kernel_folders(course, student) -> set:
    nb = nbformat.read(course.autograded_notebook(student), as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    return {line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.startswith("kernel folder:")}


def test_are_grades_identical_with_warm_kernels_and_plain_nbgrader(built, tmp_path):
    """Do warm kernels (coursekit grade) give the per-cell scores of plain sequential nbgrader autograde?"""
    course = copy_course(built, tmp_path / "course")
    witness = tmp_path / "witness.py"
    witness.write_text(WITNESS)
    students = {**COMPARED, "witness": witness}
    for student, path in students.items():
        course.submit(student, path)

    course.autograde()  # plain nbgrader, cold cnn-sandbox kernels
    plain = all_scores(course, students)
    plain_folders = kernel_folders(course, "witness")

    results = course.grade(workers=2)
    batch = all_scores(course, students)
    batch_folders = kernel_folders(course, "witness")

    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert plain_folders == {str(course.course.autograded_dir("witness", course.course.assignment_for("en")))}
    assert batch_folders == {SUBMISSION_DIR}  # warm kernels did grade the batch
    assert batch == plain
    assert plain["alice"] != plain["mistaken-stride"] != plain["dies"]  # the scores do differ
    died = [r for r in results if r.student == "dies"][0]
    assert any(i["kind"] == "kernel_died" for i in died.incidents)
