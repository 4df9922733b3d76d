"""``python -m coursekit.grading.sandbox --self-test``: prove each restriction of the sandbox on this machine.

It builds a throwaway course, starts the ``cnn-sandbox`` kernel in it and
runs one cell per restriction (``RESTRICTIONS``); each cell prints PASS when
the restriction holds.
"""
from __future__ import annotations

import os
import socket
import tempfile
import time
from pathlib import Path

from .kernelspec import install_kernelspec
from ...course import Course, CourseError, find_root
from .facts import facts_argument, facts_of
from .options import KERNEL_NAME, SandboxKernel

#: One cell per restriction; it prints PASS when the restriction holds.  The fields
#: name files of the throwaway course (secret, other, gradebook) and a listening port.
RESTRICTIONS = {
    "numpy imports and computes": (
        "import numpy as np, h5py, matplotlib.pyplot as plt\n"
        "assert np.linalg.norm(np.ones((3, 4))) == np.sqrt(12)\n"
        "plt.plot([1, 2]); plt.savefig('/tmp/f.png'); print('PASS')"),
    "source/ is invisible": (
        "import os\ntry:\n    open({secret!r}).read(); print('FAIL')\n"
        "except OSError as e: print('PASS', type(e).__name__)"),
    "another student's folder is invisible": (
        "try:\n    open({other!r}).read(); print('FAIL')\n"
        "except OSError as e: print('PASS', type(e).__name__)"),
    "gradebook.db cannot be written": (
        "try:\n    open({gradebook!r}, 'a').write('x'); print('FAIL')\n"
        "except OSError as e: print('PASS', type(e).__name__)"),
    "own folder readable, not writable; /tmp writable": (
        "import os\nassert open('data.txt').read() == 'mine'\n"
        "try:\n    open('new.txt', 'w'); print('FAIL')\n"
        "except OSError:\n    open('/tmp/x', 'w').write('ok'); print('PASS')"),
    "no network (loopback of the host unreachable)": (
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=3); print('FAIL')\n"
        "except OSError as e: print('PASS', type(e).__name__)"),
    "unprivileged user": (
        "import os\nuid = os.getuid()\n"
        "outside = [int(l.split()[1]) + uid - int(l.split()[0]) for l in open('/proc/self/uid_map')"
        " if int(l.split()[0]) <= uid < int(l.split()[0]) + int(l.split()[2])][0]\n"
        "caps = [l for l in open('/proc/self/status') if l.startswith('CapEff')][0].split()[1]\n"
        "print('PASS' if uid and outside and int(caps, 16) == 0 else 'FAIL', uid, outside)"),
    "memory cap raises MemoryError": (
        "import numpy as np, resource\nlimit = resource.getrlimit(resource.RLIMIT_AS)[0]\n"
        "try:\n    a = np.ones(limit // 8 + 2**27); print('FAIL')\n"
        "except MemoryError: print('PASS', limit // 2**20, 'MiB')"),
    "kernel survives the MemoryError": "print('PASS')",
}


def self_test() -> int:
    """Start sandboxed kernels on a throwaway course and report each restriction."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    try:  # the instructor's own course, where the command is run (not a student's folder: it starts none)
        course = Course.load(find_root(Path.cwd()))
        settings, where = SandboxKernel(config=course.config), course.config_file
    except CourseError:
        settings, where = SandboxKernel(), "(defaults)"
    print(f"options from {where}: "
          f"memory {settings.memory_limit_mb} MiB, CPU {settings.cpu_time_limit_s} s, "
          f"bwrap {settings.bwrap_path}")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="cnn-sandbox-selftest-") as tmp:
        tmp = Path(tmp)
        os.chmod(tmp, 0o755)
        (tmp / "jupyter").mkdir()
        install_kernelspec(tmp / "jupyter")
        old_path = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            [str(tmp / "jupyter")] + ([old_path] if old_path else []))

        def make_course(name: str, **overrides) -> Path:
            root = tmp / name
            (root / "source").mkdir(parents=True)
            (root / "source" / "secret.txt").write_text("solutions")
            (root / "gradebook.db").write_text("grades")
            (root / "autograded" / "bob" / "hw").mkdir(parents=True)
            (root / "autograded" / "bob" / "hw" / "other.txt").write_text("bob")
            hw = root / "autograded" / "alice" / "hw"
            hw.mkdir(parents=True)
            (hw / "data.txt").write_text("mine")
            values = {n: getattr(settings, n) for n in settings.trait_names()
                      if settings.trait_metadata(n, "config")}
            values.update(overrides)
            lines = ["c = get_config()  # noqa"]
            lines += [f"c.SandboxKernel.{k} = {v!r}" for k, v in values.items()]
            (root / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
            return root

        def run(root: Path, sources: list[str], timeout: int = 60):
            nb = nbformat.v4.new_notebook(
                cells=[nbformat.v4.new_code_cell(s) for s in sources])
            client = NotebookClient(
                nb, kernel_name=KERNEL_NAME, timeout=timeout, allow_errors=True,
                extra_arguments=[facts_argument(facts_of(Course.load(root)))],
                resources={"metadata": {"path": str(root / "autograded/alice/hw")}})
            client.execute()
            return nb

        def text(cell) -> str:
            return "".join(o.get("text", "") for o in cell.outputs
                           if o.output_type == "stream").strip() or \
                "".join(f"{o.ename}: {o.evalue}" for o in cell.outputs
                        if o.output_type == "error")

        try:
            root = make_course("course")
            fmt = {"secret": str(root / "source/secret.txt"),
                   "other": str(root / "autograded/bob/hw/other.txt"),
                   "gradebook": str(root / "gradebook.db"),
                   "port": listener.getsockname()[1]}
            start = time.monotonic()
            nb = run(root, [src.format(**fmt) for src in RESTRICTIONS.values()])
            print(f"kernel started and ran {len(nb.cells)} cells in "
                  f"{time.monotonic() - start:.1f} s")
            for question, cell in zip(RESTRICTIONS, nb.cells):
                result = text(cell)
                ok = result.startswith("PASS")
                failures += not ok
                print(f"  [{'ok' if ok else 'FAILED'}] {question}: {result}")
            ok = (root / "gradebook.db").read_text() == "grades"
            failures += not ok
            print(f"  [{'ok' if ok else 'FAILED'}] gradebook.db unchanged on the host")

            root = make_course("course_cpu", cpu_time_limit_s=2)
            start = time.monotonic()
            try:
                run(root, ["while True: pass"], timeout=30)
                ok, detail = False, "loop finished or timed out"
            except DeadKernelError:
                ok, detail = True, f"kernel killed after {time.monotonic() - start:.1f} s"
            failures += not ok
            print(f"  [{'ok' if ok else 'FAILED'}] CPU cap (2 s here) kills a busy "
                  f"loop: {detail}")
        finally:
            listener.close()
            if old_path is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old_path
    print("self-test passed" if not failures else f"self-test: {failures} check(s) FAILED")
    return 1 if failures else 0

