"""Build stage: master notebook -> one source per language -> nbgrader release.

For each language this writes ``source/<master>_<lang>/`` (generated; not
committed) and then runs the real ``nbgrader generate_assignment`` on it, with
the solution stubs in that language.  Translation has to happen before
nbgrader: nbgrader checksums the cells it locks and restores them from the
gradebook at autograde time, so the language of a cell is fixed once nbgrader
has seen it.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from traitlets import List, Unicode
from traitlets.config import Configurable

from . import COURSE_ROOT, MASTER_ASSIGNMENT, NOTEBOOK_NAME
from .config import load_config

GENERATED_BY = "python -m coursekit build"
#: Files and folders of the master's folder that students do not need.
SKIPPED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


class ReleaseBuild(Configurable):
    """Options of ``coursekit build``."""

    languages = List(
        Unicode(), default_value=["en", "fa", "tr"],
        help="The languages to build student versions in; each must have catalogs in translations/ (except en).",
    ).tag(config=True)

    code_stub = Unicode(
        "YOUR CODE HERE",
        help="The English comment that replaces each solution region; translated through the messages catalog.",
    ).tag(config=True)

    text_stub = Unicode(
        "YOUR ANSWER HERE",
        help="The English text that replaces each written answer; translated through the messages catalog.",
    ).tag(config=True)


class BuildError(RuntimeError):
    """The build stopped; the message says where and why."""


def assignment_for(lang: str) -> str:
    """The nbgrader assignment name of one language version."""
    return f"{MASTER_ASSIGNMENT}_{lang}"


def master_path(root: Path = COURSE_ROOT) -> Path:
    return Path(root) / "source" / MASTER_ASSIGNMENT / f"{NOTEBOOK_NAME}.ipynb"


def nbgrader_env() -> dict:
    """The environment for nbgrader subprocesses: this interpreter's bin first (nbgrader runs alembic)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(args, root: Path, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run a real ``nbgrader`` command in the course root; raise BuildError with its log on failure."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=root, env=nbgrader_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"`nbgrader {' '.join(args)}` failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    if not quiet:
        sys.stdout.write(proc.stdout + proc.stderr)
    return proc


def language_notebook(master, lang: str, root: Path):
    """The master notebook in *lang*: prose translated, code and metadata untouched."""
    nb = nbformat.from_dict(master)
    if lang != "en":
        from .rtl import wrap_rtl
        from .translate_notebook import translate_notebook

        nb = translate_notebook(nb, Path(root) / "translations" / "notebook" / f"{lang}.po", lang)
        if lang == "fa":
            nb = wrap_rtl(nb, lang)
    nb.metadata.setdefault("coursekit", {})
    nb.metadata["coursekit"].update({"language": lang, "generated_by": GENERATED_BY})
    return nb


def message_translator(lang: str, root: Path):
    """gettext for the messages domain of *lang* (identity for English)."""
    if lang == "en":
        return lambda text: text
    from .catalogs import load_catalog

    catalog = load_catalog(Path(root) / "translations" / "messages" / f"{lang}.po")

    def translate(text):
        message = catalog.get(text)
        if message is None or not message.string or message.fuzzy:
            raise BuildError(f"translations/messages/{lang}.po: no translation for {text!r}")
        return message.string
    return translate


def write_language_source(lang: str, root: Path = COURSE_ROOT) -> Path:
    """Write ``source/<master>_<lang>/``: the notebook in *lang* and everything its checks read."""
    root = Path(root)
    master_dir = root / "source" / MASTER_ASSIGNMENT
    out = root / "source" / assignment_for(lang)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(master_dir, out, ignore=SKIPPED)
    (out / f"{NOTEBOOK_NAME}.ipynb").unlink()

    data = out / "data"
    data.mkdir(exist_ok=True)
    shutil.copy2(root / "course_data" / "expected_values.h5", data / "expected_values.h5")
    (out / "LANGUAGE").write_text(lang + "\n", encoding="utf-8")
    if lang != "en":
        from .catalogs import compile_messages

        mo_dir = out / "locale" / lang / "LC_MESSAGES"
        mo_dir.mkdir(parents=True)
        compile_messages(root / "translations" / "messages" / f"{lang}.po", mo_dir / "messages.mo")

    master = nbformat.read(master_path(root), as_version=4)
    nbformat.write(language_notebook(master, lang, root), out / f"{NOTEBOOK_NAME}.ipynb")
    return out


def generate(lang: str, root: Path = COURSE_ROOT, build: ReleaseBuild = None) -> Path:
    """Run ``nbgrader generate_assignment`` for one language; returns its release folder."""
    build = build or ReleaseBuild()
    translate = message_translator(lang, root)
    stub, text_stub = translate(build.code_stub), translate(build.text_stub)
    with tempfile.TemporaryDirectory() as tmp:
        # nbgrader takes the stubs from config; a per-language config file keeps
        # nbgrader_config.py free of build-time state.
        extra = Path(tmp) / "language_stubs"
        extra.with_suffix(".py").write_text(
            "c = get_config()\n"
            f"c.ClearSolutions.code_stub = {json.dumps({'python': f'# {stub}' + chr(10) + 'raise NotImplementedError()'})}\n"
            f"c.ClearSolutions.text_stub = {json.dumps(text_stub)}\n",
            encoding="utf-8",
        )
        try:
            run_nbgrader(["generate_assignment", assignment_for(lang), "--force",
                          f"--JupyterApp.config_file={extra}"], root)
        except BuildError as err:
            if "there are submissions associated with it" in str(err):
                raise BuildError(
                    f"{assignment_for(lang)}: the master's graded cells changed, but gradebook.db already holds "
                    "submissions of this assignment, and nbgrader cannot change the cells of a graded assignment. "
                    "Release the change under a new assignment name, or (for a course that has not started) back up "
                    "and remove gradebook.db, then build again.") from None
            raise
    return Path(root) / "release" / assignment_for(lang)


def check_catalogs(languages, root: Path = COURSE_ROOT) -> None:
    """Stop with a BuildError naming every fuzzy, untranslated or broken entry of *languages*' catalogs.

    The catalogs are checked against templates extracted from the master now,
    so a prose edit that nobody has translated yet stops the build too.
    """
    from .catalogs import CatalogError, check_course_catalogs

    problems = check_course_catalogs(root, languages)
    if problems:
        raise BuildError(f"{CatalogError(problems)}\n"
                         "Update with `coursekit catalogs update`, translate, then build again "
                         "(see translations/README.md).")


def build_all(root: Path = COURSE_ROOT, languages=None, progress=print) -> list:
    """Build every language's source and release; returns the release folders."""
    root = Path(root)
    build = ReleaseBuild(config=load_config(root))
    languages = languages or build.languages
    # Before anything is written: a half-built release/ is worse than none.
    check_catalogs(languages, root)
    releases = []
    for lang in languages:
        progress(f"[build] {lang}: writing source/{assignment_for(lang)}")
        write_language_source(lang, root)
        progress(f"[build] {lang}: nbgrader generate_assignment {assignment_for(lang)}")
        releases.append(generate(lang, root, build))
    return releases
