"""The sandboxes' folders on the host, each named for the process that owns it.

A process killed by SIGKILL cannot delete its folders; the pid in a folder's
name tells a later run which ones nobody owns any more.  Every batch starts
by removing those (:func:`remove_stale_folders`).
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile

#: A cold kernel's launcher makes ``cnn-sandbox-<pid>-*`` and a worker's warm sandbox ``cnn-warm-<pid>-*`` in the
#: temp folder; a grading worker lays its submissions out in ``worker-<pid>-*`` in the course's staging folder;
#: a batch's coordinator leaves its workers' bundle in ``cnn-bundle-<pid>-*`` in the temp folder; a grading process
#: writes the course facts it hands kernel launchers in ``cnn-facts-<pid>-*`` there (for its whole life).
PREFIXES = ("cnn-sandbox-", "cnn-warm-", "worker-", "cnn-bundle-", "cnn-facts-")
OWNED = re.compile("(?:%s)([0-9]+)-[^/]+" % "|".join(map(re.escape, PREFIXES)))


def owned_folder(prefix: str, base: str | os.PathLike | None = None) -> str:
    """A new private folder in *base* (the temp folder by default), named for this process."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown sandbox folder prefix {prefix!r}")
    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=base)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_folders(base: str | os.PathLike | None = None) -> list[str]:
    """Delete this user's folders in *base* (the temp folder by default) whose owning process is gone."""
    removed = []
    try:
        entries = list(os.scandir(base or tempfile.gettempdir()))
    except OSError:
        return removed
    for entry in entries:
        match = OWNED.fullmatch(entry.name)
        if match is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or process_exists(int(match.group(1))):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed
