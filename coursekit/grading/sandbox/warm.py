"""The warm sandbox: one long-lived bubblewrap sandbox per grading worker, whose zygote forks a kernel per
submission.

A cold ``cnn-sandbox`` kernel costs several CPU-seconds that have nothing to
do with the submission: a launcher interpreter, bubblewrap, a fresh
interpreter that imports ipykernel, then the notebook's own imports of numpy,
matplotlib and h5py.  A batch worker grades many notebooks in a row, so it
pays for all of that once instead:

* :class:`WarmSandbox` starts one sandbox, built like the cold one (same
  options, mount plan, safety checks and command builder: ``command.py``).
  In it runs the zygote (``zygote.py``), which imports what a kernel needs
  and nothing of the course, then waits on a control socket.
* For each submission the zygote forks a child that confines itself exactly as
  the cold kernel's prelude does, changes to ``/run/submission`` and becomes
  the kernel.  ``/run/submission`` is a read-only bind of a folder of the
  worker into which the grader copies the submission's files before each
  fork, never a notebook.
* After each notebook, every process of the sandbox except its init and the
  zygote is killed, System V IPC objects are removed, and the grader empties
  the only writable places (``/tmp``, ``/run/kernel``, ``/dev/shm``) from
  outside, then the submission folder.  When any step fails the whole sandbox
  is thrown away and the next submission gets a new one.

The child's kernel listens on ZMQ ``ipc`` sockets ``/run/kernel/k-1`` ...
``k-5``; the worker's client connects to them directly, through symlinks it
owns to ``/proc/<worker pid>/fd/<O_PATH descriptor of each socket inode>``,
found by walking from the sandbox's root without following any link.

Cleanup: every wait here is bounded.  When the worker is killed, bubblewrap
(``--die-with-parent``, tied to the thread that started it) ends the sandbox;
its folder on the host (``cnn-warm-<pid>-*``) is removed by the next
``folders.remove_stale_folders``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .command import bwrap_argv, confinement, identity_files, sandbox_env
from .files import (
    WarmSandboxError,
    copy_submission_files,
    empty_folder,
    listening,
    socket_fd,
    wipe_beneath,
)
from .folders import owned_folder, remove_stale_folders
from .mounts import Protected, base_plan, check_kernel_cwd, under
from .facts import SandboxFacts
from .options import CHANNELS, SOCKET_DIR, SOCKET_PREFIX

log = logging.getLogger(__name__)

#: Where the submission's files appear in the sandbox (read-only); the kernel's cwd.
SUBMISSION_DIR = "/run/submission"
#: The child's connection file (on the sandbox's socket tmpfs, wiped after each child).
CHILD_CONNECTION_FILE = SOCKET_DIR + "/connection.json"
#: The writable places of the sandbox, relative to its root; emptied after each child.
WIPED_DIRS = ("tmp", SOCKET_DIR.strip("/"), "dev/shm")

#: What the zygote imports: everything a kernel of this course loads before and
#: while it runs the notebook, except the course's own modules.
ZYGOTE_IMPORTS = (
    "numpy", "numpy.random", "numpy.linalg",
    "h5py",
    "matplotlib", "matplotlib.pyplot", "matplotlib.backends.backend_agg",
    "matplotlib_inline.backend_inline", "PIL.Image", "PIL.PngImagePlugin",
    "PIL.JpegImagePlugin", "PIL.GifImagePlugin", "PIL.BmpImagePlugin", "PIL.PpmImagePlugin",
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
    "ipykernel.iostream", "ipykernel.heartbeat", "ipykernel.control",
    "ipykernel.debugger", "ipykernel.comm", "ipykernel.eventloops",
    "ipykernel.subshell_manager",
    "IPython.core.interactiveshell", "IPython.core.pylabtools", "IPython.core.completer",
    "IPython.core.completerlib", "IPython.core.history", "IPython.core.ultratb",
    "IPython.core.magics", "IPython.core.magics.execution", "IPython.core.magics.pylab",
    "IPython.core.formatters", "IPython.core.oinspect", "IPython.core.debugger",
    "IPython.core.logger", "IPython.extensions.storemagic", "IPython.utils.wildcard",
    "IPython.utils.module_paths", "IPython.display",
    "jupyter_client.session", "zmq", "zmq.eventloop.zmqstream", "tornado.ioloop",
    "tornado.platform.asyncio", "sqlite3", "psutil", "gettext", "pdb", "runpy", "faulthandler",
    # Formatting a traceback (any failing cell) loads these.
    "pygments.lexers.python", "pygments.formatters.terminal256",
)

#: Seconds allowed for the zygote's imports, a kernel's start and a reset.
READY_TIMEOUT = 180.0
START_TIMEOUT = 60.0
RESET_TIMEOUT = 10.0
#: A Unix socket's path holds at most 107 bytes; a client connects to ``<client ip>-<port>``.
SOCKET_PATH_MAX = 107
#: What a client ip adds to the folder it is made in: ``/c-<8 random>/k-<port 1..5>``.
LINK_SUFFIX = len("/c-12345678/k-5")
#: Where the links go when the temp folder's path is too long for them (first one that works).
SHORT_BASES = ("/tmp", "/dev/shm", "/var/tmp")


class WarmChild:
    """One kernel forked by the zygote, seen through a pidfd."""

    def __init__(self, sandbox: "WarmSandbox", pidfd: int, ns_pid: int):
        self.sandbox = sandbox
        self.pidfd = pidfd
        self.ns_pid = ns_pid
        self.host_pid = _pidfd_pid(pidfd)
        self.socket_fds: list[int] = []
        self.links: list[str] = []
        self.status: int | None = None
        self.closed = False

    def exited(self) -> bool:
        if self.closed:
            return True
        readable, _, _ = select.select([self.pidfd], [], [], 0)
        return bool(readable)

    def signal(self, signum: int) -> None:
        if self.closed:
            return
        try:
            signal.pidfd_send_signal(self.pidfd, signum)
        except ProcessLookupError:
            pass

    def exit_status(self) -> int:
        """The exit status (as ``Popen.returncode``), once it has exited."""
        if self.status is None:
            self.status = self.sandbox.child_status()
        return self.status if self.status is not None else 1

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for link in self.links:
            try:
                os.unlink(link)
            except OSError:
                pass
        for fd in [*self.socket_fds, self.pidfd]:
            try:
                os.close(fd)
            except OSError:
                pass
        self.socket_fds = []


def _pidfd_pid(pidfd: int) -> int:
    with open(f"/proc/self/fdinfo/{pidfd}") as fh:
        for line in fh:
            if line.startswith("Pid:"):
                return int(line.split()[1])
    return -1


class WarmSandbox:
    """A long-lived bubblewrap sandbox whose zygote forks one kernel at a time."""

    def __init__(self, facts: SandboxFacts | None = None, imports=ZYGOTE_IMPORTS):
        #: What the sandbox knows of its course, from the process that grades (facts.py).
        self.facts = facts or SandboxFacts()
        self.settings = self.facts.settings()
        self.course_root = Path(self.facts.root).resolve() if self.facts.root else None
        self.imports = tuple(imports)
        self.privileged = os.geteuid() == 0
        self.lock = threading.RLock()
        self.proc: subprocess.Popen | None = None
        self.ctl: socket.socket | None = None
        self.root_fd: int | None = None
        self.base: Path | None = None
        self.links_base: Path | None = None  # only when ``base`` is too deep for socket paths
        self.submission: Path | None = None
        self.child: WarmChild | None = None
        self.ready_info: dict | None = None
        self.dirty = True
        self.starts = 0         # sandboxes started (1 unless one had to be replaced)
        self.spawned = 0        # kernels forked
        self._init_pid: int | None = None
        self._launched = threading.Event()
        self._pid_known = threading.Event()
        self._exited = threading.Event()
        self._launch_error: BaseException | None = None
        self._child_env: dict = {}
        self._keep_links: dict = {}
        self._keeper: threading.Thread | None = None
        self._request_id = 0

    # --- starting and stopping --------------------------------------------------
    def start(self) -> None:
        """Start bubblewrap and the zygote; returns before the zygote is ready."""
        with self.lock:
            if self.proc is not None or self._launched.is_set():
                return
            settings = self.settings
            bwrap = settings.resolve_bwrap()
            if settings.sandbox_uid == 0 or settings.sandbox_gid == 0:
                raise WarmSandboxError("sandbox_uid and sandbox_gid must not be 0")
            remove_stale_folders()
            self.base = Path(owned_folder("cnn-warm-"))
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            status_r, status_w = os.pipe()
            try:
                files = self.base / "files"
                files.mkdir(mode=0o700)
                self.submission = self.base / "submission"
                self.submission.mkdir()
                os.chmod(self.submission, 0o755)
                env = sandbox_env()
                self._child_env = dict(env)
                argv = self.command(bwrap, files, theirs.fileno(), status_w)
            except BaseException:
                for sock in (ours, theirs):
                    sock.close()
                os.close(status_r)
                os.close(status_w)
                self._forget()
                raise
            self.ctl = ours
            self._exited.clear()
            self._pid_known.clear()
            self._launch_error = None
            self._init_pid = None
            self.dirty = True
            self.starts += 1
            # bubblewrap's --die-with-parent follows the thread that started it:
            # a thread that lives as long as the sandbox starts and reaps it.
            keeper = threading.Thread(target=self._keep, name="warm-sandbox",
                                      args=(argv, env, theirs, status_r, status_w), daemon=True)
            keeper.start()
            self._keeper = keeper
            self._launched.wait()
            if self._launch_error is not None:
                self._forget()
                raise WarmSandboxError(f"cannot run bubblewrap: {self._launch_error}")

    def command(self, bwrap: str, files: Path, ctl_fd: int, status_fd: int) -> list[str]:
        """The bwrap argv that starts the zygote."""
        settings = self.settings
        plan = base_plan(settings)
        private_files = identity_files(str(files), settings)
        private_files[SUBMISSION_DIR] = str(self.submission)
        # Symlinks that bwrap makes inside the wiped folders (on the way to
        # the interpreter, say) are part of the sandbox: the wipe keeps them.
        self._keep_links = {
            p.lstrip("/"): t for p, t in plan.links.items()
            if not any(under(p, b) for b in plan.binds)
            and any(under(p, "/" + w) for w in WIPED_DIRS)}
        limits = dict(settings.limits())
        # Message queues would outlive a child inside the sandbox's ipc namespace.
        limits["RLIMIT_MSGQUEUE"] = (0, 0)
        spec = confinement(settings, ctl_fd=ctl_fd, privileged=self.privileged, imports=list(self.imports))
        spec["limits"] = limits
        return bwrap_argv(settings, bwrap=bwrap, plan=plan, private_files=private_files,
                          protected=Protected(**self.facts.protected()), chdir="/",
                          privileged=self.privileged, program="coursekit.grading.sandbox.zygote", spec=spec,
                          status_fd=status_fd)

    def _keep(self, argv, env, theirs, status_r, status_w) -> None:
        try:
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                         pass_fds=(theirs.fileno(), status_w),
                                         start_new_session=True)
        except OSError as exc:
            self._launch_error = exc
            os.close(status_r)
            return
        finally:
            theirs.close()
            os.close(status_w)
            self._launched.set()
        proc = self.proc
        with os.fdopen(status_r, "rb") as status:
            for line in status:
                try:
                    doc = json.loads(line)
                except ValueError:
                    continue
                if "child-pid" in doc and self._init_pid is None:
                    self._init_pid = int(doc["child-pid"])
                    self._pid_known.set()
        proc.wait()
        self._exited.set()
        self._pid_known.set()

    def _await_ready(self) -> None:
        assert self.ctl is not None
        info = self._receive(READY_TIMEOUT, "the zygote's imports")[0]
        if info.get("op") != "ready":
            raise WarmSandboxError(f"unexpected first message from the zygote: {info}")
        if info.get("failed"):
            log.warning("warm sandbox: the zygote could not import %s", "; ".join(info["failed"]))
        self._pid_known.wait(10)
        if self._init_pid is None:
            raise WarmSandboxError("bubblewrap did not report the sandbox's pid")
        self.ready_info = info
        self.root_fd = os.open(f"/proc/{self._init_pid}/root", os.O_PATH | os.O_DIRECTORY)

    @property
    def running(self) -> bool:
        return self.proc is not None and not self._exited.is_set() and self.ctl is not None

    def ensure_ready(self) -> None:
        """A running, clean sandbox, started (again) if needed."""
        with self.lock:
            for attempt in range(2):
                if self.proc is not None and not self.running:
                    log.warning("warm sandbox: bubblewrap exited; starting a new sandbox")
                    self.close()
                if self.proc is None:
                    self.start()
                if self.ready_info is None:
                    try:
                        self._await_ready()
                    except BaseException:
                        self.close()
                        raise
                if self.dirty or self.child is not None:
                    self.reset()  # throws the sandbox away if it fails
                if self.proc is not None:
                    return
            raise WarmSandboxError("a new warm sandbox could not be reset")

    def close(self) -> None:
        """Stop the sandbox (every process in it) and delete its folders."""
        with self.lock:
            if self.child is not None:
                self.child.close()
                self.child = None
            if self.ctl is not None:
                try:
                    self.ctl.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self.ctl.close()
                self.ctl = None
            proc = self.proc
            if proc is not None:
                # The zygote exits on EOF; the sandbox's init then ends every process.
                if not self._exited.wait(2):
                    try:
                        proc.kill()
                    except OSError:
                        pass
                    self._exited.wait(5)
            self._forget()

    def _forget(self) -> None:
        # Safe to run again from a signal handler that interrupted it.
        for folder in (self.base, self.links_base):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        self.base = self.links_base = self.submission = None
        root_fd, self.root_fd = self.root_fd, None
        if root_fd is not None:
            os.close(root_fd)
        self.proc = None
        self.ready_info = None
        self._launched.clear()
        self.dirty = True

    # --- talking to the zygote ----------------------------------------------------
    def _receive(self, timeout: float, what: str, request_id=None) -> tuple[dict, list[int]]:
        """The next message of the zygote (the answer to *request_id*, if given)."""
        assert self.ctl is not None
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WarmSandboxError(f"the warm sandbox did not answer in time ({what})")
            readable, _, _ = select.select([self.ctl], [], [], min(remaining, 0.5))
            if not readable:
                if self._exited.is_set():
                    raise WarmSandboxError(f"the warm sandbox exited ({what})")
                continue
            data, fds, _, _ = socket.recv_fds(self.ctl, 1 << 20, 4)
            if not data:
                for fd in fds:
                    os.close(fd)
                raise WarmSandboxError(f"the warm sandbox closed its control socket ({what})")
            doc = json.loads(data)
            if request_id is None or doc.get("id") == request_id:
                return doc, fds
            for fd in fds:  # the late answer to a request that timed out
                os.close(fd)

    def _call(self, request: dict, timeout: float) -> tuple[dict, list[int]]:
        if not self.running:
            raise WarmSandboxError("the warm sandbox is not running")
        self._request_id += 1
        request = dict(request, id=self._request_id)
        try:
            self.ctl.send(json.dumps(request).encode())
        except OSError as exc:
            raise WarmSandboxError(f"the warm sandbox went away: {exc}") from exc
        return self._receive(timeout, request["op"], self._request_id)

    def child_status(self) -> int | None:
        with self.lock:
            try:
                reply, _ = self._call({"op": "status"}, 5)
            except WarmSandboxError:
                return None
            return reply.get("status")

    # --- kernels --------------------------------------------------------------------
    async def spawn(self, cwd: Path, connection: dict, extra_args: list[str],
                    client_ip: str) -> WarmChild:
        """Fork a kernel for the submission in *cwd*.

        *connection* is the client's connection info (ipc transport, ports
        1..5 as in ``CHANNELS`` order); *client_ip* is its ``ip``, in a private
        folder of the worker where the links to the kernel's sockets are made.
        """
        with self.lock:
            self.ensure_ready()
            check_kernel_cwd(cwd, self.facts)
            empty_folder(self.submission)
            copy_submission_files(Path(cwd), self.submission)
            inner = {k: v for k, v in connection.items()
                     if k in ("key", "signature_scheme", "kernel_name")}
            if isinstance(inner.get("key"), bytes):
                inner["key"] = inner["key"].decode()
            inner.update(transport="ipc", ip=SOCKET_PREFIX)
            for name in CHANNELS:
                inner[name] = int(connection[name])
            request = {"op": "spawn", "cwd": SUBMISSION_DIR, "env": self._child_env,
                       "connection": inner, "connection_file": CHILD_CONNECTION_FILE,
                       "argv0": _launcher_path(), "argv": list(extra_args)}
            self.dirty = True
            reply, fds = self._call(request, 10)
            if not reply.get("ok") or len(fds) != 1:
                for fd in fds:
                    os.close(fd)
                raise WarmSandboxError(f"the zygote did not start a kernel: {reply}")
            child = WarmChild(self, fds[0], reply["pid"])
            self.child = child
            self.spawned += 1
        try:
            await self._connect(child, inner, client_ip)
        except BaseException:
            self.release(child)
            raise
        return child

    async def _connect(self, child: WarmChild, inner: dict, client_ip: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        ports = [inner[name] for name in CHANNELS]
        found: dict[int, int] = {}
        while len(found) < len(ports):
            for port in ports:
                if port in found:
                    continue
                try:
                    fd = socket_fd(self.root_fd, f"{SOCKET_PREFIX}-{port}")
                except OSError:
                    continue
                if listening(fd):
                    found[port] = fd
                    child.socket_fds.append(fd)  # closed with the child
                else:
                    os.close(fd)
            if len(found) == len(ports):
                break
            if child.exited():
                raise WarmSandboxError(
                    f"the kernel exited while starting (status {child.exit_status()})")
            if time.monotonic() > deadline:
                raise WarmSandboxError("the kernel's sockets did not appear in time")
            await asyncio.sleep(0.005)
        # (Made again if a replaced sandbox took the folder with it.)
        os.makedirs(os.path.dirname(client_ip), mode=0o700, exist_ok=True)
        for port, fd in found.items():
            link = f"{client_ip}-{port}"
            os.symlink(f"/proc/{os.getpid()}/fd/{fd}", link)
            child.links.append(link)

    def release(self, child: WarmChild) -> None:
        """Kill *child* and everything else in the sandbox; wipe; ready for the next."""
        with self.lock:
            child.signal(signal.SIGKILL)
            self.reset()
            child.close()
            if self.child is child:
                self.child = None

    def reset(self) -> None:
        """Kill every process but the zygote, empty the writable places and the submission folder.

        On any failure the sandbox is thrown away (a new one starts on the next spawn).
        """
        with self.lock:
            if not self.running or self.ready_info is None:
                if self.proc is not None:
                    self.close()
                return
            try:
                reply, _ = self._call({"op": "reset"}, RESET_TIMEOUT)
                if self.child is not None:
                    self.child.status = reply.get("status")
                    self.child.close()
                    self.child = None
                if not reply.get("ok"):
                    raise WarmSandboxError(f"processes or IPC objects left behind: {reply}")
                for rel in WIPED_DIRS:
                    wipe_beneath(self.root_fd, rel, self._keep_links)
                empty_folder(self.submission)
                self.dirty = False
            except (OSError, ValueError, WarmSandboxError) as exc:
                log.warning("warm sandbox: reset failed (%s); starting a new sandbox", exc)
                self.close()

    def new_client_ip(self) -> str:
        """A fresh private folder of the worker for one kernel's socket links; returns its ip."""
        with self.lock:
            self.ensure_ready()
            folder = Path(tempfile.mkdtemp(prefix="c-", dir=self._links_folder()))
            return str(folder / "k")

    def _links_folder(self) -> Path:
        """Where the links to a kernel's sockets go: the sandbox's folder, if socket paths in it fit.

        A deep temp folder (a long ``TMPDIR``) would make the links' paths too
        long for a Unix socket address; then they go in a private folder of
        this process in the first of ``SHORT_BASES`` that takes one.
        """
        if len(os.fsencode(str(self.base))) + LINK_SUFFIX <= SOCKET_PATH_MAX:
            return self.base
        if self.links_base is None or not self.links_base.is_dir():
            errors = []
            for candidate in SHORT_BASES:
                try:
                    remove_stale_folders(candidate)
                    self.links_base = Path(owned_folder("cnn-warm-", base=candidate))
                    break
                except OSError as exc:
                    errors.append(f"{candidate}: {exc}")
            else:
                raise WarmSandboxError(
                    f"the temp folder {str(self.base.parent)!r} is too deep for the kernel's socket "
                    f"paths, and no short folder could be made ({'; '.join(errors)}); "
                    f"set TMPDIR to a shorter path")
        return self.links_base


def _launcher_path() -> str:
    try:
        import ipykernel_launcher
        return ipykernel_launcher.__file__
    except ImportError:  # pragma: no cover - ipykernel always ships it
        return "ipykernel_launcher"


