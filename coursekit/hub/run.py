"""``coursekit hub``: prepare every user's server (``servers.prepare``), then run JupyterHub with the kit's config."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..course import Course
from .options import CourseHub
from .servers import hub_config_file, prepare

def hub_command(config_file: Path, extra_args=()) -> list[str]:
    """JupyterHub from this venv, with the config file `prepare` wrote and *extra_args* (JupyterHub options)."""
    return [sys.executable, "-m", "jupyterhub", "-f", str(config_file), *extra_args]


def hub_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", os.defpath)
    return env


def run_hub(course: Course, extra_args=()) -> int:
    """Prepare, then run the hub in the foreground until it is stopped (Ctrl-C); its exit status."""
    hub = CourseHub(config=course.config)
    prepare(course, hub)
    print(f"coursekit hub: {course.course_id} for {len(hub.instructors)} instructor(s) and "
          f"{len(hub.students)} student(s) on http://{hub.ip or '0.0.0.0'}:{hub.port}; exchange {hub.exchange_root}")
    with subprocess.Popen(hub_command(hub_config_file(hub), extra_args), cwd=hub.state_dir,
                          env=hub_environment()) as proc:
        try:
            return proc.wait()
        except KeyboardInterrupt:  # JupyterHub got the same Ctrl-C and stops its servers and proxy itself
            return proc.wait()
