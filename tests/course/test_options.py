"""The kit's options: typed traitlets, listed by `coursekit options`, set in nbgrader_config.py."""
import importlib
import inspect
import pkgutil
import sqlite3

import pytest
from traitlets import TraitError
from traitlets.config import Config, Configurable

import coursekit
from coursekit.cli import main
from coursekit.course import Course
from coursekit.grading.batch.options import BatchGrade
from coursekit.grading.batch.submissions import backup_gradebook
from coursekit.options import CONFIGURABLES, configurable_classes
from scratch import COURSE


def kit_classes_with_options() -> set:
    """``module:Class`` of every Configurable of the kit that defines options of its own."""
    found = set()
    for info in pkgutil.walk_packages(coursekit.__path__, "coursekit."):
        if info.name.endswith("__main__"):  # runs a command when imported
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, Configurable) and obj.__module__ == module.__name__
                    and obj.class_own_traits(config=True)):
                found.add(f"{module.__name__}:{name}")
    return found


@pytest.fixture(scope="module")
def printed():
    """What `coursekit options` prints."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["options", "--course-root", str(COURSE.root)]) == 0
    return out.getvalue()


@pytest.mark.parametrize("cls", configurable_classes(), ids=lambda cls: cls.__name__)
def test_does_coursekit_options_list_every_option_with_its_default(printed, cls):
    """Does `coursekit options` print each option of each listed class as a commented line with its default?"""
    missing = [f"# c.{cls.__name__}.{name} = {trait.default_value_repr()}"
               for name, trait in cls.class_own_traits(config=True).items()]
    assert [line for line in missing if line not in printed.split("\n")] == []


@pytest.mark.parametrize("cls", configurable_classes(), ids=lambda cls: cls.__name__)
def test_does_each_option_have_help(cls):
    """Does every option say what it does (help=), for the instructors who read it in `coursekit options`?"""
    assert [name for name, trait in cls.class_own_traits(config=True).items() if not (trait.help or "").strip()] == []


def test_are_the_printed_lines_a_config_that_gives_the_defaults(printed):
    """Uncommented, are the printed lines a valid nbgrader_config.py that sets every option to its default?"""
    c = Config()
    exec("\n".join(line[2:] for line in printed.split("\n") if line.startswith("# c.")), {"c": c})  # noqa: S102
    for cls in configurable_classes():
        args = (COURSE.root,) if cls is Course else ()  # a Course needs its root besides its options
        configured, default = cls(*args, config=c), cls(*args, config=Config())
        for name in cls.class_own_traits(config=True):
            assert getattr(configured, name) == getattr(default, name), f"{cls.__name__}.{name}"


def test_does_coursekit_options_list_every_class_of_the_kit_with_options():
    """Is every Configurable of the kit that has options of its own in coursekit/options.py's CONFIGURABLES?"""
    assert kit_classes_with_options() - set(CONFIGURABLES) == set()


def test_does_workers_refuse_a_negative_count():
    """Does c.BatchGrade.workers = -1 raise a TraitError (0 means one per core; below that means nothing)?"""
    config = Config()
    config.BatchGrade.workers = -1
    with pytest.raises(TraitError):
        BatchGrade(config=config)


@pytest.fixture
def course_with_gradebook(tmp_path):
    """A course whose gradebook is a small SQLite file; its nbgrader_config.py ends with the test's lines."""
    def make(config=""):
        root = tmp_path / "course"
        root.mkdir(exist_ok=True)
        (root / "nbgrader_config.py").write_text("c = get_config()  # noqa\n" + config)
        with sqlite3.connect(root / "gradebook.db") as db:
            db.execute("create table if not exists grade (id integer)")
        return Course.load(root)
    return make


def test_does_keep_backups_zero_keep_none(course_with_gradebook):
    """With c.BatchGrade.keep_backups = 0, is no backup made, and no backup folder?"""
    course = course_with_gradebook("c.BatchGrade.keep_backups = 0\n")
    assert backup_gradebook(course) is None
    assert not (course.root / "backups").exists()


def test_does_keep_backups_keep_the_newest(course_with_gradebook):
    """With c.BatchGrade.keep_backups = 2, are only the two newest of three backups kept?"""
    course = course_with_gradebook("c.BatchGrade.keep_backups = 2\n")
    made = [backup_gradebook(course) for _ in range(3)]
    assert sorted((course.root / "backups").glob("gradebook-*.db")) == made[1:]


def test_is_a_backup_a_readable_copy_of_the_gradebook(course_with_gradebook):
    """Is a backup a consistent SQLite copy of the gradebook (its tables readable)?"""
    backup = backup_gradebook(course_with_gradebook())
    with sqlite3.connect(backup) as db:
        assert db.execute("select name from sqlite_master").fetchall() == [("grade",)]
