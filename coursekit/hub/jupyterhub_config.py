"""JupyterHub's configuration for the course; `coursekit hub` starts JupyterHub with it (docs/hub.md).

Everything course-specific comes from the course's nbgrader_config.py
(``c.CourseHub.*``, read through ``coursekit.course.Course``). `coursekit hub`
writes JupyterHub's config file into the hub's state folder
(``servers.write_hub_config``): two generated lines that call ``configure``
with the course's folder. JupyterHub's own options given on the command line
(``coursekit hub --JupyterHub.authenticator_class=...``) override the ones set
here.

As set here, users log in with their system password (JupyterHub's PAM
authenticator; a listed user missing from the system is created) and each
server runs as its user (LocalProcessSpawner): the instructors and students
are the machine's users, and the exchange's permissions keep them apart.
"""
import os
import shutil
import sys
from pathlib import Path

from coursekit.course import Course
from coursekit.hub.options import CourseHub
from coursekit.hub.servers import environment, instructor_environment


def configure(c, course_root: str) -> None:
    """Set JupyterHub's options on *c* for the course in *course_root*."""
    course = Course.load(course_root)
    hub = CourseHub(config=course.config)
    state = Path(hub.state_dir)

    # --- where it listens: the proxy on ip:port, the hub and the proxy's API on loopback -------------
    c.JupyterHub.bind_url = f"http://{hub.ip}:{hub.port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = hub.hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{hub.proxy_api_port}"
    # configurable-http-proxy from npm, as scripts/setup.sh installs it beside the kit (or one on PATH)
    _proxy = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "configurable-http-proxy"
    c.ConfigurableHTTPProxy.command = [str(_proxy) if _proxy.exists() else
                                       shutil.which("configurable-http-proxy") or "configurable-http-proxy"]

    # --- the hub's own files ------------------------------------------------------------------------
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")

    # --- who: the course's users, instructors as admins, in nbgrader's groups ----------------------
    c.Authenticator.allowed_users = set(hub.users)
    c.Authenticator.admin_users = set(hub.instructors)
    c.LocalAuthenticator.create_system_users = True
    c.JupyterHub.load_groups = {
        f"formgrade-{course.course_id}": {"users": list(hub.instructors)},
        f"nbgrader-{course.course_id}": {"users": list(hub.students)},
    }

    # --- every user's server: JupyterLab from this venv, with the course's config and data folders --
    c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.environment = environment(hub)
    if os.getuid() == 0:
        # a server that keeps the hub's account (a spawner that does not change user) runs as root, and must be let
        c.Spawner.args = ["--ServerApp.allow_root=True"]


    def _course_folder_for_instructors(spawner):
        """An instructor's server opens on the course folder and reads the course's nbgrader_config.py."""
        if spawner.user.name in hub.instructors:
            spawner.notebook_dir = str(course.root)
            spawner.environment = {**spawner.environment, **instructor_environment(hub)}


    c.Spawner.pre_spawn_hook = _course_folder_for_instructors

