"""The grader's secret, and the hidden inputs derived from it.

Hidden cases draw their inputs from a random generator seeded with an HMAC
of this secret, the student and the case: a re-run gives the same inputs, and
so the same grade, but no student can know the inputs before grading.  The
secret lives outside the course folder and outside every sandbox; it is made
on first use on the machine that grades, and must be copied to every other
grading machine (a missing secret there is an error, never a new secret).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
from traitlets import Bool, Unicode
from traitlets.config import Configurable


class SecretError(RuntimeError):
    """The grader's secret is missing or unreadable; the message says where it should be."""


class TrustedGrading(Configurable):
    """Options of the trusted verdict (``c.TrustedGrading.*``)."""

    checks_package = Unicode(
        "hidden_checks",
        help="The grader-only package of hidden checks, a folder of the course root. It is never copied into "
             "release/, autograded/ or feedback/, and no sandbox can see it.",
    ).tag(config=True)

    secret_file = Unicode(
        "",
        help="The grader's secret, from which every student's hidden inputs are derived. Empty means "
             "$XDG_DATA_HOME/coursekit/<course_id>.secret (~/.local/share/coursekit/<course_id>.secret). "
             "Keep it outside the course folder; copy it to every machine that grades.",
    ).tag(config=True)

    create_missing_secret = Bool(
        True,
        help="Make the secret on first use when it is missing. Set False on grading machines that must use "
             "the secret copied from the main one (a Dask worker does).",
    ).tag(config=True)


def checks_dir(course) -> Path:
    """The folder of the hidden checks of *course* (``c.TrustedGrading.checks_package`` in its root)."""
    return course.root / TrustedGrading(config=course.config).checks_package


def secret_path(settings: TrustedGrading, course_id: str) -> Path:
    if settings.secret_file:
        return Path(os.path.expanduser(settings.secret_file))
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    safe = "".join(c for c in course_id if c.isalnum() or c in "-_.") or "course"
    return data_home / "coursekit" / f"{safe}.secret"


def load_secret(settings: TrustedGrading, course_id: str) -> bytes:
    """The secret's bytes; made now (0600) if it is missing and that is allowed."""
    path = secret_path(settings, course_id)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if not settings.create_missing_secret:
            raise SecretError(
                f"{path}: the grader's secret is missing on this grading machine. Copy it from the machine "
                "that graded first (it must be the same everywhere, or re-runs give other hidden inputs), "
                "or set c.TrustedGrading.secret_file.") from None
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            return load_secret(settings, course_id)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
    except OSError as err:
        raise SecretError(f"{path}: the grader's secret cannot be read ({err.strerror})") from None
    if len(data.strip()) < 32:
        raise SecretError(f"{path}: the grader's secret is too short to be one")
    return data.strip()


def case_rng(secret: bytes, *parts) -> np.random.RandomState:
    """A generator seeded from the secret and *parts* (course, student, check, case): unpredictable, reproducible."""
    message = "\0".join(str(p) for p in parts).encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return np.random.RandomState(int.from_bytes(digest[:4], "big"))
