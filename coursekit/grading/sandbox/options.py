"""The sandbox's options (``c.SandboxKernel.*``) and its fixed paths.

What the sandbox knows of the course it grades for comes from the grading process (``facts.py``).
"""
from __future__ import annotations

import os
import shutil

from traitlets import Bool, Integer, List, Unicode
from traitlets.config import Configurable

#: Name and display name of the installed kernelspec.
KERNEL_NAME = "cnn-sandbox"
DISPLAY_NAME = "Python 3 (grading sandbox)"

#: The five kernel channels, in the order of the sandbox's socket numbers.
CHANNELS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")

#: Paths inside the sandbox.
SOCKET_DIR = "/run/kernel"
SOCKET_PREFIX = SOCKET_DIR + "/k"
INNER_CONNECTION_FILE = SOCKET_DIR + "/connection.json"
SANDBOX_HOME = "/tmp/home"
SANDBOX_MPLCONFIGDIR = "/tmp/matplotlib"

#: Exit status of the launcher when the sandbox cannot be set up.
EXIT_NO_SANDBOX = 3
#: Exit status of the in-sandbox prelude when it cannot drop privileges.
EXIT_PRELUDE_FAILED = 121


class SandboxError(RuntimeError):
    """The sandbox could not be set up; the message names the cause."""


class SandboxKernel(Configurable):
    """Options of the grading sandbox (``c.SandboxKernel.*`` in nbgrader_config.py)."""

    memory_limit_mb = Integer(
        2048, min=0,
        help="Address-space limit (RLIMIT_AS) of the kernel process, in MiB. "
             "Allocations beyond it raise MemoryError. 0 means no limit.",
    ).tag(config=True)

    cpu_time_limit_s = Integer(
        60, min=0,
        help="CPU-time limit (RLIMIT_CPU) of the kernel process, in seconds, for "
             "the whole notebook. The kernel is killed when it is used up. "
             "0 means no limit.",
    ).tag(config=True)

    max_processes = Integer(
        256, min=0,
        help="RLIMIT_NPROC of the sandbox user: processes and threads, counted "
             "over all processes of that uid on the host (about 15 per kernel). "
             "0 means no limit.",
    ).tag(config=True)

    tmp_size_mb = Integer(
        256, min=1,
        help="Size of the private tmpfs mounted on /tmp in the sandbox, in MiB. "
             "It is the only place where student code can write files.",
    ).tag(config=True)

    allow_unsandboxed = Bool(
        False,
        help="If the sandbox cannot be set up (bubblewrap missing, namespaces not "
             "permitted), run a plain, unconfined ipykernel after printing a "
             "warning, instead of failing. Unsafe for grading untrusted code.",
    ).tag(config=True)

    extra_readonly_paths = List(
        Unicode(), default_value=[],
        help="Further host paths (files or folders) to bind read-only into the "
             "sandbox at the same path, e.g. a dataset folder outside the venv.",
    ).tag(config=True)

    bwrap_path = Unicode(
        "bwrap",
        help="The bubblewrap executable: a path, or a bare name looked up on PATH.",
    ).tag(config=True)

    sandbox_uid = Integer(
        65534, min=1,
        help="User id of the kernel inside the sandbox (must not be 0).",
    ).tag(config=True)

    sandbox_gid = Integer(
        65534, min=1,
        help="Group id of the kernel inside the sandbox (must not be 0).",
    ).tag(config=True)

    def resolve_bwrap(self) -> str:
        """Absolute path of bubblewrap, or :class:`SandboxError` naming the cause."""
        name = self.bwrap_path
        found = shutil.which(name) if os.sep not in name else name
        if not found or not os.path.isfile(found):
            raise SandboxError(
                f"bubblewrap not found: c.SandboxKernel.bwrap_path = {name!r} "
                "does not name an existing file (install it with: apt-get install "
                "bubblewrap)")
        if not os.access(found, os.X_OK):
            raise SandboxError(f"bubblewrap at {found} is not executable")
        return os.path.abspath(found)

    def limits(self) -> dict[str, tuple[int, int]]:
        """The resource limits set in the sandbox, as ``{RLIMIT_name: (soft, hard)}``."""
        out = {"RLIMIT_CORE": (0, 0)}
        if self.memory_limit_mb:
            size = self.memory_limit_mb * 2**20
            out["RLIMIT_AS"] = (size, size)
        if self.cpu_time_limit_s:
            # SIGXCPU at the soft limit kills the kernel; SIGKILL one second later
            # if the student code ignores SIGXCPU.
            out["RLIMIT_CPU"] = (self.cpu_time_limit_s, self.cpu_time_limit_s + 1)
        if self.max_processes:
            out["RLIMIT_NPROC"] = (self.max_processes, self.max_processes)
        return out
