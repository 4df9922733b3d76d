"""A throwaway PostgreSQL server for tests: its own data folder and unix socket, no password, stopped at close.

It uses the server programs of the machine (``initdb``, ``pg_ctl``, found on
PATH or under ``/usr/lib/postgresql/<version>/bin``; ``scripts/setup.sh``
installs Debian's ``postgresql`` when they are missing).  PostgreSQL refuses
to run as root, so under root the server runs as the ``postgres`` user (which
Debian's package creates) or ``nobody``.  It listens on a socket in its own
folder only, with ``trust`` authentication: no port, no password.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

#: The superuser initdb makes; the gradebooks belong to it.
ROLE = "grader"


def server_programs() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3]))
    return Path(versions[-1]).parent if versions else None


class PostgresServer:
    """``with PostgresServer() as pg: url = pg.new_database()``."""

    def __init__(self):
        self.bin = server_programs()
        if self.bin is None:
            raise FileNotFoundError("initdb/pg_ctl: PostgreSQL's server programs are not installed "
                                    "(scripts/setup.sh installs Debian's postgresql)")
        # A short path: a unix socket's path is limited to about 100 characters.
        self.folder = Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.prefix = []
        if os.geteuid() == 0:
            user = next((u for u in ("postgres", "nobody") if _exists(u)), None)
            if user is None:
                raise RuntimeError("PostgreSQL cannot run as root and neither postgres nor nobody exists")
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, user)
            self.prefix = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", user, "--"]
        self._run("initdb", "-D", str(self.data), "-U", ROLE, "--auth=trust", "--no-sync", "--encoding=UTF8",
                  "--locale=C", "--no-instructions")
        options = f"-k {self.folder} -c listen_addresses='' -F -c max_connections=50"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        self.running = True

    def _run(self, program: str, *args: str) -> None:
        command = [*self.prefix, str(self.bin / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{log}")

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL nbgrader's ``db_url`` takes."""
        return f"postgresql+psycopg://{ROLE}@/{database}?host={self.folder}"

    def new_database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = f"gradebook_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(host=str(self.folder), user=ROLE, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def close(self) -> None:
        if getattr(self, "running", False):
            self.running = False
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                try:  # the postmaster's pid is the first line of its pid file; SIGQUIT is an immediate stop
                    os.kill(int((self.data / "postmaster.pid").read_text().split()[0]), signal.SIGQUIT)
                except (OSError, ValueError, IndexError):
                    pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False
