"""nbgrader's ``find_all_files``: the files of a folder that ``CourseDirectory.ignore`` does not exclude.

nbgrader decides whether a name is ignored by globbing its whole folder once
per pattern and looking for the name in the result (``utils.is_ignored``):
for a submission of 20 files and 6 patterns, 120 directory listings, 15 ms
of the coordinator for every result it records.  ``kept_files`` decides the
same from the name alone, as ``glob`` would: a pattern without wildcards
matches the name it spells; a pattern with wildcards matches as ``fnmatch``
does, except that a name starting with a dot is matched only by a pattern
starting with a dot.  A pattern or folder for which that would not be exact
(a pattern naming a path, a folder whose own path has wildcard characters)
is decided by nbgrader's ``is_ignored`` itself.
"""
from __future__ import annotations

import fnmatch
import glob
import os

from nbgrader.utils import is_ignored


def _matches(name: str, pattern: str) -> bool:
    """Whether ``glob.glob(os.path.join(folder, pattern))`` lists ``os.path.join(folder, name)``."""
    if not glob.has_magic(pattern):
        return name == pattern
    if name.startswith(".") and not pattern.startswith("."):
        return False
    return fnmatch.fnmatchcase(os.path.normcase(name), os.path.normcase(pattern))


def ignored(path: str, patterns: list[str] | None) -> bool:
    """nbgrader's ``is_ignored(path, patterns)``."""
    if not patterns:
        return False
    folder, name = os.path.split(path)
    if glob.has_magic(folder) or not name or any(os.sep in p or (os.altsep and os.altsep in p) for p in patterns):
        return is_ignored(path, patterns)
    return any(_matches(name, pattern) for pattern in patterns)


def kept_files(path: str, exclude: list[str] | None = None) -> list[str]:
    """nbgrader's ``find_all_files(path, exclude)``, in its order."""
    files = []
    to_skip = []
    for dirname, dirnames, filenames in os.walk(path):
        if ignored(dirname, exclude) or dirname in to_skip:
            to_skip.extend([os.path.join(dirname, x) for x in dirnames])
            continue
        for filename in filenames:
            fullpath = os.path.join(dirname, filename)
            if not ignored(fullpath, exclude):
                files.append(fullpath)
    return files
