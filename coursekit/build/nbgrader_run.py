"""Running real ``nbgrader`` commands in a course, as an instructor would type them."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message holds its output."""


def nbgrader_env() -> dict:
    """The environment for nbgrader subprocesses: this interpreter's bin first (nbgrader runs alembic)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


@contextlib.contextmanager
def environment(**values):
    """Set environment variables for a while, then put back what was there.

    (nbgrader's own ``utils.setenv`` looks up the old value by the new value's
    name, and so deletes a variable such as PATH when it is done.)
    """
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_nbgrader(args, root: Path, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader <args>`` in the course *root*; raise NbgraderError with its log on failure."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=root, env=nbgrader_env(), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise NbgraderError(f"`nbgrader {' '.join(args)}` failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    if not quiet:
        sys.stdout.write(proc.stdout + proc.stderr)
    return proc
