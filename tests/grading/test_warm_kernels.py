"""Tests of the warm sandboxed kernels (coursekit.warm_kernels).

Most tests build a throwaway course in a temporary folder (nbgrader_config.py
with ``c.SandboxKernel.memory_limit_mb = 512``, ``source/secret.txt``,
``gradebook.db``, alice's and bob's folders under ``autograded/`` and
``submitted/``) and run small notebooks with nbclient on
:class:`WarmKernelManager`, with the working folder
``autograded/<student>/hw`` as nbgrader's autograde gives it.  All kernels of
one course come from the same warm sandbox, one after the other, so the
tests also show what one child leaves (nothing) for the next.

Cells print one JSON line, which the tests read back.  The last test grades
real submissions of a scratch copy of the course, with warm kernels and with
plain ``nbgrader autograde``, and compares the scores.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import DeadKernelError

from coursekit import warm_kernels as wk
from coursekit.grading.batch import run_batch
from coursekit.sandbox_kernel import KERNEL_NAME
import kernel_cells
from kernel_cells import notebook, printed
from scratch import ANSWERS, CORRECT_LOOPS, ScratchCourse

SECRET = "the model solution"
GRADES = "alice,100\n"

# Returns the name of the exception an action raises, or "ok".
ATTEMPT = """
import errno, json, os
def attempt(action):
    try:
        action()
        return "ok"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, type(exc).__name__)
    except Exception as exc:
        return type(exc).__name__
"""


def make_course(root: Path, **options) -> Path:
    """A course folder; *options* are extra ``c.SandboxKernel`` settings."""
    (root / "source" / "hw").mkdir(parents=True)
    (root / "source" / "secret.txt").write_text(SECRET)
    (root / "gradebook.db").write_text(GRADES)
    for tree in ("autograded", "submitted"):
        (root / tree / "bob" / "hw").mkdir(parents=True)
        (root / tree / "bob" / "hw" / "other.txt").write_text("bob's answers")
    hw = root / "autograded" / "alice" / "hw"
    (hw / "data").mkdir(parents=True)
    (hw / "data" / "values.txt").write_text("alice's data")
    (hw / "LANGUAGE").write_text("en\n")
    (hw / "hw.ipynb").write_text("{}")  # the notebook being graded: never shown to the kernel
    os.symlink(root / "source" / "secret.txt", hw / "shortcut")  # planted by a student
    lines = ["c = get_config()  # noqa", "c.SandboxKernel.memory_limit_mb = 512"]
    lines += [f"c.SandboxKernel.{key} = {value!r}" for key, value in options.items()]
    (root / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    for folder in [root, *root.rglob("*")]:
        if folder.is_dir() and not folder.is_symlink():
            folder.chmod(0o755)
    return root


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.delenv("COURSEKIT_COURSE_ROOT", raising=False)
    root = make_course(tmp_path_factory.mktemp("warm") / "course")
    yield root
    wk.sandbox_for(root).close()
    patch.undo()


def folder(root: Path, student: str = "alice") -> Path:
    return root / "autograded" / student / "hw"


KERNEL = {"kernel_name": KERNEL_NAME, "kernel_manager_class": wk.WarmKernelManager}


def execute(nb, cwd: Path, timeout: int = 60, **options):
    return kernel_cells.execute(nb, cwd, timeout, **KERNEL, **options)


def run(cwd: Path, *sources: str, **options) -> list:
    return kernel_cells.run(cwd, *sources, **KERNEL, **options)


# --------------------------------------------------------------------------
# What a warm kernel can and cannot do
# --------------------------------------------------------------------------

def test_does_a_warm_kernel_run_numpy_and_read_its_own_files(course):
    """Does a warm kernel compute with numpy, h5py and matplotlib, and read its own assignment files?"""
    box = wk.sandbox_for(course)
    spawned = box.spawned
    [out] = run(folder(course), ATTEMPT + """
import numpy as np, h5py
import matplotlib.pyplot as plt
x = np.arange(12.0).reshape(3, 4)
with h5py.File("/tmp/t.h5", "w") as f:
    f["x"] = x
with h5py.File("/tmp/t.h5") as f:
    back = f["x"][()]
plt.plot([1, 2, 3]); plt.savefig("/tmp/fig.png")
big = np.random.rand(800, 800)  # large enough for BLAS to use its threads after the fork
print(json.dumps({"sum": float((x @ x.T).sum()), "h5": back.tolist() == x.tolist(),
                  "blas": bool(np.allclose((big @ np.eye(800)), big)),
                  "png": os.path.getsize("/tmp/fig.png") > 0, "cwd": os.getcwd(),
                  "data": open("data/values.txt").read(),
                  "language": open("LANGUAGE").read(), "listing": sorted(os.listdir(".")),
                  "notebook": attempt(lambda: open("hw.ipynb").read()),
                  "env": [os.environ[k] for k in ("HOME", "MPLCONFIGDIR", "TMPDIR")],
                  "backend": plt.get_backend()}))
""")
    assert out["sum"] == 1134.0 and out["h5"] and out["png"] and out["blas"]
    assert out["cwd"] == wk.SUBMISSION_DIR
    assert out["data"] == "alice's data" and out["language"] == "en\n"
    # Copies of the assignment files; the notebook only as an empty, unreadable
    # placeholder, as the cold sandbox shows it.
    assert out["listing"] == ["LANGUAGE", "data", "hw.ipynb", "shortcut"]
    assert out["notebook"] == "EACCES"
    assert all(path.startswith("/tmp") for path in out["env"])
    assert out["backend"] == "module://matplotlib_inline.backend_inline"  # as in a cold kernel
    assert box.spawned == spawned + 1 and box.running


def test_can_a_warm_kernel_read_source_another_student_or_the_gradebook(course):
    """Can a warm kernel read source/, bob's folders, gradebook.db, or follow a planted symlink to them?"""
    [bob] = run(folder(course, "bob"), "import json, os; print(json.dumps(os.listdir('.')))")
    assert bob == ["other.txt"]  # bob's kernel ran just before alice's
    [out] = run(folder(course), ATTEMPT + f"""
print(json.dumps({{
    "source": attempt(lambda: open({str(course / "source/secret.txt")!r}).read()),
    "listdir_source": attempt(lambda: os.listdir({str(course / "source")!r})),
    "gradebook": attempt(lambda: open({str(course / "gradebook.db")!r}).read()),
    "bob_autograded": attempt(lambda: open({str(folder(course, "bob") / "other.txt")!r}).read()),
    "bob_submitted": attempt(lambda: open({str(course / "submitted/bob/hw/other.txt")!r}).read()),
    "bob_relative": attempt(lambda: open("../../bob/hw/other.txt").read()),
    "symlink": attempt(lambda: open("shortcut").read()),
    "course_root": attempt(lambda: os.listdir({str(course)!r})),
    "listing": sorted(os.listdir(".")),
}}))
""")
    assert out == {"source": "ENOENT", "listdir_source": "ENOENT", "gradebook": "ENOENT",
                   "bob_autograded": "ENOENT", "bob_submitted": "ENOENT", "bob_relative": "ENOENT",
                   "symlink": "ENOENT", "course_root": "ENOENT",
                   "listing": ["LANGUAGE", "data", "hw.ipynb", "shortcut"]}


def test_can_a_warm_kernel_write_outside_its_scratch(course):
    """Can a warm kernel write anywhere but /tmp (its scratch) and its socket folder?"""
    targets = {"cwd": "new.txt", "own_file": "LANGUAGE", "root": "/x", "etc": "/etc/x",
               "usr": "/usr/x", "venv": os.path.join(sys.prefix, "x"), "run": "/run/x",
               "submission": wk.SUBMISSION_DIR + "/x", "dev": "/dev/x", "var": "/var/x",
               "gradebook": str(course / "gradebook.db")}
    [out] = run(folder(course), ATTEMPT + f"""
targets = {targets!r}
result = {{name: attempt(lambda p=path: open(p, "a").write("x")) for name, path in targets.items()}}
result["tmp"] = attempt(lambda: open("/tmp/x", "w").write("x"))
result["home"] = attempt(lambda: open(os.path.expanduser("~/x"), "w").write("x"))
rw = set()
for line in open("/proc/self/mountinfo"):
    fields = line.split()
    if "rw" in fields[5].split(",") and fields[4] not in ("/proc", "/dev"):
        rw.add(fields[4])
result["rw_mounts"] = sorted(m for m in rw if not m.startswith(("/proc/", "/dev/")))
print(json.dumps(result))
""")
    for name in targets:
        assert out[name] in ("EROFS", "EACCES", "ENOENT", "EPERM"), (name, out[name])
    assert out["tmp"] == "ok" and out["home"] == "ok"
    assert out["rw_mounts"] == ["/run/kernel", "/tmp"]
    assert (course / "gradebook.db").read_text() == GRADES


def test_can_a_warm_kernel_reach_the_network(course):
    """Can a warm kernel connect to a server of the host, on TCP or an abstract unix socket?"""
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    name = f"coursekit-warm-test-{uuid.uuid4().hex}"
    abstract = socket.socket(socket.AF_UNIX)
    abstract.bind("\0" + name)
    abstract.listen()
    try:
        [out] = run(folder(course), ATTEMPT + f"""
import socket
def unix():
    s = socket.socket(socket.AF_UNIX)
    s.connect("\\0" + {name!r})
print(json.dumps({{
    "tcp": attempt(lambda: socket.create_connection(("127.0.0.1", {tcp.getsockname()[1]}), timeout=3)),
    "abstract": attempt(unix),
    "interfaces": sorted(n for _, n in socket.if_nameindex()),
}}))
""")
    finally:
        tcp.close()
        abstract.close()
    assert out["tcp"] == "ECONNREFUSED"
    assert out["abstract"] == "ECONNREFUSED"
    assert out["interfaces"] == ["lo"]


def test_does_a_warm_kernel_run_unprivileged(course):
    """Does a warm kernel run as a non-root user with no capabilities and no_new_privs?"""
    [out] = run(folder(course), """
        import json, os
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        uid = os.getuid()
        outside = [int(l.split()[1]) + uid - int(l.split()[0]) for l in open("/proc/self/uid_map")
                   if int(l.split()[0]) <= uid < int(l.split()[0]) + int(l.split()[2])][0]
        print(json.dumps({"uid": uid, "euid": os.geteuid(), "outside": outside,
                          "caps": [int(status[k], 16) for k in ("CapEff", "CapPrm", "CapInh", "CapAmb")],
                          "nnp": int(status["NoNewPrivs"]), "sid": os.getsid(0) == os.getpid()}))
    """)
    assert out["uid"] != 0 and out["euid"] != 0 and out["outside"] != 0
    assert out["caps"] == [0, 0, 0, 0]
    assert out["nnp"] == 1
    assert out["sid"]  # its own session: an interrupt reaches it and its children only


def test_does_the_memory_cap_raise_memory_error_and_the_kernel_survive(course):
    """Does allocating beyond the memory cap raise MemoryError, after which the kernel still runs?"""
    first, second = run(folder(course), """
        import json, resource, numpy as np
        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        try:
            a = np.ones(limit // 8 + 2**27)
            outcome = "allocated"
        except MemoryError:
            outcome = "MemoryError"
        print(json.dumps({"limit_mib": limit // 2**20, "outcome": outcome}))
    """, "import json; print(json.dumps({'alive': True}))")
    assert first == {"limit_mib": 512, "outcome": "MemoryError"}
    assert second == {"alive": True}


def test_does_a_cell_timeout_interrupt_a_warm_kernel(course):
    """Does a cell that runs past the timeout get interrupted, with the kernel answering afterwards?"""
    nb = execute(notebook("while True: pass", "import json; print(json.dumps({'after': 1}))"),
                 folder(course), timeout=2, interrupt_on_timeout=True)
    assert [o.ename for o in nb.cells[0].outputs if o.output_type == "error"] == ["KeyboardInterrupt"]
    assert printed(nb.cells[1]) == {"after": 1}


def test_is_a_kernel_that_calls_os_exit_dead_and_the_next_one_fresh(course):
    """Does os._exit in a cell count as a dead kernel, and does the next submission get a working one?"""
    box = wk.sandbox_for(course)
    starts = box.starts
    with pytest.raises(DeadKernelError):
        execute(notebook("import os; os._exit(3)", "print('never')"), folder(course))
    [out] = run(folder(course), "import json, os; print(json.dumps({'pid': os.getpid()}))")
    assert out["pid"] > 2
    assert box.starts == starts  # the same sandbox: only the child died


def test_is_a_daemon_left_by_one_kernel_gone_before_the_next_runs(course):
    """Is a daemon started by one kernel gone, with everything it wrote, before the next kernel runs?"""
    [before] = run(folder(course), ATTEMPT + """
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
    [after] = run(folder(course), """
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


def test_does_the_cpu_cap_kill_a_busy_warm_kernel(tmp_path, monkeypatch):
    """Does the CPU-time cap (2 s here) kill a kernel stuck in a loop, and the next one start afresh?"""
    monkeypatch.delenv("COURSEKIT_COURSE_ROOT", raising=False)
    root = make_course(tmp_path / "course", cpu_time_limit_s=2)
    try:
        started = time.monotonic()
        with pytest.raises(DeadKernelError):
            execute(notebook("while True: pass"), folder(root), timeout=60)
        assert time.monotonic() - started < 45
        [out] = run(folder(root), """
            import json, resource
            print(json.dumps({"cpu_limit": resource.getrlimit(resource.RLIMIT_CPU)[0]}))
        """)
        assert out == {"cpu_limit": 2}
    finally:
        wk.sandbox_for(root).close()


# --------------------------------------------------------------------------
# The transport: the grader connects only to the kernel's own sockets
# --------------------------------------------------------------------------

def test_does_the_grader_refuse_a_socket_path_through_a_symlink(tmp_path):
    """Does the grader refuse a kernel socket that is a symlink, or reached through one?"""
    host = socket.socket(socket.AF_UNIX)
    host.bind(str(tmp_path / "host.sock"))
    host.listen()
    fake_root = tmp_path / "root"
    (fake_root / "run" / "kernel").mkdir(parents=True)
    (fake_root / "elsewhere").mkdir()
    (fake_root / "run" / "kernel" / "k-1").symlink_to(tmp_path / "host.sock")
    os.symlink(tmp_path / "host.sock", fake_root / "elsewhere" / "k-2")
    (fake_root / "run" / "linked").symlink_to(fake_root / "elsewhere")
    real = socket.socket(socket.AF_UNIX)
    real.bind(str(fake_root / "run" / "kernel" / "k-3"))
    real.listen()
    root_fd = os.open(fake_root, os.O_PATH | os.O_DIRECTORY)
    try:
        with pytest.raises(OSError):
            wk.socket_fd(root_fd, "run/kernel/k-1")
        with pytest.raises(OSError):
            wk.socket_fd(root_fd, "run/linked/k-2")
        (fake_root / "run" / "kernel" / "k-4").write_text("not a socket")
        with pytest.raises(OSError):
            wk.socket_fd(root_fd, "run/kernel/k-4")
        fd = wk.socket_fd(root_fd, "run/kernel/k-3")
        os.close(fd)
    finally:
        os.close(root_fd)
        host.close()
        real.close()


def test_can_a_submission_point_the_grader_at_a_socket_of_the_host(course):
    """When a kernel swaps its sockets for symlinks to a host socket and dies, does the grader reconnect there?"""
    host_path = Path(tempfile.gettempdir()) / f"cnn-warm-test-{uuid.uuid4().hex[:8]}.sock"
    host = socket.socket(socket.AF_UNIX)
    host.bind(str(host_path))
    host.listen()
    host.setblocking(False)

    async def scenario():
        km = wk.WarmKernelManager(kernel_name=KERNEL_NAME)
        await km.start_kernel(cwd=str(folder(course)))
        assert isinstance(km.provisioner, wk.WarmProvisioner)
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
    course.root = target
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

    results = run_batch(course.root, workers=2, progress=False)
    batch = all_scores(course, students)
    batch_folders = kernel_folders(course, "witness")

    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert plain_folders == {str(course.root / "autograded" / "witness" / "cnn_step_by_step_en")}
    assert batch_folders == {wk.SUBMISSION_DIR}  # warm kernels did grade the batch
    assert batch == plain
    assert plain["alice"] != plain["mistaken-stride"] != plain["dies"]  # the scores do differ
    died = [r for r in results if r.student == "dies"][0]
    assert any(i["kind"] == "kernel_died" for i in died.incidents)
