"""In a grading worker: run one submission through nbgrader's autograde stages, all but the gradebook's writes.

This is what ``nbgrader autograde`` does: the course's own
``Autograde.sanitize_preprocessors``, then its ``autograde_preprocessors``
(``ContainedExecute`` among them, which runs the notebook in the sandbox and
writes the verdicts), with ``SaveAutoGrades`` deciding the scores and
comments without writing them (``stages.py``).  It works in a private folder
and reads only the batch's definitions, never the course's gradebook: the
coordinator records the autograded notebook, its scores and comments
(``record.py``), so a worker that dies leaves nothing half-written.
"""
from __future__ import annotations

import importlib.util
import marshal
import os
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from traitlets.utils.importstring import import_item

from ...build.nbgrader_run import environment
from ...course import Course
from ..sandbox.folders import owned_folder
from .bundle import Bundle
from .options import BatchGrade
from .stages import remembering, worker_stages
from .submissions import Job

@dataclass
class Executed:
    """A worker's answer: the autograded notebook (JSON) and what SaveAutoGrades would write, or an error.

    ``grades`` is ``{grade_id: auto_score}``, ``comments`` is ``{grade_id: auto_comment}``
    (``stages.CollectAutoGrades``); the coordinator writes both, and the notebook, as they are.
    """

    notebook: str | None
    seconds: float
    error: str = ""
    grades: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)


def with_bytecode(files: dict[str, bytes]) -> dict[str, bytes]:
    """An assignment's source files, with the bytecode of each Python module beside it, as ``__pycache__``
    files checked against their source's hash (PEP 552).

    A kernel then imports ``cnn_checks`` and its library without compiling them (10-20 ms of each notebook:
    nothing in the sandbox may write bytecode).  Laid out after the student's files, they also replace any
    bytecode of the same name a submission brought.  A module that does not compile gets none: the kernel
    reports its error as it would.
    """
    out = dict(files)
    if sys.implementation.cache_tag is None:
        return out
    for name, source in files.items():
        if not name.endswith(".py"):
            continue
        try:
            code = compile(source, name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue
        header = importlib.util.MAGIC_NUMBER + (0b11).to_bytes(4, "little")  # hash-based, checked
        out[importlib.util.cache_from_source(name, optimization="")] = (
            header + importlib.util.source_hash(source) + marshal.dumps(code))
    return out


def lay_out(folder: Path, submitted: dict[str, bytes], sources: dict[str, bytes]) -> None:
    """The submission's files, then the source folder's over them, as nbgrader lays them out.

    A source file wins over whatever of the submission's stands in its way: a file where one of its folders
    must go, a folder where it must go.  A name that would leave *folder* is skipped.
    """
    top = folder.resolve()
    for name, data in list(submitted.items()) + list(sources.items()):
        path = folder / name
        if not path.resolve().is_relative_to(top):
            continue
        for step in reversed(path.relative_to(folder).parents[:-1]):  # its folders, from the top down
            if (folder / step).is_symlink() or ((folder / step).exists() and not (folder / step).is_dir()):
                (folder / step).unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        path.write_bytes(data)


def autograde_stages(config):
    """nbgrader's Autograde stages as the course configures them: (sanitizing, grading)."""
    from nbgrader.converters import Autograde

    traits = Autograde.class_traits()
    return tuple(config.Autograde[name] if name in config.Autograde else traits[name].default_value
                 for name in ("sanitize_preprocessors", "autograde_preprocessors"))


class Worker:
    """One grading worker's state: its course, the batch's bundle, its folders and its warm sandbox."""

    def __init__(self, course_root: Path, bundle: Bundle):
        self.course = Course.load(course_root)
        self.settings = BatchGrade(config=self.course.config)
        base = self.course.root / self.settings.staging_directory
        base.mkdir(parents=True, exist_ok=True)
        self.folder = Path(owned_folder("worker-", base))
        os.chmod(self.folder, 0o755)  # the sandbox user must be able to walk to the notebook's folder
        self.definitions = self.folder / "definitions.db"
        self.definitions.write_bytes(bundle.definitions)
        self.sources = {assignment: with_bytecode(files) for assignment, files in bundle.sources.items()}
        #: The definitions' cell rows as OverwriteCells reads them, and the stages that read them from here.
        self.cell_rows: dict = {}
        self.remembering_stages: dict = {}
        #: The kernel manager the grading stage is given (warm kernels from this worker's sandbox), or None.
        self.kernel_manager_class = None
        if self.settings.warm_kernels:
            from ..sandbox.warm_kernels import WarmKernelManager, prepare_worker

            if prepare_worker(self.course) is not None:
                self.kernel_manager_class = WarmKernelManager

    def close(self) -> None:
        from ..sandbox.warm_kernels import close_all

        close_all()
        shutil.rmtree(self.folder, ignore_errors=True)

    def execute(self, job: Job, files: dict[str, bytes]) -> Executed:
        started = time.perf_counter()
        folder = self.folder / job.student / job.assignment
        try:
            self._lay_out(folder, job, files)
            nb, found = self._run(folder, job, files)
            return Executed(nbformat.writes(nb), time.perf_counter() - started, grades=found["grades"],
                            comments=found["comments"])
        except Exception as err:  # noqa: BLE001 - one submission never stops the worker
            detail = traceback.format_exc(limit=4)
            return Executed(None, time.perf_counter() - started, f"{type(err).__name__}: {err}\n{detail}")
        finally:
            shutil.rmtree(self.folder / job.student, ignore_errors=True)

    def _lay_out(self, folder: Path, job: Job, files: dict[str, bytes]) -> None:
        lay_out(folder, files, self.sources[job.assignment])
        for path in [self.folder / job.student, *(p for p in (self.folder / job.student).rglob("*"))]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)

    def _run(self, folder: Path, job: Job, files: dict[str, bytes]):
        """The autograded notebook and ``CollectAutoGrades``' findings."""
        config = self.course.config
        notebook = self.course.notebook
        name = f"{notebook}.ipynb"
        if name not in files:
            raise FileNotFoundError(f"{job.student}/{job.assignment}: no {name} was submitted")
        nb = nbformat.reads(files[name].decode("utf-8"), as_version=4)  # the bytes laid out, not read back
        resources = {
            "unique_key": notebook,
            "output_files_dir": f"{notebook}_files",
            "nbgrader": {"student": job.student, "assignment": job.assignment, "notebook": notebook,
                         "db_url": f"sqlite:///{self.definitions}"},
            "metadata": {"path": str(folder), "name": notebook},
        }
        sanitizing, grading = worker_stages(*autograde_stages(config))
        # The stages are called as nbconvert's exporter calls them, without its copies and (de)serializations.
        for stages, env in ((sanitizing, {}), (grading, {"NBGRADER_EXECUTION": "autograde"})):
            with environment(**env):
                for stage in stages:
                    preprocessor = self._stage(import_item(stage) if isinstance(stage, str) else stage, config)
                    nb, resources = preprocessor(nb, resources)
        return nb, resources["autogrades"]

    def _stage(self, stage, config):
        """The stage *stage* for this worker: the grading stage gets the worker's kernel manager as an argument
        (nbgrader's Execute gives its own to the constructor, which a config value cannot override);
        OverwriteCells reads the definitions' rows once per worker (``stages.remembering``)."""
        from nbgrader.preprocessors import OverwriteCells

        from ..contained_execute import ContainedExecute

        if isinstance(stage, type) and issubclass(stage, OverwriteCells):
            if stage not in self.remembering_stages:
                self.remembering_stages[stage] = remembering(stage, self.cell_rows)
            return self.remembering_stages[stage](config=config)
        if self.kernel_manager_class is not None and isinstance(stage, type) and issubclass(stage, ContainedExecute):
            return stage(config=config, kernel_manager_class=self.kernel_manager_class)
        return stage(config=config)
