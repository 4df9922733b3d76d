"""The cold grading kernel (coursekit.grading.sandbox.launcher): what only it does.

What a submission can and cannot do in the sandbox is tested for the cold and
the warm kernel alike in ``test_sandbox_restrictions.py``; here are the
launcher's own duties: it relays a client that uses the ipc transport, never
imports from the submission's folder (``python -P``), refuses to expose a
course root, and fails loudly, running no student code, when the sandbox
cannot be set up (unless ``c.SandboxKernel.allow_unsandboxed``).  The
throwaway course is described in ``tests/sandbox_course.py``.
"""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from jupyter_client.connect import write_connection_file
from jupyter_client.manager import KernelManager
from traitlets.config import Config

from coursekit.grading.sandbox.facts import facts_argument
from coursekit.grading.sandbox.kernelspec import kernelspec_dict
from coursekit.grading.sandbox.options import EXIT_NO_SANDBOX, KERNEL_NAME
from sandbox_course import SECRET, SandboxedKernels, alice, make_course

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("sandbox_kernelspec")]
COLD = SandboxedKernels("cold")


def launch_directly(cwd: Path, argv: list[str] | None = None, timeout: int = 60):
    """Run the launcher as the kernelspec does (or with *argv*), with a fresh connection file and the facts of
    the course *cwd* lies in, as the grader passes them."""
    conn, _ = write_connection_file(str(cwd.parent / f"conn-{time.monotonic_ns()}.json"))
    spec = kernelspec_dict()
    env = dict(os.environ, **spec["env"])
    argv = [a.replace("{connection_file}", conn) for a in (argv or spec["argv"])]
    facts = SandboxedKernels.facts_for(cwd)
    if facts is not None:
        argv.append(facts_argument(facts))
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


# --------------------------------------------------------------------------


def test_does_a_client_using_the_ipc_transport_work(tmp_path):
    """Does a client configured for ipc (absolute c.KernelManager.ip) reach the kernel?"""
    root = make_course(tmp_path / "course")
    sockets = tmp_path / "ipc"
    sockets.mkdir()
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(sockets / "kernel")
    [out] = COLD.run(alice(root), "print(6 * 7)", config=config)
    assert out == 42
    assert list(sockets.iterdir()) == []  # listeners removed at shutdown


def test_does_the_launcher_import_modules_from_the_submission(tmp_path):
    """Does the launcher (outside the sandbox) import a coursekit/ package planted in the submission's folder?"""
    root = make_course(tmp_path / "course")
    marker = tmp_path / "planted-module-ran"
    planted = alice(root) / "coursekit" / "grading" / "sandbox"
    planted.mkdir(parents=True)
    for module in (planted.parent.parent / "__init__.py", planted.parent / "__init__.py", planted / "__init__.py",
                   planted / "launcher.py"):
        module.write_text(f"open({str(marker)!r}, 'w').close()\n")
    [out] = COLD.run(alice(root), "print(1)")
    assert out == 1
    assert not marker.exists()


def test_does_the_launcher_refuse_to_run_without_safe_path(tmp_path):
    """Started without `python -P`, does the launcher refuse to start a kernel (it could import the submission's code)?"""
    root = make_course(tmp_path / "course")
    argv = kernelspec_dict()["argv"]
    assert argv[1] == "-P"
    result = launch_directly(alice(root), argv=[argv[0], *argv[2:]])
    assert result.returncode == EXIT_NO_SANDBOX
    assert "python -P" in result.stderr
    assert "No student code was run" in result.stderr


def test_does_the_launcher_refuse_to_expose_the_course_root(tmp_path):
    """Does the launcher refuse to start in the course root (it would expose source/)?"""
    root = make_course(tmp_path / "course")
    result = launch_directly(root)
    assert result.returncode == EXIT_NO_SANDBOX
    assert "course root" in result.stderr
    assert "No student code was run" in result.stderr


def test_does_a_missing_bwrap_fail_loudly(tmp_path):
    """Does a missing bubblewrap stop the kernel with an error naming the cause?"""
    root = make_course(tmp_path / "course", bwrap_path="/nonexistent/bwrap")
    result = launch_directly(alice(root))
    assert result.returncode == EXIT_NO_SANDBOX
    assert "bubblewrap not found" in result.stderr
    assert "/nonexistent/bwrap" in result.stderr
    assert "No student code was run" in result.stderr
    # Started by jupyter_client as nbgrader does, the kernel process ends with
    # the same status instead of running anything.
    km = KernelManager(kernel_name=KERNEL_NAME)
    km.start_kernel(cwd=str(alice(root)), extra_arguments=[facts_argument(SandboxedKernels.facts_for(alice(root)))])
    try:
        deadline = time.monotonic() + 30
        while km.provisioner.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert km.provisioner.process.poll() == EXIT_NO_SANDBOX
        assert not km.is_alive()
    finally:
        km.shutdown_kernel(now=True)


def test_does_allow_unsandboxed_run_a_plain_kernel_with_a_warning(tmp_path, capfd):
    """With allow_unsandboxed, does a missing bwrap give a warning and a plain kernel?"""
    root = make_course(tmp_path / "course", bwrap_path="/nonexistent/bwrap", allow_unsandboxed=True)
    [out] = COLD.run(alice(root), f"""
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
    root = make_course(tmp_path / "course", bwrap_path=str(fake))
    result = launch_directly(alice(root))
    assert result.returncode == EXIT_NO_SANDBOX
    assert "could not be set up" in result.stderr
    assert "Creating new namespace failed: Operation not permitted" in result.stderr
