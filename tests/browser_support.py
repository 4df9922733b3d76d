"""Headless Chromium and a private JupyterLab server, for the tests that look at pages.

Chromium is Debian's (``apt-get install chromium``), driven by Playwright with
a fresh profile (see ``coursekit.report.screenshot``). JupyterLab runs from
this interpreter on a loopback port with a random token, and with its config,
data, settings, workspaces and runtime folders in a temporary folder, so that
nothing of ``~/.jupyter`` reaches it. News, update checks and the
notification prompt are switched off so that no toast covers the page. The
kit's right-to-left stylesheet is installed the way ``scripts/setup.sh``
installs it into the venv (``coursekit.lab_style``), into a config folder of
its own that ``JUPYTER_CONFIG_PATH`` adds.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from coursekit import lab_style
from coursekit.report.screenshot import (  # noqa: F401  (re-exported for the tests)
    CHROMIUM_ARGS, ChromiumMissing, chromium_context, find_chromium, refuse_network)

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"

#: User settings of the JupyterLab the tests start.
LAB_SETTINGS = {
    # no "would you like to receive news" toast, no update check
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
    # every cell in the page (no virtual scrolling), so each can be found and checked
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
#: Front-end plugins that only fetch or announce things.
LAB_DISABLED = ["@jupyterlab/apputils-extension:announcements"]


def require_chromium() -> str:
    """Chromium's path; fail (never skip) when it is missing."""
    try:
        return find_chromium()
    except ChromiumMissing as err:
        pytest.fail(str(err), pytrace=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def screenshot_path(name: str) -> Path:
    """Where a test keeps a screenshot (artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


class JupyterLab:
    """A JupyterLab server serving *root_dir*, with its state in *state_dir*."""

    def __init__(self, root_dir: Path, state_dir: Path):
        self.root_dir = Path(root_dir)
        self.state = Path(state_dir)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.state / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None

    def _environment(self) -> dict:
        dirs = {name: self.state / name for name in
                ("config", "course_config", "data", "runtime", "settings", "workspaces", "ipython", "home")}
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        for name, settings in LAB_SETTINGS.items():
            path = dirs["settings"] / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings), encoding="utf-8")
        labconfig = dirs["config"] / "labconfig"
        labconfig.mkdir(exist_ok=True)
        (labconfig / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {name: True for name in LAB_DISABLED}}),
            encoding="utf-8")
        lab_style.install(dirs["course_config"])
        env = dict(os.environ)
        env.update({
            "HOME": str(dirs["home"]),
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            # searched after JUPYTER_CONFIG_DIR, like the venv's etc/jupyter that setup.sh installs into
            "JUPYTER_CONFIG_PATH": str(dirs["course_config"]),
            "JUPYTER_DATA_DIR": str(dirs["data"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            "IPYTHONDIR": str(dirs["ipython"]),
            "MPLCONFIGDIR": str(dirs["home"] / "matplotlib"),
            "PATH": str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
        })
        env.pop("JUPYTER_TOKEN", None)
        return env

    def launch(self) -> "JupyterLab":
        """Start the server process; ``wait_ready`` waits until it answers."""
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", "--ServerApp.allow_root=True",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        self.state.mkdir(parents=True, exist_ok=True)
        self.root_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.root_dir, env=self._environment(),
                                         stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        return self

    def wait_ready(self, timeout: float = 90.0) -> "JupyterLab":
        """Wait until ``/api/status`` answers; raise RuntimeError (with the log) when it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if "started" in self.api("status"):
                    return self
            except (OSError, ValueError):  # URLError and refused connections are OSErrors
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer /api/status within {timeout:.0f} s:\n{self.log()}")

    def start(self, timeout: float = 90.0) -> "JupyterLab":
        return self.launch().wait_ready(timeout)

    def api(self, path: str) -> dict:
        request = urllib.request.Request(f"{self.base}/api/{path}",
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read().decode("utf-8"))

    def url(self, notebook: str, workspace: str) -> str:
        """The page that opens *notebook* (relative to root_dir) in its own, empty workspace."""
        return f"{self.base}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={self.token}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
