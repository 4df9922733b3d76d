"""The course a command works on: one object, built once, passed to every stage.

A course is a folder holding ``nbgrader_config.py`` (its *root*).  Every path
the kit reads or writes comes from here, through nbgrader's own
``CourseDirectory`` (``db_url``, ``format_path`` and the folder names), so that
the kit works on whichever copy of the course it is run in, like nbgrader.
The language of an assignment and its text direction are decided here too,
and nowhere else.
"""
from __future__ import annotations

import os
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets import List, Unicode
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


class CourseError(RuntimeError):
    """The course cannot be found or read; the message names the folder or file."""


class Course(Configurable):
    """What the kit needs to know about the course (``c.Course.*``)."""

    master = Unicode(
        "cnn_step_by_step",
        help="The nbgrader assignment that holds the English master notebook, in source/<master>/.",
    ).tag(config=True)

    notebook = Unicode(
        "cnn_step_by_step",
        help="The name of the assignment's notebook (without .ipynb), the same in every language.",
    ).tag(config=True)

    languages = List(
        Unicode(), default_value=["en", "fa", "tr"],
        help="The languages students get the assignment in; each but en needs its catalogs in translations/. "
             "Language <lang> is released as the assignment <master>_<lang>.",
    ).tag(config=True)

    source_language = Unicode(
        "en", help="The language the master is written in: it needs no catalog.",
    ).tag(config=True)

    right_to_left = List(
        Unicode(), default_value=["fa", "ar", "he", "ur", "ps", "ckb", "dv", "yi"],
        help="Languages written right to left: their prose and messages are laid out and isolated for it.",
    ).tag(config=True)

    numbers_salt = Unicode(
        "",
        help="The course's public salt of the exercises on paper: each student's numbers are drawn from their id "
             "and this text. It is written into the release, so students see their numbers; change it for a new "
             "term, so that last term's answers fit no one. It is no secret: the hidden inputs of the graded "
             "functions come from the grader's secret.",
    ).tag(config=True)

    def __init__(self, root: Path, config: Config, **kwargs):
        super().__init__(config=config, **kwargs)
        self.root = Path(root).resolve()
        self.config_file = self.root / CONFIG_FILE
        self.coursedir = CourseDirectory(config=config, root=str(self.root))

    # --- finding and loading ---------------------------------------------------------
    @classmethod
    def load(cls, root: Path | str | None = None) -> "Course":
        """The course at *root*, or the one the current folder belongs to."""
        root = Path(root).resolve() if root is not None else find_root(Path.cwd())
        config = load_config(root)
        # nbgrader's stages find the course by CourseDirectory.root, which defaults to the current folder: a
        # grading worker started elsewhere (a Dask worker, `coursekit grade --course-root`) would see another.
        config.CourseDirectory.root = str(root)
        return cls(root, config)

    @classmethod
    def from_config(cls, config: Config) -> "Course":
        """The course an nbgrader stage runs in: nbgrader works in the course root."""
        return cls(CourseDirectory(config=config).root, config)

    # --- the master and the languages ------------------------------------------------
    @property
    def master_dir(self) -> Path:
        return Path(self.coursedir.format_path(self.coursedir.source_directory, ".", self.master))

    @property
    def master_path(self) -> Path:
        return self.master_dir / f"{self.notebook}.ipynb"

    @property
    def translations_dir(self) -> Path:
        return self.root / "translations"

    @property
    def data_dir(self) -> Path:
        return self.root / "course_data"

    def catalog_path(self, domain: str, lang: str) -> Path:
        """``translations/<domain>/<lang>.po``."""
        return self.translations_dir / domain / f"{lang}.po"

    def assignment_for(self, lang: str) -> str:
        """The nbgrader assignment of one language version: ``cnn_step_by_step_fa``."""
        return f"{self.master}_{lang}"

    def language_of(self, assignment: str) -> str | None:
        """``cnn_step_by_step_fa`` -> ``fa``; None for an assignment that is no language version."""
        prefix = f"{self.master}_"
        if assignment.startswith(prefix):
            lang = assignment[len(prefix):]
            if lang in self.languages:
                return lang
        return None

    def direction(self, lang: str | None) -> str:
        """``"rtl"`` or ``"ltr"``."""
        return "rtl" if lang in self.right_to_left else "ltr"

    # --- nbgrader's folders and gradebook ---------------------------------------------
    @property
    def course_id(self) -> str:
        """The gradebook's course (nbgrader's API says "default_course" when none is configured)."""
        return self.coursedir.course_id or "default_course"

    @property
    def db_url(self) -> str:
        """The gradebook's URL; a relative SQLite path is taken relative to the course root."""
        url = self.coursedir.db_url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not os.path.isabs(url[len(prefix):]):
            url = prefix + str(self.root / url[len(prefix):])
        return url

    @property
    def sqlite_path(self) -> Path | None:
        """The gradebook file, when the gradebook is SQLite."""
        url = self.db_url
        return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None

    def folder(self, step: str, student: str = ".", assignment: str = ".") -> Path:
        """An nbgrader folder: ``folder("release_directory", assignment="a")`` -> ``<root>/release/a``."""
        name = getattr(self.coursedir, step)
        return Path(os.path.normpath(self.coursedir.format_path(name, student, assignment)))

    def release_dir(self, assignment: str) -> Path:
        return self.folder("release_directory", assignment=assignment)

    def release_notebook(self, assignment: str) -> Path:
        return self.release_dir(assignment) / f"{self.notebook}.ipynb"

    def source_dir(self, assignment: str) -> Path:
        return self.folder("source_directory", assignment=assignment)

    def submitted_dir(self, student: str, assignment: str) -> Path:
        return self.folder("submitted_directory", student, assignment)

    def autograded_dir(self, student: str, assignment: str) -> Path:
        return self.folder("autograded_directory", student, assignment)

    def autograded_notebook(self, student: str, assignment: str) -> Path:
        return self.autograded_dir(student, assignment) / f"{self.notebook}.ipynb"

    def feedback_dir(self, student: str, assignment: str) -> Path:
        return self.folder("feedback_directory", student, assignment)

    @property
    def submitted_root(self) -> Path:
        return self.root / self.coursedir.submitted_directory

    @property
    def student_trees(self) -> frozenset[str]:
        """nbgrader's folders whose contents come from students."""
        c = self.coursedir
        return frozenset({c.submitted_directory, c.autograded_directory, c.feedback_directory})

    def relative(self, path: Path) -> str:
        """*path* as shown to an instructor: relative to the course root when inside it."""
        path = Path(path)
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)


def find_root(start: Path) -> Path:
    """*start* or its nearest parent that holds ``nbgrader_config.py``."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise CourseError(f"{start}: no {CONFIG_FILE} here or in any parent folder; run the command in a course "
                      "folder, or give --course-root")


def load_config(root: Path) -> Config:
    """Read ``<root>/nbgrader_config.py`` into a traitlets Config."""
    path = Path(root) / CONFIG_FILE
    if not path.is_file():
        raise CourseError(f"{path}: no such file; a course root holds {CONFIG_FILE}")
    loader = PyFileConfigLoader(path.name, path=str(path.parent))
    try:
        return loader.load_config()
    except Exception as err:  # a syntax error or a failing import in the instructor's file
        raise CourseError(f"{path}: cannot be loaded: {type(err).__name__}: {err}") from err
