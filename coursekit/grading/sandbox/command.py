"""The one bubblewrap command line: namespaces, user, mounts and the program run inside.

The cold kernel (``launcher``) and the warm sandbox (``warm``) both build
their command here, from the same options, mount plan and safety checks.
"""
from __future__ import annotations

import json
import os
import sys

from .mounts import MountPlan, Protected
from .options import SANDBOX_HOME, SANDBOX_MPLCONFIGDIR, SandboxKernel

#: Environment variables handed on to the kernel when the grader sets them.
PASSED_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "OMP_NUM_THREADS",
              "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MALLOC_ARENA_MAX")


def identity_files(folder: str, settings: SandboxKernel) -> dict[str, str]:
    """Write ``passwd``, ``group`` and ``hosts`` for the sandbox into *folder*; ``{sandbox path: host file}``."""
    uid, gid = settings.sandbox_uid, settings.sandbox_gid
    contents = {
        "passwd": f"student:x:{uid}:{gid}:grading sandbox:{SANDBOX_HOME}:/usr/sbin/nologin\n",
        "group": f"student:x:{gid}:\n",
        "hosts": "127.0.0.1 localhost grading-sandbox\n::1 localhost\n",
    }
    for name, text in contents.items():
        write_readable(os.path.join(folder, name), text)
    return {f"/etc/{name}": os.path.join(folder, name) for name in contents}


def write_readable(path: str, text: str) -> None:
    """A file the sandbox user may read; the folder holding it stays private (0700)."""
    with open(path, "w") as fh:
        fh.write(text)
    os.chmod(path, 0o644)


def bwrap_argv(settings: SandboxKernel, *, bwrap: str, plan: MountPlan, private_files: dict[str, str],
               protected: Protected, chdir: str, privileged: bool, program: str, spec: dict,
               status_fd: int | None = None) -> list[str]:
    """bubblewrap running ``python -I -m <program> <spec as JSON>`` in a new sandbox.

    *private_files* maps sandbox paths to host files bound read-only there;
    neither they nor the plan's binds may show a *protected* path.
    """
    protected.check([*plan.binds, *private_files.values()])
    argv = [bwrap, "--die-with-parent"]
    if status_fd is not None:
        argv += ["--json-status-fd", str(status_fd)]
    argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
             "--unshare-cgroup-try", "--hostname", "grading-sandbox"]
    if privileged:
        # The prelude needs these three to drop to the sandbox user; it loses
        # them (and everything else) before any student code runs.
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID",
                 "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    else:
        argv += ["--unshare-user", "--disable-userns",
                 "--uid", str(settings.sandbox_uid), "--gid", str(settings.sandbox_gid)]
    argv += plan.args(tmp_size=settings.tmp_size_mb * 2**20, private_files=private_files)
    argv += ["--remount-ro", "/", "--chdir", chdir]
    # -I: nothing from the environment or the working folder decides what is imported.
    return argv + ["--", sys.executable, "-I", "-m", program, json.dumps(spec)]


def confinement(settings: SandboxKernel, **extra) -> dict:
    """What the prelude applies before any student code: limits, user, folders to make."""
    return {"limits": settings.limits(), "uid": settings.sandbox_uid, "gid": settings.sandbox_gid,
            "mkdirs": [SANDBOX_HOME, SANDBOX_MPLCONFIGDIR], **extra}


def sandbox_env() -> dict:
    """The environment of every process in the sandbox."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": SANDBOX_HOME,
        "USER": "student",
        "LOGNAME": "student",
        "TMPDIR": "/tmp",
        "MPLCONFIGDIR": SANDBOX_MPLCONFIGDIR,
        "XDG_CACHE_HOME": SANDBOX_HOME + "/.cache",
        "XDG_CONFIG_HOME": SANDBOX_HOME + "/.config",
        "IPYTHONDIR": SANDBOX_HOME + "/.ipython",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "LANG": "C.UTF-8",
        # glibc reserves a 64 MiB arena per thread; ipykernel's dozen threads
        # would use up most of a 1 GiB address-space limit before any student code.
        "MALLOC_ARENA_MAX": "2",
        # The kernel's parent in the sandbox is bubblewrap's init (pid 1); bwrap's
        # --die-with-parent already ends the kernel with the launcher.  (A parent
        # of 1 also stops ipykernel from printing its Ctrl-C banner.)
        "JPY_PARENT_PID": "1",
        # ipykernel's debugger warns about frozen modules at every start; nobody debugs a graded kernel.
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    for name in PASSED_ENV:
        if name in os.environ:
            env[name] = os.environ[name]
    return env
