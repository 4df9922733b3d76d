"""Processes that end with the process that started them, even when it is killed."""
from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def end_with_parent(parent_pid: int, signum: int = signal.SIGTERM) -> None:
    """Have the kernel send *signum* to this process when its parent ends, even by SIGKILL.

    (Linux sends it when the parent's *thread* that started this process ends.)
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        return
    if os.getppid() != parent_pid:  # it had already ended
        os.kill(os.getpid(), signum)
