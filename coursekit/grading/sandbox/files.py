"""Files of the warm sandbox, handled from outside it without ever following a link the submission made.

Each path below the sandbox's root (``/proc/<pid>/root``) is opened one
component at a time with ``O_NOFOLLOW``; sockets are accepted only as socket
inodes; wiping never crosses onto another file system (the read-only binds).
"""
from __future__ import annotations

import os
import shutil
import socket
import stat
from pathlib import Path

from .options import SandboxError


class WarmSandboxError(SandboxError):
    """The warm sandbox failed; the message names the cause."""


def open_beneath(root_fd: int, relpath: str, flags: int) -> int:
    """Open *relpath* below the directory *root_fd*, following no symlink on the way."""
    parts = [p for p in relpath.split("/") if p]
    fd = root_fd
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            mode = flags if last else os.O_PATH | os.O_DIRECTORY
            new = os.open(part, mode | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            if fd != root_fd:
                os.close(fd)
            fd = new
    except BaseException:
        if fd != root_fd:
            os.close(fd)
        raise
    return fd


def socket_fd(root_fd: int, relpath: str) -> int:
    """An ``O_PATH`` descriptor of the socket *relpath* below *root_fd*.

    Raises OSError unless every component is a real directory (no symlink) and
    the last one a socket inode.
    """
    fd = open_beneath(root_fd, relpath, os.O_PATH)
    if not stat.S_ISSOCK(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileNotFoundError(f"{relpath} is not a socket")
    return fd


def listening(fd: int) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1)
    try:
        probe.connect(f"/proc/self/fd/{fd}")
        return True
    except OSError:
        return False
    finally:
        probe.close()


def wipe_beneath(root_fd: int, relpath: str, keep_links: dict | None = None) -> None:
    """Delete everything inside the folder *relpath* below *root_fd* (not the folder).

    Nothing on another file system is touched: the read-only binds that the
    sandbox has inside that folder (the venv may live under ``/tmp``), and the
    folders leading to them, stay.  *keep_links* maps paths (relative to the
    root) of the sandbox's own symlinks to their targets; they stay too.
    """
    keep_links = keep_links or {}
    fd = open_beneath(root_fd, relpath, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _wipe_fd(fd, os.fstat(fd).st_dev, relpath.strip("/") + "/", keep_links)
    finally:
        os.close(fd)


def _wipe_fd(dir_fd: int, dev: int, prefix: str, keep_links: dict) -> bool:
    """Empty the folder *dir_fd*; True if nothing at all is left in it."""
    empty = True
    for name in os.listdir(dir_fd):
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if st.st_dev != dev:
            empty = False  # a mount point of the sandbox: never crossed
            continue
        path = prefix + name
        if stat.S_ISLNK(st.st_mode) and path in keep_links:
            if os.readlink(name, dir_fd=dir_fd) == keep_links[path]:
                empty = False
                continue
        if stat.S_ISDIR(st.st_mode):
            sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                          dir_fd=dir_fd)
            try:
                if os.fstat(sub).st_ino != st.st_ino:
                    raise WarmSandboxError(f"/{path} changed while it was being wiped")
                nothing_left = _wipe_fd(sub, dev, path + "/", keep_links)
            finally:
                os.close(sub)
            if nothing_left:
                os.rmdir(name, dir_fd=dir_fd)
            else:
                empty = False
        else:
            os.unlink(name, dir_fd=dir_fd)
    return empty


def empty_folder(folder: Path) -> None:
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def copy_submission_files(src: Path, dest: Path) -> list[str]:
    """Copy the assignment files of *src* into the empty folder *dest*.

    A notebook is never copied: in its place goes an empty file of the same
    name that nobody may open, which is how the cold sandbox shows notebooks
    (bound to /dev/null on a nodev mount).  Symlinks are copied as symlinks
    (they resolve inside the sandbox), other special files are skipped.
    Folders become 0755 and files 0644 (0755 if executable), so the sandbox
    user can read them.  Returns the relative paths copied.
    """
    copied = []

    def walk(s: Path, d: Path, prefix: str) -> None:
        with os.scandir(s) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                name = entry.name
                target = d / name
                if entry.is_symlink():
                    os.symlink(os.readlink(entry.path), target)
                elif name.endswith(".ipynb") and entry.is_file(follow_symlinks=False):
                    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0))
                    os.chmod(target, 0)
                elif entry.is_dir(follow_symlinks=False):
                    target.mkdir()
                    os.chmod(target, 0o755)
                    walk(Path(entry.path), target, prefix + name + "/")
                elif entry.is_file(follow_symlinks=False):
                    shutil.copyfile(entry.path, target, follow_symlinks=False)
                    executable = entry.stat(follow_symlinks=False).st_mode & 0o111
                    os.chmod(target, 0o755 if executable else 0o644)
                else:
                    continue
                copied.append(prefix + name)

    walk(Path(src), Path(dest), "")
    return copied
