"""The course facts a sandbox needs, computed once by the grading process and handed to each kernel launcher.

A kernel launcher starts in a student's folder.  Whatever it found there by
itself (a ``nbgrader_config.py`` up the tree, an environment variable) a
student could have planted, and loading a config file runs its code outside
the sandbox.  So a launcher finds nothing: the process that grades builds
these facts from its ``Course`` (the root, the configured student folders,
the hidden checks and the secret to protect, the ``c.SandboxKernel``
options), writes them as JSON (data, never code) to a private file, and
passes its path as the kernel's argument ``--coursekit-facts=PATH``.  Cold
launchers and warm sandboxes read that, and nothing else.

A kernel started without facts (by anything but the grader) gets the
sandbox's default options and knows no course.
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .folders import owned_folder
from .options import SandboxError, SandboxKernel

#: The kernel argument that carries the facts file.
FACTS_ARG = "--coursekit-facts="


@dataclass(frozen=True)
class SandboxFacts:
    """What a sandbox knows of the course it grades for."""

    #: The course root (no bind may contain it), or None for a kernel that grades no course.
    root: str | None = None
    #: nbgrader's folders holding students' files (``submitted``, ``autograded``, ``feedback`` by default).
    student_trees: tuple = ("submitted", "autograded", "feedback")
    #: Paths no bind may touch: the hidden checks folder and the grader's secret.
    secrets: tuple = ()
    #: The ``c.SandboxKernel`` options, as values.
    options: dict = field(default_factory=dict)

    def settings(self) -> SandboxKernel:
        return SandboxKernel(**self.options)

    def protected(self) -> dict:
        """The keyword arguments of ``mounts.Protected``."""
        return {"roots": [self.root] if self.root else [], "secrets": list(self.secrets)}

    def student_controlled(self, folder) -> bool:
        """May *folder* hold a student's files (``<tree>/<student>/<assignment>/`` and below)?"""
        parts = Path(folder).parts
        trees = set(self.student_trees)
        return any(part in trees and len(parts) - index - 1 >= 2 for index, part in enumerate(parts))

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "SandboxFacts":
        data = json.loads(text)
        if type(data) is not dict or set(data) - {"root", "student_trees", "secrets", "options"}:
            raise SandboxError("the course facts file is malformed")
        facts = cls(root=data.get("root"), student_trees=tuple(data.get("student_trees", ())),
                    secrets=tuple(data.get("secrets", ())), options=dict(data.get("options", {})))
        facts.settings()  # options of the wrong type fail here, with traitlets' message
        return facts


def facts_of(course) -> SandboxFacts:
    """The facts of *course* (a ``coursekit.course.Course``), as the grading process knows them."""
    from ..verdict.secret import TrustedGrading, checks_dir, secret_path

    trusted = TrustedGrading(config=course.config)
    settings = SandboxKernel(config=course.config)
    options = {name: getattr(settings, name) for name in settings.trait_names(config=True)}
    return SandboxFacts(root=str(course.root), student_trees=tuple(sorted(course.student_trees)),
                        secrets=(str(checks_dir(course)), str(secret_path(trusted, course.course_id))),
                        options=options)


_written: dict = {}


def facts_argument(facts: SandboxFacts) -> str:
    """``--coursekit-facts=PATH`` for *facts*, written once per process to a private file."""
    text = facts.to_json()
    path = _written.get(text)
    if path is None or not os.path.exists(path):
        folder = owned_folder("cnn-facts-")  # swept by remove_stale_folders if this process is killed
        atexit.register(shutil.rmtree, folder, True)
        path = os.path.join(folder, "facts.json")
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        _written[text] = path
    return FACTS_ARG + path


def remove_written() -> None:
    """Remove the facts files this process wrote (a grading worker that ends; atexit does it otherwise)."""
    for path in list(_written.values()):
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)
    _written.clear()


def take_facts(args: list[str]) -> tuple[SandboxFacts, list[str]]:
    """The facts named in the kernel arguments *args* (defaults when none are), and the other arguments."""
    rest = [arg for arg in args if not arg.startswith(FACTS_ARG)]
    given = [arg[len(FACTS_ARG):] for arg in args if arg.startswith(FACTS_ARG)]
    if not given:
        return SandboxFacts(), rest
    try:
        return SandboxFacts.from_json(Path(given[-1]).read_text(encoding="utf-8")), rest
    except Exception as err:  # noqa: BLE001 - unreadable, not JSON, unknown keys, options of the wrong type
        raise SandboxError(f"{given[-1]}: the course facts cannot be read ({err})") from None
