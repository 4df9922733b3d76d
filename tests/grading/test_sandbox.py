"""Tests of the grading sandbox (coursekit.sandbox_kernel).

Each test builds a throwaway course in tmp_path (nbgrader_config.py with
``c.SandboxKernel.memory_limit_mb = 512``, ``source/secret.txt``,
``gradebook.db``, ``autograded/alice/hw/`` and ``autograded/bob/hw/other.txt``)
and runs small notebooks with nbclient on the ``cnn-sandbox`` kernel, with the
working directory ``autograded/alice/hw`` as nbgrader's autograde uses it.

Cells print one JSON line, which the tests read back.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

import kernel_cells
from coursekit import sandbox_kernel as sk
from kernel_cells import notebook, printed

REPO = Path(sk.__file__).resolve().parent.parent
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


@pytest.fixture(scope="session", autouse=True)
def sandbox_kernelspec(tmp_path_factory):
    """The cnn-sandbox kernelspec, installed into a throwaway Jupyter path."""
    prefix = tmp_path_factory.mktemp("jupyter-prefix")
    assert sk.install_kernelspec(prefix) == sk.KERNEL_NAME
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    patch.delenv(sk.COURSE_ROOT_ENV, raising=False)
    yield prefix
    patch.undo()


def make_course(tmp_path: Path, name: str = "course", **options) -> Path:
    """A course folder; *options* are extra ``c.SandboxKernel`` settings."""
    root = tmp_path / name
    (root / "source" / "hw").mkdir(parents=True)
    (root / "source" / "secret.txt").write_text(SECRET)
    (root / "gradebook.db").write_text(GRADES)
    (root / "autograded" / "bob" / "hw").mkdir(parents=True)
    (root / "autograded" / "bob" / "hw" / "other.txt").write_text("bob's answers")
    (root / "submitted" / "bob" / "hw").mkdir(parents=True)
    (root / "submitted" / "bob" / "hw" / "other.txt").write_text("bob's answers")
    hw = root / "autograded" / "alice" / "hw"
    hw.mkdir(parents=True)
    (hw / "data.txt").write_text("alice's data")
    lines = ["c = get_config()  # noqa", "c.SandboxKernel.memory_limit_mb = 512"]
    lines += [f"c.SandboxKernel.{key} = {value!r}" for key, value in options.items()]
    (root / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    for folder in [root, *root.rglob("*")]:
        if folder.is_dir():
            folder.chmod(0o755)
    return root


def alice(root: Path) -> Path:
    return root / "autograded" / "alice" / "hw"


KERNEL = {"kernel_name": sk.KERNEL_NAME}


def execute(nb, cwd: Path, timeout: int = 60, **options):
    return kernel_cells.execute(nb, cwd, timeout, **KERNEL, **options)


def run(cwd: Path, *sources: str, **options) -> list:
    return kernel_cells.run(cwd, *sources, **KERNEL, **options)


def launch_directly(cwd: Path, env_extra: dict | None = None, timeout: int = 60):
    """Run the launcher as the kernelspec does, with a fresh connection file."""
    conn, _ = write_connection_file(str(cwd.parent / f"conn-{time.monotonic_ns()}.json"))
    env = dict(os.environ, PYTHONPATH=str(REPO), **(env_extra or {}))
    argv = sk.kernelspec_dict()["argv"]
    argv = [a.replace("{connection_file}", conn) for a in argv]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


# --------------------------------------------------------------------------


def test_does_numpy_import_and_compute_in_the_sandbox(tmp_path):
    """Does numpy (and h5py, matplotlib) import and compute inside the sandbox?"""
    root = make_course(tmp_path)
    [out] = run(alice(root), """
        import json, os, numpy as np, h5py, matplotlib
        matplotlib.use("agg")
        import matplotlib.pyplot as plt
        x = np.arange(12.0).reshape(3, 4)
        with h5py.File("/tmp/t.h5", "w") as f:
            f["x"] = x
        with h5py.File("/tmp/t.h5") as f:
            back = f["x"][()]
        plt.plot([1, 2, 3]); plt.savefig("/tmp/fig.png")
        print(json.dumps({"sum": float((x @ x.T).sum()), "h5": back.tolist() == x.tolist(),
                          "png": os.path.getsize("/tmp/fig.png") > 0,
                          "home": os.environ["HOME"], "mpl": os.environ["MPLCONFIGDIR"]}))
    """)
    x = np.arange(12.0).reshape(3, 4)
    assert out["sum"] == float((x @ x.T).sum()) == 1134.0
    assert out["h5"] and out["png"]
    assert out["home"].startswith("/tmp/") and out["mpl"].startswith("/tmp/")


def test_can_a_submission_read_its_own_working_directory(tmp_path):
    """Can a submission read the files of its own folder (autograded/alice/hw)?"""
    root = make_course(tmp_path)
    [out] = run(alice(root), """
        import json, os
        print(json.dumps({"cwd": os.getcwd(), "data": open("data.txt").read(),
                          "listing": sorted(os.listdir("."))}))
    """)
    assert out == {"cwd": str(alice(root).resolve()), "data": "alice's data",
                   "listing": ["data.txt"]}


def test_can_a_submission_read_source(tmp_path):
    """Can a submission read source/ (the model solution) or list the course root?"""
    root = make_course(tmp_path)
    [out] = run(alice(root), ATTEMPT + f"""
print(json.dumps({{
    "relative": attempt(lambda: open("../../../source/secret.txt").read()),
    "absolute": attempt(lambda: open({str(root / "source/secret.txt")!r}).read()),
    "listdir_source": attempt(lambda: os.listdir({str(root / "source")!r})),
    "root_entries": sorted(os.listdir({str(root)!r})),
}}))
""")
    assert out["relative"] == "ENOENT"
    assert out["absolute"] == "ENOENT"
    assert out["listdir_source"] == "ENOENT"
    # Only the path down to the submission's own folder exists in the sandbox.
    assert out["root_entries"] == ["autograded"]


def test_can_a_submission_read_another_students_files(tmp_path):
    """Can a submission read bob's folders under autograded/ and submitted/?"""
    root = make_course(tmp_path)
    [out] = run(alice(root), ATTEMPT + f"""
print(json.dumps({{
    "autograded": attempt(lambda: open({str(root / "autograded/bob/hw/other.txt")!r}).read()),
    "submitted": attempt(lambda: open({str(root / "submitted/bob/hw/other.txt")!r}).read()),
    "relative": attempt(lambda: open("../../bob/hw/other.txt").read()),
    "students": sorted(os.listdir("../..")),
}}))
""")
    assert out == {"autograded": "ENOENT", "submitted": "ENOENT", "relative": "ENOENT",
                   "students": ["alice"]}


def test_can_a_submission_write_gradebook_db(tmp_path):
    """Can a submission write (or even see) gradebook.db?"""
    root = make_course(tmp_path)
    [out] = run(alice(root), ATTEMPT + f"""
def overwrite():
    with open({str(root / "gradebook.db")!r}, "w") as fh:
        fh.write("alice,100000")
print(json.dumps({{
    "write": attempt(overwrite),
    "via_cwd": attempt(lambda: open("../../../gradebook.db", "a").write("x")),
}}))
""")
    # The course root is not in the sandbox, and the folders leading to the
    # working directory are read-only, so the file cannot be created either.
    assert out["write"] in ("ENOENT", "EROFS", "EACCES")
    assert out["via_cwd"] in ("ENOENT", "EROFS", "EACCES")
    assert (root / "gradebook.db").read_text() == GRADES


def test_can_a_submission_write_to_its_working_directory_or_tmp(tmp_path):
    """Is the working directory read-only while /tmp is writable?"""
    root = make_course(tmp_path)
    # World-writable on the host, so only the sandbox's read-only bind can refuse.
    alice(root).chmod(0o777)
    (alice(root) / "data.txt").chmod(0o666)
    [out] = run(alice(root), ATTEMPT + """
def write_tmp():
    with open("/tmp/scratch.txt", "w") as fh:
        fh.write("scratch")
    assert open("/tmp/scratch.txt").read() == "scratch"
print(json.dumps({
    "new_file": attempt(lambda: open("new.txt", "w")),
    "append_own": attempt(lambda: open("data.txt", "a").write("x")),
    "delete_own": attempt(lambda: os.remove("data.txt")),
    "tmp": attempt(write_tmp),
    "home": attempt(lambda: open(os.path.expanduser("~/notes.txt"), "w").write("x")),
    "root_fs": attempt(lambda: open("/evil.txt", "w")),
}))
""")
    assert out["new_file"] == "EROFS"
    assert out["append_own"] == "EROFS"
    assert out["delete_own"] == "EROFS"
    assert out["root_fs"] in ("EROFS", "EACCES")
    assert out["tmp"] == "ok"
    assert out["home"] == "ok"
    assert sorted(p.name for p in alice(root).iterdir()) == ["data.txt"]
    assert (alice(root) / "data.txt").read_text() == "alice's data"


def test_can_a_submission_reach_the_network(tmp_path):
    """Can a submission connect to a listener on the host's 127.0.0.1, or outside?"""
    root = make_course(tmp_path)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        # The listener is reachable from outside the sandbox ...
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        listener.accept()[0].close()
        [out] = run(alice(root), ATTEMPT + f"""
import socket
print(json.dumps({{
    "host_loopback": attempt(lambda: socket.create_connection(("127.0.0.1", {port}), timeout=5)),
    "outside": attempt(lambda: socket.create_connection(("192.0.2.1", 80), timeout=5)),
    "interfaces": [name for _, name in socket.if_nameindex()],
}}))
""")
    # ... but not from inside: the sandbox has its own network namespace.
    assert out["host_loopback"] == "ECONNREFUSED"
    assert out["outside"] == "ENETUNREACH"
    assert out["interfaces"] == ["lo"]


def test_does_a_huge_allocation_fail_under_the_memory_cap(tmp_path):
    """Does a 3 GB allocation raise MemoryError under a 512 MB cap, and the kernel survive?"""
    root = make_course(tmp_path)
    out = run(alice(root), """
        import json, resource, numpy as np
        print(json.dumps(resource.getrlimit(resource.RLIMIT_AS)))
    """, """
        import json
        try:
            big = np.ones(3 * 2**30 // 8)
            result = "allocated"
        except MemoryError:
            result = "MemoryError"
        print(json.dumps(result))
    """, """
        print(json.dumps(float(np.ones(1000).sum())))
    """)
    assert out[0] == [512 * 2**20, 512 * 2**20]
    assert out[1] == "MemoryError"
    assert out[2] == 1000.0


def test_is_a_cpu_burning_loop_killed_by_the_cpu_cap(tmp_path):
    """Is a busy loop killed once it has used the CPU-time cap (3 s here)?"""
    root = make_course(tmp_path, cpu_time_limit_s=3)
    nb = notebook("""
        import json, resource
        print(json.dumps(resource.getrlimit(resource.RLIMIT_CPU)))
    """, "while True:\n    pass")
    start = time.monotonic()
    # Without the cap the loop would run into nbclient's 60 s timeout and be
    # interrupted (CellTimeoutError), not kill the kernel.
    with pytest.raises(DeadKernelError):
        execute(nb, alice(root), timeout=60)
    assert time.monotonic() - start < 45
    assert printed(nb.cells[0]) == [3, 4]


def test_does_student_code_run_as_root(tmp_path):
    """Does student code run as an unprivileged user, without capabilities?"""
    root = make_course(tmp_path)
    [out] = run(alice(root), ATTEMPT + """
uid = os.getuid()
host_uid = None
for line in open("/proc/self/uid_map"):
    inside, outside, count = map(int, line.split())
    if inside <= uid < inside + count:
        host_uid = outside + uid - inside
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({
    "uid": uid, "euid": os.geteuid(), "gid": os.getgid(), "host_uid": host_uid,
    "cap_eff": int(status["CapEff"], 16), "cap_prm": int(status["CapPrm"], 16),
    "no_new_privs": int(status["NoNewPrivs"]),
    "setuid0": attempt(lambda: os.setuid(0)),
}))
""")
    assert out["uid"] != 0 and out["euid"] != 0 and out["gid"] != 0
    assert out["host_uid"] not in (None, 0)
    assert out["cap_eff"] == 0 and out["cap_prm"] == 0
    assert out["no_new_privs"] == 1
    assert out["setuid0"] == "EPERM"


def test_does_an_interrupt_stop_a_cell_and_keep_the_kernel(tmp_path):
    """Does nbgrader's interrupt-on-timeout stop a long cell, with the kernel going on?"""
    root = make_course(tmp_path)
    nb = notebook("import time\ntime.sleep(60)", "print('[\"alive\"]')")
    start = time.monotonic()
    execute(nb, alice(root), timeout=3, interrupt_on_timeout=True)
    assert time.monotonic() - start < 30
    assert [o.ename for o in nb.cells[0].outputs if o.output_type == "error"] == [
        "KeyboardInterrupt"]
    assert printed(nb.cells[1]) == ["alive"]


def test_does_a_client_using_the_ipc_transport_work(tmp_path):
    """Does a client configured for ipc (absolute c.KernelManager.ip) reach the kernel?"""
    root = make_course(tmp_path)
    sockets = tmp_path / "ipc"
    sockets.mkdir()
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(sockets / "kernel")
    [out] = run(alice(root), "print(6 * 7)", config=config)
    assert out == 42
    assert list(sockets.iterdir()) == []  # listeners removed at shutdown


def test_is_a_config_file_in_the_submission_ignored(tmp_path):
    """Is an nbgrader_config.py planted in the submission folder ignored (never run)?"""
    root = make_course(tmp_path)
    marker = tmp_path / "planted-config-ran"
    (alice(root) / "nbgrader_config.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "c = get_config()\nc.SandboxKernel.memory_limit_mb = 4000\n")
    [out] = run(alice(root), """
        import json, resource
        print(json.dumps(resource.getrlimit(resource.RLIMIT_AS)[0]))
    """)
    assert not marker.exists()
    assert out == 512 * 2**20


def test_does_the_launcher_import_modules_from_the_submission(tmp_path):
    """Does the launcher (outside the sandbox) import a planted coursekit/ package?"""
    root = make_course(tmp_path)
    marker = tmp_path / "planted-module-ran"
    planted = alice(root) / "coursekit"
    planted.mkdir()
    (planted / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (planted / "sandbox_kernel.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    [out] = run(alice(root), "print(1)")
    assert out == 1
    assert not marker.exists()


def test_does_the_launcher_refuse_to_expose_the_course_root(tmp_path):
    """Does the launcher refuse to start in the course root (it would expose source/)?"""
    root = make_course(tmp_path)
    result = launch_directly(root)
    assert result.returncode == sk.EXIT_NO_SANDBOX
    assert "course root" in result.stderr
    assert "No student code was run" in result.stderr


def test_does_a_missing_bwrap_fail_loudly(tmp_path):
    """Does a missing bubblewrap stop the kernel with an error naming the cause?"""
    root = make_course(tmp_path, bwrap_path="/nonexistent/bwrap")
    result = launch_directly(alice(root))
    assert result.returncode == sk.EXIT_NO_SANDBOX
    assert "bubblewrap not found" in result.stderr
    assert "/nonexistent/bwrap" in result.stderr
    assert "No student code was run" in result.stderr
    # Started by jupyter_client as nbgrader does, the kernel process ends with
    # the same status instead of running anything.
    km = KernelManager(kernel_name=sk.KERNEL_NAME)
    km.start_kernel(cwd=str(alice(root)))
    try:
        deadline = time.monotonic() + 30
        while km.provisioner.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert km.provisioner.process.poll() == sk.EXIT_NO_SANDBOX
        assert not km.is_alive()
    finally:
        km.shutdown_kernel(now=True)


def test_does_allow_unsandboxed_run_a_plain_kernel_with_a_warning(tmp_path, capfd):
    """With allow_unsandboxed, does a missing bwrap give a warning and a plain kernel?"""
    root = make_course(tmp_path, bwrap_path="/nonexistent/bwrap", allow_unsandboxed=True)
    [out] = run(alice(root), f"""
        import json, os
        print(json.dumps({{"uid": os.getuid(),
                          "secret": open({str(root / "source/secret.txt")!r}).read()}}))
    """)
    err = capfd.readouterr().err
    assert "WARNING" in err and "bubblewrap not found" in err and "UNCONFINED" in err
    # Unconfined: the grader's own uid, and the course is readable.
    assert out == {"uid": os.getuid(), "secret": SECRET}


def test_does_a_namespace_failure_fail_loudly(tmp_path):
    """Does bwrap failing to create namespaces give a clear error with bwrap's reason?"""
    fake = tmp_path / "fake-bwrap"
    fake.write_text("#!/bin/sh\n"
                    "echo 'bwrap: Creating new namespace failed: Operation not permitted' >&2\n"
                    "exit 1\n")
    fake.chmod(0o755)
    root = make_course(tmp_path, bwrap_path=str(fake))
    result = launch_directly(alice(root))
    assert result.returncode == sk.EXIT_NO_SANDBOX
    assert "could not be set up" in result.stderr
    assert "Creating new namespace failed: Operation not permitted" in result.stderr


def test_does_install_kernelspec_write_a_findable_spec(tmp_path, monkeypatch):
    """Does install_kernelspec() put cnn-sandbox where jupyter looks (sys.prefix)?"""
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    assert sk.install_kernelspec() == "cnn-sandbox"
    kernels = tmp_path / "venv" / "share" / "jupyter" / "kernels"
    spec = KernelSpecManager(kernel_dirs=[str(kernels)]).get_kernel_spec("cnn-sandbox")
    assert spec.display_name == "Python 3 (grading sandbox)"
    assert spec.argv == [sys.executable, "-P", "-m", "coursekit.sandbox_kernel",
                         "-f", "{connection_file}"]
    assert spec.interrupt_mode == "message"


def test_are_the_options_read_from_nbgrader_config(tmp_path, monkeypatch):
    """Are SandboxKernel options read from the course's nbgrader_config.py?"""
    root = make_course(tmp_path, cpu_time_limit_s=7, extra_readonly_paths=["/opt"])
    settings = sk.load_settings(sk.find_course_root(alice(root)))
    assert settings.memory_limit_mb == 512
    assert settings.cpu_time_limit_s == 7
    assert settings.extra_readonly_paths == ["/opt"]
    assert settings.allow_unsandboxed is False
    # A course that itself lies in a folder named like an nbgrader tree is found.
    (tmp_path / "feedback").mkdir()
    nested = make_course(tmp_path / "feedback", cpu_time_limit_s=5)
    (alice(nested) / "nbgrader_config.py").write_text("c = get_config()\n")
    assert sk.find_course_root(alice(nested)) == nested.resolve()
    other = make_course(tmp_path, name="other", cpu_time_limit_s=9)
    monkeypatch.setenv(sk.COURSE_ROOT_ENV, str(other))
    assert sk.find_course_root(alice(root)) == other.resolve()
    assert sk.load_settings(sk.find_course_root(alice(root))).cpu_time_limit_s == 9
