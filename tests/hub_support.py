"""The course on a real JupyterHub, on loopback ports, for the hub tests.

``CourseHubProcess`` runs ``coursekit hub`` (JupyterHub from PyPI behind
configurable-http-proxy from npm, as an instructor would) for a scratch
course, with two things swapped for a test machine on the command line:
JupyterHub's ``SharedPasswordAuthenticator`` (fixed passwords) for the
system's logins, and its ``SimpleLocalProcessSpawner`` (every user's server
as this account, in a home folder of its own) for system users. Its state,
the exchange and the users' homes are in a temporary folder. ``stop`` ends the
hub, which ends the proxy and every user's server, and then the process group
it started in.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from browser_support import CHROMIUM_ARGS, find_chromium, free_port

STUDENT_PASSWORD = "a-student-password"
#: JupyterHub asks for at least 32 characters for the admins' shared password.
INSTRUCTOR_PASSWORD = "an-instructor-password-of-32-characters"


@contextlib.contextmanager
def chromium_browser():
    """Headless Chromium (Debian's, through Playwright): one browser, a context (cookies, pages) per person."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def hub_config(state: Path, instructors, students) -> dict[str, object]:
    """``c.CourseHub`` options for a hub in *state* on free loopback ports."""
    return {
        "instructors": list(instructors), "students": list(students),
        "exchange_root": str(state / "exchange"), "state_dir": str(state / "hub"),
        "ip": "127.0.0.1", "port": free_port(), "hub_port": free_port(), "proxy_api_port": free_port(),
    }


def config_lines(options: dict[str, object]) -> str:
    return "".join(f"c.CourseHub.{name} = {value!r}\n" for name, value in options.items())


class CourseHubProcess:
    """``coursekit hub`` for the course at *course_root* (whose nbgrader_config.py has the c.CourseHub options)."""

    def __init__(self, course_root: Path, state: Path, options: dict[str, object]):
        self.course_root = Path(course_root)
        self.state = Path(state)
        self.options = options
        self.base = f"http://127.0.0.1:{options['port']}"
        self.log_path = self.state / "hub.log"
        self.proc: subprocess.Popen | None = None

    def passwords(self, user: str) -> str:
        return INSTRUCTOR_PASSWORD if user in self.options["instructors"] else STUDENT_PASSWORD

    def command(self) -> list[str]:
        return [sys.executable, "-m", "coursekit", "--course-root", str(self.course_root), "hub",
                "--JupyterHub.authenticator_class=shared-password",
                f"--SharedPasswordAuthenticator.user_password={STUDENT_PASSWORD}",
                f"--SharedPasswordAuthenticator.admin_password={INSTRUCTOR_PASSWORD}",
                "--JupyterHub.spawner_class=simple",
                f"--SimpleLocalProcessSpawner.home_dir_template={self.state / 'home' / '{username}'}",
                # a busy 2-core machine: a server's first start imports JupyterLab, nbgrader and the kit
                "--Spawner.http_timeout=120", "--Spawner.start_timeout=180"]

    def start(self, timeout: float = 120.0) -> "CourseHubProcess":
        self.state.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.command(), cwd=self.state, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coursekit hub exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base}/hub/health", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the hub did not answer within {timeout:.0f} s:\n{self.log()}")

    def log(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def leftovers(self) -> list[str]:
        """The processes still running from this hub's state folder: the users' servers, the proxy."""
        import psutil

        found = []
        for proc in psutil.process_iter(["pid", "cmdline", "cwd"]):
            cwd, cmdline = proc.info["cwd"] or "", " ".join(proc.info["cmdline"] or ())
            if cwd.startswith(str(self.state)) and ("singleuser" in cmdline or "http-proxy" in cmdline):
                found.append(f"{proc.info['pid']}: {cmdline}")
        return found

    def stop(self) -> None:
        """SIGTERM to the hub (it stops every server and the proxy), then to anything left in its group."""
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # the hub's children (proxy, servers) that outlived it
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 30  # servers the hub told to stop take a few seconds to go
        while self.leftovers() and time.monotonic() < deadline:
            time.sleep(0.5)

    def kill_leftovers(self) -> None:
        """SIGKILL, by pid, any server or proxy of this hub still running (after a failed stop)."""
        for line in self.leftovers():
            try:
                os.kill(int(line.split(":", 1)[0]), signal.SIGKILL)
            except ProcessLookupError:
                pass

    # --- what a user does ---------------------------------------------------------------
    def login(self, context, user: str):
        """Log *user* in on the hub's login page; the page once their JupyterLab is up."""
        page = context.new_page()
        page.goto(f"{self.base}/hub/login")
        page.fill("#username_input", user)
        page.fill("#password_input", self.passwords(user))
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{user}/lab**", timeout=240_000)
        page.wait_for_selector("#jp-main-dock-panel", timeout=120_000)
        return page

    def user_url(self, user: str, path: str = "") -> str:
        return f"{self.base}/user/{user}/{path.lstrip('/')}"

    def put_notebook(self, page, user: str, path: str, nb: dict) -> None:
        """Save *nb* at *path* in *user*'s server through the Jupyter contents API, as the logged-in user."""
        xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_xsrf"
                    and c["path"].startswith(f"/user/{user}"))
        response = page.request.put(self.user_url(user, f"api/contents/{path}"),
                                    headers={"X-XSRFToken": xsrf, "Content-Type": "application/json"},
                                    data=json.dumps({"type": "notebook", "format": "json", "content": nb}))
        if not response.ok:
            raise RuntimeError(f"PUT {path} as {user}: {response.status} {response.text()}")
