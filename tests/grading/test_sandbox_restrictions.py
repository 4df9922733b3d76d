"""What a submission can and cannot do in the grading sandbox, in a cold kernel and in a warm one.

One list of restrictions, each test run twice: with the cold kernel (the
``cnn-sandbox`` kernelspec's launcher, as plain ``nbgrader autograde`` starts
it) and with a warm kernel (forked by the course's warm sandbox, as
``coursekit grade``'s workers start it).  The throwaway course is described
in ``tests/sandbox_course.py``; what only one kind of kernel does is tested in
``test_sandbox.py`` (cold) and ``test_warm_kernels.py`` (warm).
"""
from __future__ import annotations

import os
import socket
import sys
import time
import uuid

import numpy as np
import pytest
from nbclient.exceptions import DeadKernelError

from coursekit.grading.sandbox.self_test import RESTRICTIONS
from kernel_cells import notebook, printed
from sandbox_course import ATTEMPT, GRADES, LISTING, MINE, SandboxedKernels, alice, make_course

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("sandbox_kernelspec")]
MiB = 2**20


@pytest.fixture(scope="module", params=["cold", "warm"])
def kernel(request):
    runner = SandboxedKernels(request.param)
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def course(kernel, tmp_path_factory):
    """One course for every test of a kind of kernel: the warm ones all come from its one warm sandbox."""
    return make_course(tmp_path_factory.mktemp(f"{kernel.kind}-course") / "course")


def test_does_numpy_compute_and_plot_in_the_sandbox(kernel, course):
    """Do numpy (its threads too), h5py and matplotlib work, with HOME and the caches in /tmp?"""
    [out] = kernel.run(alice(course), """
        import json, os, numpy as np, h5py
        import matplotlib.pyplot as plt
        x = np.arange(12.0).reshape(3, 4)
        with h5py.File("/tmp/t.h5", "w") as f:
            f["x"] = x
        with h5py.File("/tmp/t.h5") as f:
            back = f["x"][()]
        plt.plot([1, 2, 3]); plt.savefig("/tmp/fig.png")
        big = np.random.rand(800, 800)  # large enough for BLAS to use its threads
        print(json.dumps({"sum": float((x @ x.T).sum()), "h5": back.tolist() == x.tolist(),
                          "blas": bool(np.allclose(big @ np.eye(800), big)),
                          "png": os.path.getsize("/tmp/fig.png") > 0,
                          "env": sorted({os.environ[k][:5] for k in ("HOME", "MPLCONFIGDIR", "TMPDIR")}),
                          "backend": plt.get_backend()}))
    """)
    x = np.arange(12.0).reshape(3, 4)
    assert out["sum"] == float((x @ x.T).sum()) == 1134.0
    assert out["h5"] and out["png"] and out["blas"]
    assert out["env"] == ["/tmp", "/tmp/"]
    assert out["backend"] == "module://matplotlib_inline.backend_inline"


def test_can_a_submission_read_its_own_files(kernel, course):
    """Does a kernel start in its submission's folder and read its files, the notebook being graded excepted?"""
    [out] = kernel.run(alice(course), ATTEMPT + """
print(json.dumps({"cwd": os.getcwd(), "listing": sorted(os.listdir(".")), "data": open("data.txt").read(),
                  "values": open("data/values.txt").read(), "language": open("LANGUAGE").read(),
                  "notebook": attempt(lambda: open("hw.ipynb").read())}))
""")
    assert out == {"cwd": kernel.cwd_inside(alice(course)), "listing": LISTING, "data": MINE,
                   "values": "alice's data", "language": "en\n", "notebook": "EACCES"}


def test_can_a_submission_read_the_course_or_another_students_work(kernel, course):
    """Can a kernel read source/, gradebook.db, bob's folders, or follow a planted symlink into the course?"""
    [out] = kernel.run(alice(course), ATTEMPT + f"""
print(json.dumps({{
    "source": attempt(lambda: open({str(course / "source/secret.txt")!r}).read()),
    "listdir_source": attempt(lambda: os.listdir({str(course / "source")!r})),
    "relative_source": attempt(lambda: open("../../../source/secret.txt").read()),
    "gradebook": attempt(lambda: open({str(course / "gradebook.db")!r}).read()),
    "bob_autograded": attempt(lambda: open({str(course / "autograded/bob/hw/other.txt")!r}).read()),
    "bob_submitted": attempt(lambda: open({str(course / "submitted/bob/hw/other.txt")!r}).read()),
    "bob_relative": attempt(lambda: open("../../bob/hw/other.txt").read()),
    "symlink": attempt(lambda: open("shortcut").read()),
}}))
""")
    assert set(out.values()) == {"ENOENT"}, out


def test_does_the_course_root_show_only_the_way_to_the_submission(kernel, course):
    """Does the course root hold nothing but the path down to the kernel's folder (cold), or not exist (warm)?"""
    [out] = kernel.run(alice(course), ATTEMPT + f"""
try:
    print(json.dumps(sorted(os.listdir({str(course)!r}))))
except OSError as exc:
    print(json.dumps(errno.errorcode[exc.errno]))
""")
    assert out == {"cold": ["autograded"], "warm": "ENOENT"}[kernel.kind]


def test_can_a_submission_write_outside_its_scratch(kernel, course):
    """Can a kernel write anywhere but /tmp and its socket folder, its own (world-writable) folder included?"""
    from coursekit.grading.sandbox.warm import SUBMISSION_DIR

    folder = alice(course)
    folder.chmod(0o777)  # world-writable on the host: only the sandbox's read-only bind can refuse
    (folder / "data.txt").chmod(0o666)
    targets = {"root": "/x", "etc": "/etc/x", "usr": "/usr/x", "venv": os.path.join(sys.prefix, "x"),
               "run": "/run/x", "submission": SUBMISSION_DIR + "/x", "dev": "/dev/x", "var": "/var/x",
               "gradebook": str(course / "gradebook.db")}
    try:
        [out] = kernel.run(folder, ATTEMPT + f"""
targets = {targets!r}
result = {{name: attempt(lambda p=path: open(p, "a").write("x")) for name, path in targets.items()}}
result["own_new"] = attempt(lambda: open("new.txt", "w"))
result["own_append"] = attempt(lambda: open("data.txt", "a").write("x"))
result["own_delete"] = attempt(lambda: os.remove("data.txt"))
result["tmp"] = attempt(lambda: open("/tmp/x", "w").write("x"))
result["home"] = attempt(lambda: open(os.path.expanduser("~/x"), "w").write("x"))
rw = set()
for line in open("/proc/self/mountinfo"):
    fields = line.split()
    if "rw" in fields[5].split(",") and not fields[4].startswith(("/proc", "/dev")):
        rw.add(fields[4])
result["rw_mounts"] = sorted(rw)
print(json.dumps(result))
""")
    finally:
        folder.chmod(0o755)
        (folder / "data.txt").chmod(0o644)
    refused = {name: out[name] for name in targets if out[name] not in ("EROFS", "EACCES", "ENOENT", "EPERM")}
    assert refused == {}
    # The warm sandbox's copy of a file is the grader's, mode 0644: the permission check refuses before the mount.
    own = {"cold": ("EROFS", "EROFS", "EROFS"), "warm": ("EROFS", "EACCES", "EROFS")}[kernel.kind]
    assert (out["own_new"], out["own_append"], out["own_delete"]) == own
    assert (out["tmp"], out["home"]) == ("ok", "ok")
    assert out["rw_mounts"] == ["/run/kernel", "/tmp"]
    assert (course / "gradebook.db").read_text() == GRADES
    assert sorted(p.name for p in folder.iterdir()) == LISTING
    assert (folder / "data.txt").read_text() == MINE


def test_can_a_submission_reach_the_network(kernel, course):
    """Can a kernel connect to the host's loopback, to an abstract unix socket of the host, or outside?"""
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    name = f"coursekit-sandbox-test-{uuid.uuid4().hex}"
    abstract = socket.socket(socket.AF_UNIX)
    abstract.bind("\0" + name)
    abstract.listen()
    try:
        with socket.create_connection(("127.0.0.1", tcp.getsockname()[1]), timeout=5):
            pass  # the listener is reachable from outside the sandbox
        tcp.accept()[0].close()
        [out] = kernel.run(alice(course), ATTEMPT + f"""
import socket
def unix():
    s = socket.socket(socket.AF_UNIX)
    s.connect("\\0" + {name!r})
print(json.dumps({{
    "tcp": attempt(lambda: socket.create_connection(("127.0.0.1", {tcp.getsockname()[1]}), timeout=3)),
    "abstract": attempt(unix),
    "outside": attempt(lambda: socket.create_connection(("192.0.2.1", 80), timeout=3)),
    "interfaces": sorted(n for _, n in socket.if_nameindex()),
}}))
""")
    finally:
        tcp.close()
        abstract.close()
    assert out == {"tcp": "ECONNREFUSED", "abstract": "ECONNREFUSED", "outside": "ENETUNREACH", "interfaces": ["lo"]}


def test_does_student_code_run_unprivileged(kernel, course):
    """Does student code run as an unprivileged user (also on the host), without capabilities, under no_new_privs?"""
    [out] = kernel.run(alice(course), ATTEMPT + """
uid = os.getuid()
host_uid = None
for line in open("/proc/self/uid_map"):
    inside, outside, count = map(int, line.split())
    if inside <= uid < inside + count:
        host_uid = outside + uid - inside
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({
    "ids": [uid, os.geteuid(), os.getgid(), host_uid],
    "caps": [int(status[k], 16) for k in ("CapEff", "CapPrm", "CapInh", "CapAmb")],
    "no_new_privs": int(status["NoNewPrivs"]),
    "setuid0": attempt(lambda: os.setuid(0)),
}))
""")
    assert 0 not in out["ids"] and None not in out["ids"]
    assert out["caps"] == [0, 0, 0, 0]
    assert out["no_new_privs"] == 1
    assert out["setuid0"] == "EPERM"


def test_does_the_memory_cap_raise_memory_error_and_the_kernel_survive(kernel, course):
    """Does allocating beyond the 512 MiB cap raise MemoryError, after which the kernel still runs?"""
    limits, allocation, after = kernel.run(alice(course), """
        import json, resource
        print(json.dumps(resource.getrlimit(resource.RLIMIT_AS)))
    """, """
        import json, numpy as np
        try:
            big = np.ones(3 * 2**30 // 8)
            outcome = "allocated"
        except MemoryError:
            outcome = "MemoryError"
        print(json.dumps(outcome))
    """, "print(json.dumps(float(np.ones(1000).sum())))")
    assert limits == [512 * MiB, 512 * MiB]
    assert allocation == "MemoryError"
    assert after == 1000.0


def test_does_a_cell_timeout_interrupt_the_cell_and_keep_the_kernel(kernel, course):
    """Does nbgrader's interrupt-on-timeout stop a busy cell, with the kernel answering afterwards?"""
    started = time.monotonic()
    nb = kernel.execute(notebook("while True: pass", "import json; print(json.dumps({'after': 1}))"),
                        alice(course), timeout=3, interrupt_on_timeout=True)
    assert time.monotonic() - started < 30
    assert [o.ename for o in nb.cells[0].outputs if o.output_type == "error"] == ["KeyboardInterrupt"]
    assert printed(nb.cells[1]) == {"after": 1}


def test_does_the_cpu_cap_kill_a_busy_kernel_and_the_next_start_afresh(kernel, tmp_path):
    """Is a busy loop killed once it has used the CPU-time cap (2 s here), and does the next kernel work?"""
    root = make_course(tmp_path / "course", cpu_time_limit_s=2)
    nb = notebook("""
        import json, resource
        print(json.dumps(resource.getrlimit(resource.RLIMIT_CPU)))
    """, "while True:\n    pass")
    started = time.monotonic()
    # Without the cap the loop would run into the 60 s timeout and be interrupted, not kill the kernel.
    with pytest.raises(DeadKernelError):
        kernel.execute(nb, alice(root), timeout=60)
    assert time.monotonic() - started < 45
    assert printed(nb.cells[0]) == [2, 3]
    [out] = kernel.run(alice(root), "import json; print(json.dumps({'alive': True}))")
    assert out == {"alive": True}


def test_is_a_config_file_planted_in_the_submission_ignored(kernel, tmp_path):
    """Is an nbgrader_config.py planted in the submission's folder never run, nor its options used?"""
    root = make_course(tmp_path / "course")
    marker = tmp_path / "planted-config-ran"
    (alice(root) / "nbgrader_config.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nc = get_config()\nc.SandboxKernel.memory_limit_mb = 4000\n")
    [out] = kernel.run(alice(root), """
        import json, resource
        print(json.dumps(resource.getrlimit(resource.RLIMIT_AS)[0]))
    """)
    assert not marker.exists()
    assert out == 512 * MiB


def test_does_every_restriction_of_the_self_test_hold(kernel, course):
    """Does each cell of `python -m coursekit.grading.sandbox --self-test` print PASS in this kind of kernel?"""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        fields = {"secret": str(course / "source/secret.txt"), "other": str(course / "autograded/bob/hw/other.txt"),
                  "gradebook": str(course / "gradebook.db"), "port": listener.getsockname()[1]}
        nb = kernel.execute(notebook(*(cell.format(**fields) for cell in RESTRICTIONS.values())), alice(course))
    said = {question: "".join(o.get("text", "") or f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs)
            for question, cell in zip(RESTRICTIONS, nb.cells)}
    assert {question: text for question, text in said.items() if not text.startswith("PASS")} == {}
