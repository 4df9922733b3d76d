"""The hub's options: who teaches, who studies, where the exchange and the hub's state live (``c.CourseHub.*``)."""
from __future__ import annotations

from traitlets import Int, List, Unicode
from traitlets.config import Configurable


class CourseHub(Configurable):
    """Options of ``coursekit hub``, the course on a JupyterHub (docs/hub.md)."""

    instructors = List(
        Unicode(), default_value=["instructor"],
        help="Hub users who teach: hub admins, their server opens on the course folder with Formgrader.",
    ).tag(config=True)

    students = List(
        Unicode(), default_value=[],
        help="Hub users who take the course: each can log in, fetch, submit and fetch feedback. "
             "With JupyterHub's default PAM login they are the machine's users (created by the hub if missing).",
    ).tag(config=True)

    exchange_root = Unicode(
        "/srv/nbgrader/exchange",
        help="nbgrader's exchange folder (c.Exchange.root for every server): readable and writable by every "
             "user of the hub; `coursekit hub` creates it with the sticky bit, like /tmp.",
    ).tag(config=True)

    state_dir = Unicode(
        "/srv/coursekit-hub",
        help="The hub's own files: its database, cookie secret, and the Jupyter config and data folders every "
             "user's server reads (nbgrader's course and exchange, the stylesheet, the sandbox kernel).",
    ).tag(config=True)

    ip = Unicode(
        "127.0.0.1",
        help="The address the hub's proxy listens on. On a server: '' (every interface) behind TLS, "
             "see docs/hub.md.",
    ).tag(config=True)

    port = Int(8000, min=1, max=65535, help="The port the hub's proxy listens on.").tag(config=True)

    hub_port = Int(8081, min=1, max=65535, help="The port of the hub itself, on 127.0.0.1.").tag(config=True)

    proxy_api_port = Int(
        8001, min=1, max=65535, help="The port of configurable-http-proxy's API, on 127.0.0.1.",
    ).tag(config=True)

    @property
    def users(self) -> list[str]:
        return list(dict.fromkeys([*self.instructors, *self.students]))
