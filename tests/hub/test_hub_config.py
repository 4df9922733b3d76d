"""The hub's configuration, read without starting it (coursekit/hub/).

The hub itself, with its proxy, the users' servers and a browser, is
tests/hub/test_hub_lifecycle.py (slow).
"""
import json
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from traitlets.config.loader import PyFileConfigLoader

from coursekit.cli import main
from coursekit.course import Course
from coursekit.hub.options import CourseHub
from coursekit.hub.run import hub_command
from coursekit.hub.servers import config_dir, data_dir, hub_config_file, instructor_config_dir, prepare

COURSE_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "cnn-test"
c.Autograde.sanitize_preprocessors = ["nbgrader.preprocessors.ClearOutput"]
c.CourseHub.instructors = ["ines"]
c.CourseHub.students = ["bob", "carol"]
c.CourseHub.exchange_root = {exchange!r}
c.CourseHub.state_dir = {state!r}
c.CourseHub.port = 18123
"""


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text(
        COURSE_CONFIG.format(exchange=str(tmp_path / "exchange"), state=str(tmp_path / "state")), encoding="utf-8")
    return Course.load(root)


def load(*paths: Path, **env):
    """The config files at *paths*, loaded as Jupyter loads the folders of JUPYTER_CONFIG_PATH (the first one
    wins), under the environment *env*."""
    from traitlets.config import Config

    merged = Config()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("JUPYTERHUB_USER", raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        for path in reversed(paths):
            merged.merge(PyFileConfigLoader(path.name, path=str(path.parent)).load_config())
    return merged


def hub_config(course):
    """JupyterHub's config file as `coursekit hub` writes it, loaded."""
    hub = CourseHub(config=course.config)
    prepare(course, hub)
    return load(hub_config_file(hub))


def test_prepare_writes_what_every_server_reads(course):
    """Does preparing the hub write nbgrader's config, the stylesheet and the sandbox kernel where servers look?"""
    hub = CourseHub(config=course.config)
    env = prepare(course, hub)
    config, data = config_dir(hub), data_dir(hub)
    assert env["JUPYTER_CONFIG_PATH"] == str(config) and env["JUPYTER_PATH"] == str(data)
    assert (config / "nbgrader_config.py").is_file()
    assert "coursekit.lab_style" in (config / "custom" / "custom.css").read_text(encoding="utf-8")
    assert "c.LabApp.custom_css = True" in (config / "jupyter_server_config.py").read_text(encoding="utf-8")
    assert (data / "kernels" / "cnn-sandbox" / "kernel.json").is_file()
    page_config = json.loads((config / "labconfig" / "page_config.json").read_text(encoding="utf-8"))
    assert page_config["disabledExtensions"] == {"@jupyterlab/apputils-extension:announcements": True}


def test_exchange_is_shared_like_tmp(course):
    """Is the exchange folder writable by every user, with the sticky bit, as nbgrader's exchange needs?"""
    hub = CourseHub(config=course.config)
    prepare(course, hub)
    mode = Path(hub.exchange_root).stat().st_mode
    assert stat.S_IMODE(mode) == 0o1777


def test_a_students_server_files_work_under_the_hub_user(course):
    """On a student's server, is the student id the hub user, with the course id and the exchange set?"""
    hub = CourseHub(config=course.config)
    prepare(course, hub)
    c = load(config_dir(hub) / "nbgrader_config.py", JUPYTERHUB_USER="carol")
    assert c.CourseDirectory.student_id == "carol"
    assert c.CourseDirectory.course_id == "cnn-test"
    assert c.Exchange.root == str(Path(hub.exchange_root).resolve())
    assert "root" not in c.CourseDirectory and "Autograde" not in c


def test_an_instructors_server_reads_the_course_config(course):
    """On an instructor's server, are the course's folder and its own nbgrader_config.py options in force?"""
    hub = CourseHub(config=course.config)
    prepare(course, hub)
    env = hub_config(course).Spawner.environment
    spawner = SimpleNamespace(user=SimpleNamespace(name="ines"), environment=dict(env), notebook_dir="")
    hub_config(course).Spawner.pre_spawn_hook(spawner)
    paths = [Path(p) for p in spawner.environment["JUPYTER_CONFIG_PATH"].split(os.pathsep)]
    assert paths == [instructor_config_dir(hub), config_dir(hub)]
    c = load(*(p / "nbgrader_config.py" for p in paths), JUPYTERHUB_USER="ines")
    assert c.CourseDirectory.root == str(course.root)
    assert c.CourseDirectory.student_id == "*"  # nbgrader's default: every student
    assert c.Autograde.sanitize_preprocessors == ["nbgrader.preprocessors.ClearOutput"]


def test_jupyterhub_config_has_the_course_users(course):
    """Does the hub's config let in the course's users only, make the instructors admins, and form nbgrader's groups?"""
    c = hub_config(course)
    assert c.Authenticator.allowed_users == {"ines", "bob", "carol"}
    assert c.Authenticator.admin_users == {"ines"}
    assert c.JupyterHub.load_groups == {"formgrade-cnn-test": {"users": ["ines"]},
                                        "nbgrader-cnn-test": {"users": ["bob", "carol"]}}
    assert c.JupyterHub.bind_url == "http://127.0.0.1:18123"
    assert c.JupyterHub.hub_ip == "127.0.0.1"
    assert c.Spawner.environment["JUPYTER_CONFIG_PATH"].endswith(os.path.join("state", "jupyter", "config"))


def test_the_proxy_is_configurable_http_proxy_from_npm(course):
    """Is the proxy the configurable-http-proxy that scripts/setup.sh installs from npm?"""
    c = hub_config(course)
    proxy = Path(c.ConfigurableHTTPProxy.command[0])
    assert proxy.name == "configurable-http-proxy"
    assert proxy.is_file(), "run scripts/setup.sh: it installs configurable-http-proxy into node_modules/"


@pytest.mark.parametrize("user, opens_course", [("ines", True), ("bob", False)])
def test_instructors_servers_open_on_the_course(course, user, opens_course):
    """Does an instructor's server open on the course folder with its config, and a student's in their home?"""
    c = hub_config(course)
    spawner = SimpleNamespace(user=SimpleNamespace(name=user), environment={"A": "1"}, notebook_dir="")
    c.Spawner.pre_spawn_hook(spawner)
    assert (spawner.notebook_dir == str(course.root)) is opens_course
    assert ("instructor-config" in spawner.environment.get("JUPYTER_CONFIG_PATH", "")) is opens_course
    assert spawner.environment["A"] == "1"


def test_is_the_course_written_into_the_hubs_config_not_looked_for(course, monkeypatch):
    """Does JupyterHub's config name the course's folder itself, so that no variable of the environment or folder
    it starts in decides which course it serves?"""
    monkeypatch.chdir(course.root.parent)
    for name in [n for n in os.environ if n.startswith("COURSEKIT")]:
        monkeypatch.delenv(name)
    c = hub_config(course)
    assert c.JupyterHub.load_groups["formgrade-cnn-test"] == {"users": ["ines"]}
    hub = CourseHub(config=course.config)
    assert repr(str(course.root)) in hub_config_file(hub).read_text(encoding="utf-8")


def test_hub_command_passes_jupyterhub_options_on():
    """Does `coursekit hub --JupyterHub.x=y` start JupyterHub with the kit's config file and that option?"""
    cmd = hub_command(Path("/srv/hub/jupyterhub_config.py"), ["--JupyterHub.spawner_class=simple"])
    assert cmd[1:5] == ["-m", "jupyterhub", "-f", "/srv/hub/jupyterhub_config.py"]
    assert cmd[-1] == "--JupyterHub.spawner_class=simple"


def test_other_commands_refuse_unknown_options(course):
    """Is an unknown option still an error for every command but hub?"""
    with pytest.raises(SystemExit) as exit_:
        main(["--course-root", str(course.root), "options", "--JupyterHub.spawner_class=simple"])
    assert exit_.value.code == 2
