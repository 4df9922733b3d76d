"""A throwaway course for the sandbox tests, and running cells in its cold or warm sandboxed kernels.

The course (``make_course``) holds ``nbgrader_config.py`` with
``c.SandboxKernel.memory_limit_mb = 512``, ``source/secret.txt``,
``gradebook.db``, bob's folders under ``autograded/`` and ``submitted/``, and
alice's ``autograded/alice/hw/`` (the folder nbgrader's autograde runs her
kernel in): ``data.txt``, ``data/values.txt``, ``LANGUAGE``, the notebook
``hw.ipynb`` and ``shortcut``, a symlink to ``source/secret.txt`` planted by a
student.

Cells print one JSON line, which the tests read back (``kernel_cells``).
"""
from __future__ import annotations

import os
from pathlib import Path

import kernel_cells
from coursekit.course import Course
from coursekit.grading.sandbox.facts import SandboxFacts, facts_argument, facts_of
from coursekit.grading.sandbox.options import KERNEL_NAME

SECRET = "the model solution"
GRADES = "alice,100\n"
MINE = "mine"  # alice's data.txt, as the self-test's cells expect it
#: alice's folder, as listed from inside either kernel.
LISTING = ["LANGUAGE", "data", "data.txt", "hw.ipynb", "shortcut"]

#: A cell prelude: ``attempt(action)`` returns the errno name an action fails with, or "ok".
ATTEMPT = """
import errno, json, os
def attempt(action):
    try:
        action()
        return "ok"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, type(exc).__name__)
    except Exception as exc:
        return type(exc).__name__
"""


def make_course(root: Path, **options) -> Path:
    """A course folder at *root*; *options* are extra ``c.SandboxKernel`` settings."""
    (root / "source" / "hw").mkdir(parents=True)
    (root / "source" / "secret.txt").write_text(SECRET)
    (root / "gradebook.db").write_text(GRADES)
    for tree in ("autograded", "submitted"):
        (root / tree / "bob" / "hw").mkdir(parents=True)
        (root / tree / "bob" / "hw" / "other.txt").write_text("bob's answers")
    hw = alice(root)
    (hw / "data").mkdir(parents=True)
    (hw / "data.txt").write_text(MINE)
    (hw / "data" / "values.txt").write_text("alice's data")
    (hw / "LANGUAGE").write_text("en\n")
    (hw / "hw.ipynb").write_text("{}")  # the notebook being graded: never shown to the kernel
    os.symlink(root / "source" / "secret.txt", hw / "shortcut")
    lines = ["c = get_config()  # noqa", "c.SandboxKernel.memory_limit_mb = 512"]
    lines += [f"c.SandboxKernel.{key} = {value!r}" for key, value in options.items()]
    (root / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    for folder in [root, *root.rglob("*")]:
        if folder.is_dir() and not folder.is_symlink():
            folder.chmod(0o755)
    return root


def alice(root: Path) -> Path:
    return root / "autograded" / "alice" / "hw"


def bob(root: Path) -> Path:
    return root / "autograded" / "bob" / "hw"


class SandboxedKernels:
    """Starts ``cnn-sandbox`` kernels of one kind: ``cold`` (the kernelspec's launcher, as plain
    ``nbgrader autograde`` starts them) or ``warm`` (forked by the warm sandbox of the course, as
    ``coursekit grade``'s workers start them)."""

    def __init__(self, kind: str):
        from coursekit.grading.sandbox import warm_kernels

        self.kind = kind
        self.options = {"kernel_name": KERNEL_NAME}
        if kind == "warm":
            self.options["kernel_manager_class"] = warm_kernels.WarmKernelManager
        self._facts: list[SandboxFacts] = []

    def __repr__(self):
        return f"<{self.kind} kernels>"

    def execute(self, nb, cwd: Path, timeout: int = 60, **options):
        return kernel_cells.execute(nb, cwd, timeout, **self._options(cwd), **options)

    def run(self, cwd: Path, *sources: str, **options) -> list:
        return kernel_cells.run(cwd, *sources, **self._options(cwd), **options)

    def _options(self, cwd: Path) -> dict:
        """The kernel's options, with the facts of the course *cwd* lies in, as the grading process gives them."""
        facts = self.facts_for(cwd)
        if facts is None:
            return dict(self.options)
        self._facts.append(facts)
        return {**self.options, "extra_arguments": [facts_argument(facts)]}

    @staticmethod
    def facts_for(cwd: Path) -> SandboxFacts | None:
        """The facts of the test course above *cwd* (passing over a config file planted in a student's folder)."""
        cwd = Path(cwd).resolve()
        for folder in (cwd, *cwd.parents):
            if not SandboxFacts().student_controlled(folder) and (folder / "nbgrader_config.py").is_file():
                return facts_of(Course.load(folder))
        return None

    def cwd_inside(self, folder: Path) -> str:
        """What ``os.getcwd()`` says in a kernel started in *folder*."""
        from coursekit.grading.sandbox.warm import SUBMISSION_DIR

        return SUBMISSION_DIR if self.kind == "warm" else str(folder.resolve())

    def close(self) -> None:
        """Stop the warm sandboxes this runner started (cold kernels stop with their client)."""
        if self.kind == "warm":
            from coursekit.grading.sandbox.warm_kernels import sandbox_for

            for facts in self._facts:
                sandbox_for(facts).close()
        self._facts.clear()
