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

import os
import shutil
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
        self.sources = bundle.sources
        #: The definitions' cell rows as OverwriteCells reads them, and the stages that read them from here.
        self.cell_rows: dict = {}
        self.remembering: dict = {}
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
        """The submission's files, then the source folder's over them, as nbgrader lays them out."""
        for name, data in list(files.items()) + list(self.sources[job.assignment].items()):
            path = folder / name
            if not path.resolve().is_relative_to(folder.resolve()):
                continue  # a name that would leave the folder
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
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
            if stage not in self.remembering:
                self.remembering[stage] = remembering(stage, self.cell_rows)
            return self.remembering[stage](config=config)
        if self.kernel_manager_class is not None and isinstance(stage, type) and issubclass(stage, ContainedExecute):
            return stage(config=config, kernel_manager_class=self.kernel_manager_class)
        return stage(config=config)
