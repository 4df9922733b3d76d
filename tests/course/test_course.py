"""The Course object: found from where a command runs, configured by nbgrader_config.py, the one source of paths.

Each test writes a small course root (an nbgrader_config.py, nothing else)
into tmp_path and reads what the Course makes of it.
"""
import textwrap
from pathlib import Path

import pytest

import coursekit.cli
from coursekit.course import Course, CourseError, find_root


def course_root(folder: Path, config: str = "") -> Path:
    """A course root at *folder*: an nbgrader_config.py with *config* (lines of ``c.X.y = ...``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text("c = get_config()  # noqa\n" + textwrap.dedent(config))
    return folder


def course(tmp_path, config: str = "") -> Course:
    return Course.load(course_root(tmp_path / "course", config))


# --- finding the course ---------------------------------------------------------------------

def test_is_the_course_found_from_a_subfolder(tmp_path, monkeypatch):
    """Run in a folder below the course root, does Course.load() find the root?"""
    root = course_root(tmp_path / "course")
    (root / "submitted" / "alice").mkdir(parents=True)
    monkeypatch.chdir(root / "submitted" / "alice")
    assert Course.load().root == root.resolve()


def test_does_a_folder_outside_any_course_fail_naming_the_way_out(tmp_path):
    """Does find_root() in a folder with no nbgrader_config.py above it raise a CourseError suggesting --course-root?"""
    with pytest.raises(CourseError, match="--course-root"):
        find_root(tmp_path)


def test_does_a_root_without_config_fail_naming_the_file(tmp_path):
    """Does Course.load(folder) of a folder without nbgrader_config.py raise a CourseError naming the file?"""
    with pytest.raises(CourseError, match="nbgrader_config.py: no such file"):
        Course.load(tmp_path)


def test_does_a_broken_config_fail_naming_the_file(tmp_path):
    """Does an nbgrader_config.py that raises give a CourseError naming the file and the error?"""
    root = course_root(tmp_path / "course", "c.Course.languages = [en]\n")
    with pytest.raises(CourseError, match=r"nbgrader_config.py: cannot be loaded: NameError"):
        Course.load(root)


@pytest.fixture
def seen(monkeypatch):
    """The course root that `coursekit options` was run on (its action replaced by one that notes it)."""
    roots = []
    monkeypatch.setattr(coursekit.cli, "_options", lambda course, args: roots.append(course.root) or 0)
    return roots


@pytest.mark.parametrize("argv", [["options", "--course-root", "{root}"], ["--course-root", "{root}", "options"]],
                         ids=["after the command", "before the command"])
def test_does_course_root_choose_the_course(tmp_path, monkeypatch, seen, argv):
    """Does `coursekit ... --course-root DIR` work on DIR, not on the course of the current folder?"""
    here, there = course_root(tmp_path / "here"), course_root(tmp_path / "there")
    monkeypatch.chdir(here)
    assert coursekit.cli.main([a.format(root=there) for a in argv]) == 0
    assert seen == [there.resolve()]


def test_does_a_command_run_on_the_course_of_the_current_folder(tmp_path, monkeypatch, seen):
    """Without --course-root, does a command work on the course the current folder belongs to?"""
    root = course_root(tmp_path / "course")
    (root / "source").mkdir()
    monkeypatch.chdir(root / "source")
    assert coursekit.cli.main(["options"]) == 0
    assert seen == [root.resolve()]


def test_does_a_command_outside_a_course_fail_in_one_line(tmp_path, monkeypatch, capsys):
    """Outside any course, does `coursekit build` exit 2 with one line naming the folder, and no traceback?"""
    monkeypatch.chdir(tmp_path)
    assert coursekit.cli.main(["build"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"coursekit build: {tmp_path.resolve()}: no nbgrader_config.py") and err.count("\n") == 1


# --- the gradebook ------------------------------------------------------------------------------

def test_is_the_default_gradebook_in_the_course_root(tmp_path):
    """Is the gradebook, unconfigured, <root>/gradebook.db, wherever the command runs?"""
    c = course(tmp_path)
    assert (c.db_url, c.sqlite_path) == (f"sqlite:///{c.root}/gradebook.db", c.root / "gradebook.db")


def test_is_a_relative_gradebook_path_taken_from_the_course_root(tmp_path, monkeypatch):
    """Is a relative SQLite path of c.CourseDirectory.db_url relative to the course root, not the current folder?"""
    c = course(tmp_path, 'c.CourseDirectory.db_url = "sqlite:///grades/gradebook.db"\n')
    monkeypatch.chdir(tmp_path)
    assert c.sqlite_path == c.root / "grades" / "gradebook.db"


def test_is_an_absolute_gradebook_path_kept(tmp_path):
    """Is an absolute SQLite path of c.CourseDirectory.db_url kept as it is?"""
    c = course(tmp_path, f'c.CourseDirectory.db_url = "sqlite:///{tmp_path}/elsewhere.db"\n')
    assert c.sqlite_path == tmp_path / "elsewhere.db"


def test_is_a_database_server_no_sqlite_file(tmp_path):
    """Does a PostgreSQL gradebook keep its URL and have no SQLite file?"""
    url = "postgresql+psycopg://grader@dbhost/cnn"
    c = course(tmp_path, f'c.CourseDirectory.db_url = "{url}"\n')
    assert (c.db_url, c.sqlite_path) == (url, None)


@pytest.mark.parametrize("config, expected", [('c.CourseDirectory.course_id = "cnn-2027"\n', "cnn-2027"),
                                              ("", "default_course")], ids=["configured", "unconfigured"])
def test_is_the_course_id_the_configured_one(tmp_path, config, expected):
    """Is the gradebook's course the configured c.CourseDirectory.course_id, nbgrader's default_course without one?"""
    assert course(tmp_path, config).course_id == expected


# --- languages ----------------------------------------------------------------------------------

LANGUAGES = """
c.Course.master = "convolutions"
c.Course.languages = ["en", "ar", "de"]
c.Course.right_to_left = ["ar"]
"""


@pytest.mark.parametrize("assignment, lang", [("convolutions_ar", "ar"), ("convolutions_de", "de"),
                                              ("convolutions_fa", None), ("homework", None), ("convolutions", None)])
def test_is_the_language_of_an_assignment_its_configured_suffix(tmp_path, assignment, lang):
    """Is an assignment's language the suffix after the master's name, when that is a configured language?"""
    assert course(tmp_path, LANGUAGES).language_of(assignment) == lang


def test_is_each_language_released_under_its_own_assignment(tmp_path):
    """Is language <lang> released as the assignment <master>_<lang>?"""
    assert course(tmp_path, LANGUAGES).assignment_for("ar") == "convolutions_ar"


@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("de", "ltr"), ("fa", "ltr"), (None, "ltr")])
def test_is_the_direction_that_of_the_configured_right_to_left_list(tmp_path, lang, direction):
    """Is a language right to left exactly when c.Course.right_to_left lists it (fa, not listed here, is not)?"""
    assert course(tmp_path, LANGUAGES).direction(lang) == direction


def test_is_persian_right_to_left_by_default(tmp_path):
    """Unconfigured, is Persian right to left and Turkish left to right?"""
    c = course(tmp_path)
    assert (c.direction("fa"), c.direction("tr")) == ("rtl", "ltr")


def test_does_the_master_language_need_no_catalog(tmp_path):
    """Are the translated languages the configured ones but the master's own (c.Course.source_language)?"""
    from coursekit.translation.course_catalogs import languages_to_translate

    assert languages_to_translate(course(tmp_path, LANGUAGES + 'c.Course.source_language = "de"\n')) == ["en", "ar"]


# --- folders ------------------------------------------------------------------------------------

FOLDERS = """
c.CourseDirectory.source_directory = "masters"
c.CourseDirectory.release_directory = "published"
c.CourseDirectory.submitted_directory = "inbox"
c.CourseDirectory.autograded_directory = "graded"
c.CourseDirectory.feedback_directory = "returned"
c.Course.master = "convolutions"
c.Course.notebook = "layers"
"""


def test_are_the_folders_named_by_the_configuration(tmp_path):
    """Do the release, submitted, autograded and feedback folders follow c.CourseDirectory's names?"""
    c = course(tmp_path, FOLDERS)
    assert [c.release_dir("a"), c.submitted_dir("s", "a"), c.autograded_dir("s", "a"), c.feedback_dir("s", "a")] == [
        c.root / "published" / "a", c.root / "inbox" / "s" / "a", c.root / "graded" / "s" / "a",
        c.root / "returned" / "s" / "a"]


def test_is_the_master_where_the_configuration_puts_it(tmp_path):
    """Is the master notebook <source_directory>/<master>/<notebook>.ipynb?"""
    c = course(tmp_path, FOLDERS)
    assert c.master_path == c.root / "masters" / "convolutions" / "layers.ipynb"


def test_are_the_notebooks_named_by_the_configuration(tmp_path):
    """Are a release's and a graded submission's notebook named c.Course.notebook?"""
    c = course(tmp_path, FOLDERS)
    assert (c.release_notebook("a"), c.autograded_notebook("s", "a")) == (
        c.root / "published" / "a" / "layers.ipynb", c.root / "graded" / "s" / "a" / "layers.ipynb")


def test_are_the_students_folders_the_configured_ones(tmp_path):
    """Are the folders whose contents come from students the configured submitted, autograded and feedback ones?"""
    assert course(tmp_path, FOLDERS).student_trees == {"inbox", "graded", "returned"}


def test_are_the_catalogs_in_translations(tmp_path):
    """Is the catalog of a domain and language translations/<domain>/<lang>.po of the course?"""
    c = course(tmp_path)
    assert c.catalog_path("messages", "fa") == c.root / "translations" / "messages" / "fa.po"


def test_is_a_path_shown_relative_to_the_course(tmp_path):
    """Is a path inside the course shown relative to its root, and one outside it in full?"""
    c = course(tmp_path)
    assert (c.relative(c.root / "release" / "a"), c.relative(tmp_path / "x")) == ("release/a", str(tmp_path / "x"))


def test_does_the_stage_find_the_course_nbgrader_runs_in(tmp_path):
    """Does Course.from_config() (what an nbgrader stage uses) take its root from c.CourseDirectory.root?"""
    root = course_root(tmp_path / "course", FOLDERS)
    config = Course.load(root).config
    config.CourseDirectory.root = str(root)
    assert Course.from_config(config).release_dir("a") == root.resolve() / "published" / "a"


def test_does_a_stage_find_the_course_it_was_given_wherever_it_runs(tmp_path, monkeypatch):
    """Does a stage given the configuration of Course.load(root) find root, when the process runs elsewhere?

    `coursekit grade --course-root DIR` hands that configuration to its workers' stages (GuardLockedCells,
    ContainedExecute), which find the course with Course.from_config().
    """
    root = course_root(tmp_path / "course", FOLDERS)
    monkeypatch.chdir(tmp_path)
    assert Course.from_config(Course.load(root).config).root == root.resolve()
