"""Warm sandboxed kernels for ``coursekit grade``'s worker processes.

A cold ``cnn-sandbox`` kernel (``sandbox_kernel.py``) costs several
CPU-seconds that have nothing to do with the submission: a launcher
interpreter, bubblewrap, a fresh interpreter that imports ipykernel, then the
notebook's own imports of numpy, matplotlib (which rebuilds its font cache in
the fresh ``MPLCONFIGDIR``) and h5py.  Measured over the whole process tree, a
notebook of this course costs about 9 CPU-seconds that way and about 2 with
this module.  A batch worker grades many notebooks in a row, so it pays for
all of that once instead:

* :class:`WarmSandbox` starts one bubblewrap sandbox per worker, built like
  the cold one (same mount plan, namespaces, environment and options from
  ``c.SandboxKernel``).  In it runs a *zygote*: an interpreter that has
  imported ipykernel, numpy, matplotlib (with the inline backend IPython uses)
  and h5py, and nothing of the course.  It only listens on a control socket.
* For each submission the zygote forks a child.  The child starts a new
  session, runs the cold kernel's own prelude (``sandbox_kernel.PRELUDE``:
  resource limits, drop to ``sandbox_uid``, no capabilities,
  ``no_new_privs``), sets ``HOME``/``MPLCONFIGDIR``/``TMPDIR`` to the scratch
  ``/tmp``, changes to ``/run/submission`` and becomes an ``IPKernelApp``.
  Its imports are already in memory.
* ``/run/submission`` is a read-only bind of a folder of the worker into
  which the grader copies the submission's files (``cnn_checks.py``,
  ``data/``, ``locale/``, ``LANGUAGE``, ``images/``...) from the autograded
  folder before each fork, never a notebook.
* After each notebook, every process of the sandbox except its init and the
  zygote is killed (``kill(-1, SIGKILL)`` from the sandbox user), System V IPC
  objects are removed, and the grader empties the only writable places
  (``/tmp``, ``/run/kernel``, ``/dev/shm``) from outside, then empties the
  submission folder.  POSIX message queues cannot be created
  (``RLIMIT_MSGQUEUE`` 0).  One child runs at a time.  When any step fails the
  whole sandbox is thrown away and the next submission gets a new one.

Transport
---------
The child's kernel listens on ZMQ ``ipc`` sockets ``/run/kernel/k-1`` ...
``k-5`` of the sandbox, exactly like the cold kernel, but no relay copies the
bytes: the worker's client connects to them directly.  Before it does, the
grader walks to each socket from the sandbox's root (``/proc/<pid>/root``),
opening every path component with ``O_NOFOLLOW`` and accepting only a socket
inode, and keeps the ``O_PATH`` file descriptor.  The client's connection file
names ``<private folder>/k-N``, symlinks owned by the grader to
``/proc/<worker pid>/fd/<that descriptor>``: every connection, and every ZMQ
reconnection, reaches that very inode, whatever the submission later renames,
deletes or symlinks inside the sandbox.

Integration
-----------
:class:`WarmKernelManager` is a jupyter_client ``AsyncKernelManager`` whose
kernels of the ``cnn-sandbox`` kernelspec come from the worker's warm sandbox
(other kernelspecs are started as usual).  ``batch_grade``'s worker
initializer calls :func:`prepare_worker` and hands the class to
``ContainedExecute`` when ``c.BatchGrade.warm_kernels`` is True.  Interrupts
are ``interrupt_request`` messages as for the cold kernel (the provisioner can
also signal the child through a pidfd); a dead child is seen through its pidfd.
Plain ``nbgrader autograde`` never uses this module.
"""
from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.provisioning import LocalProvisioner

from . import sandbox_kernel as sk
from .sandbox_kernel import (CHANNELS, KERNEL_NAME, SOCKET_DIR, SOCKET_PREFIX, SandboxError,
                             SandboxKernel)

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
    # Formatting a traceback (any failing check) loads these.
    "pygments.lexers.python", "pygments.formatters.terminal256",
)

#: Seconds allowed for the zygote's imports, a kernel's start and a reset.
READY_TIMEOUT = 180.0
START_TIMEOUT = 60.0
RESET_TIMEOUT = 10.0

# Runs inside the sandbox as ``python -c ZYGOTE SPEC``.  It never runs student
# code itself: it imports, forks children and kills what they leave behind.
ZYGOTE = r'''
import ctypes, gc, importlib, json, os, resource, signal, socket, sys, time, traceback

SPEC = json.loads(sys.argv[1])
CTL_FD = SPEC["ctl_fd"]
MAX_FD = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
MAX_FD = 1 << 20 if MAX_FD < 0 or MAX_FD > 1 << 20 else MAX_FD
os.closerange(3, CTL_FD)
os.closerange(CTL_FD + 1, MAX_FD)
if sys.path and sys.path[0] == "":
    del sys.path[0]  # never import from the working directory
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.prctl(4, 0, 0, 0, 0)   # PR_SET_DUMPABLE 0: nothing in the sandbox may ptrace the zygote
LIBC.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
UID, GID = SPEC["uid"], SPEC["gid"]
CTL = socket.socket(fileno=CTL_FD)
REQUEST_ID = None


def send(doc, fds=()):
    doc = dict(doc, id=REQUEST_ID)
    data = json.dumps(doc).encode()
    if fds:
        socket.send_fds(CTL, [data], list(fds))
    else:
        CTL.send(data)


START_ENV = dict(os.environ)
# The cold kernel imports matplotlib after ipykernel has set MPLBACKEND.
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
for folder in SPEC["mkdirs"]:
    os.makedirs(folder, mode=0o700, exist_ok=True)
failed = []
for name in SPEC["imports"]:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(name + ": " + repr(exc))
del os.environ["MPLBACKEND"]
# Variables that the imports set (ipykernel sets some): a cold kernel has them too.
IMPORT_ENV = {k: v for k, v in os.environ.items() if START_ENV.get(k) != v}
gc.collect()
gc.freeze()  # children need not touch (and copy) the zygote's pages to collect them

CHILD = None
STATUS = None


class Proceed(BaseException):
    """Raised instead of the prelude's final exec."""


def start_kernel(req):
    """In a freshly forked child: become the kernel; never returns."""
    code = 1
    try:
        os.setsid()
        CTL.detach()
        os.closerange(3, MAX_FD)
        # The cold kernel's prelude (limits, drop to the sandbox user, no
        # capabilities, no_new_privs, umask, HOME folders), verbatim; it ends
        # in an exec, which here returns to us instead.
        sys.argv = [sys.argv[0], json.dumps({
            "limits": SPEC["limits"], "uid": UID, "gid": GID,
            "mkdirs": SPEC["mkdirs"], "argv": ["kernel"]})]
        real_execv = os.execv

        def proceed(*args):
            raise Proceed()

        os.execv = proceed
        try:
            exec(compile(SPEC["prelude"], "<sandbox prelude>", "exec"), {"__name__": "__prelude__"})
        except Proceed:
            pass
        else:
            os._exit(121)
        finally:
            os.execv = real_execv
        LIBC.prctl(4, 1, 0, 0, 0)  # dumpable again, as after the cold kernel's exec
        os.environ.clear()
        os.environ.update(req["env"])
        os.environ.update(IMPORT_ENV)
        os.environ["PWD"] = req["cwd"]  # as bubblewrap's --chdir sets it
        os.chdir(req["cwd"])
        import random, tempfile
        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        tempfile.tempdir = None
        with open(req["connection_file"], "w") as fh:
            json.dump(req["connection"], fh)
        sys.argv = [req["argv0"], "-f", req["connection_file"], *req["argv"]]
        from ipykernel.kernelapp import IPKernelApp
        app = IPKernelApp.instance()
        app.initialize(sys.argv[1:])
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            import atexit
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(code)


def processes(exclude, *, live_only):
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in exclude:
            continue
        try:
            with open("/proc/" + name + "/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if not live_only or state not in ("Z", "X"):
            found.append(int(name))
    return found


def remove_sysv_ipc():
    for kind in ("shm", "msg", "sem"):
        try:
            with open("/proc/sysvipc/" + kind) as fh:
                rows = fh.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            ident = int(row.split()[1])
            if kind == "shm":
                LIBC.shmctl(ident, 0, None)      # IPC_RMID
            elif kind == "msg":
                LIBC.msgctl(ident, 0, None)
            else:
                LIBC.semctl(ident, 0, 0)


def sweep(exclude):
    """Kill every process this one may signal (all of the sandbox user's)."""
    for _ in range(1000):
        try:
            os.kill(-1, signal.SIGKILL)  # spares the caller and the sandbox's init
        except ProcessLookupError:
            pass
        if not processes(exclude, live_only=True):
            break
        time.sleep(0.002)
    remove_sysv_ipc()


def child_status(block):
    global CHILD, STATUS
    if CHILD is not None:
        pid, status = os.waitpid(CHILD, 0 if block else os.WNOHANG)
        if pid:
            CHILD, STATUS = None, os.waitstatus_to_exitcode(status)
    return STATUS


def reset():
    me = os.getpid()
    if CHILD is not None:
        try:
            os.kill(CHILD, signal.SIGKILL)  # works while it has not yet left our uid
        except (ProcessLookupError, PermissionError):
            pass
    if SPEC["privileged"]:
        # kill(-1) from the sandbox user reaches all of its processes, and
        # never the zygote (uid 0) or the sandbox's init.
        reaper = os.fork()
        if reaper == 0:
            code = 1
            try:
                os.setgroups([])
                os.setresgid(GID, GID, GID)
                os.setresuid(UID, UID, UID)
                sweep({1, me, os.getpid()})
                code = 0
            finally:
                os._exit(code)
        os.waitpid(reaper, 0)
    else:
        sweep({1, me})
    status = child_status(block=True)
    deadline = time.monotonic() + 5
    left = processes({1, me}, live_only=False)
    while left and time.monotonic() < deadline:
        time.sleep(0.002)  # orphans' zombies, until the sandbox's init reaps them
        left = processes({1, me}, live_only=False)
    ipc = []
    for kind in ("shm", "msg", "sem"):
        try:
            with open("/proc/sysvipc/" + kind) as fh:
                ipc += fh.read().splitlines()[1:]
        except OSError:
            pass
    return {"ok": not left and not ipc, "left": left, "ipc": len(ipc), "status": status}


send({"op": "ready", "pid": os.getpid(), "modules": len(sys.modules), "failed": failed,
      "threads": len(os.listdir("/proc/self/task")), "fds": sorted(os.listdir("/proc/self/fd"))})
while True:
    try:
        data = CTL.recv(1 << 20)
    except OSError:
        os._exit(0)
    if not data:
        os._exit(0)  # the worker went away
    try:
        req = json.loads(data)
        REQUEST_ID = req.get("id")
        op = req.get("op")
        if op == "spawn":
            if CHILD is not None:
                send({"ok": False, "error": "a kernel is already running"})
                continue
            STATUS = None
            pid = os.fork()
            if pid == 0:
                start_kernel(req)
            CHILD = pid
            pidfd = os.pidfd_open(pid)
            send({"ok": True, "pid": pid}, [pidfd])
            os.close(pidfd)
        elif op == "status":
            send({"ok": True, "status": child_status(block=False)})
        elif op == "reset":
            send(reset())
        elif op == "ping":
            send({"ok": True})
        else:
            send({"ok": False, "error": "unknown op " + repr(op)})
    except Exception as exc:
        try:
            send({"ok": False, "error": type(exc).__name__ + ": " + str(exc)})
        except OSError:
            os._exit(1)
'''


class WarmSandboxError(SandboxError):
    """The warm sandbox failed; the message names the cause."""


# --------------------------------------------------------------------------
# Files: opening inside the sandbox, wiping, copying a submission
# --------------------------------------------------------------------------

def _open_beneath(root_fd: int, relpath: str, flags: int) -> int:
    """Open *relpath* below the directory *root_fd*, following no symlink on the way."""
    parts = [p for p in relpath.split("/") if p]
    fd = root_fd
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            mode = flags if last else os.O_PATH | os.O_DIRECTORY
            new = os.open(part, mode | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            if fd != root_fd:
                os.close(fd)
            fd = new
    except BaseException:
        if fd != root_fd:
            os.close(fd)
        raise
    return fd


def socket_fd(root_fd: int, relpath: str) -> int:
    """An ``O_PATH`` descriptor of the socket *relpath* below *root_fd*.

    Raises OSError unless every component is a real directory (no symlink) and
    the last one a socket inode.
    """
    fd = _open_beneath(root_fd, relpath, os.O_PATH)
    if not stat.S_ISSOCK(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileNotFoundError(f"{relpath} is not a socket")
    return fd


def _listening(fd: int) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1)
    try:
        probe.connect(f"/proc/self/fd/{fd}")
        return True
    except OSError:
        return False
    finally:
        probe.close()


def wipe_beneath(root_fd: int, relpath: str, keep_links: dict | None = None) -> None:
    """Delete everything inside the folder *relpath* below *root_fd* (not the folder).

    Nothing on another file system is touched: the read-only binds that the
    sandbox has inside that folder (the venv may live under ``/tmp``), and the
    folders leading to them, stay.  *keep_links* maps paths (relative to the
    root) of the sandbox's own symlinks to their targets; they stay too.
    """
    keep_links = keep_links or {}
    fd = _open_beneath(root_fd, relpath, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _wipe_fd(fd, os.fstat(fd).st_dev, relpath.strip("/") + "/", keep_links)
    finally:
        os.close(fd)


def _wipe_fd(dir_fd: int, dev: int, prefix: str, keep_links: dict) -> bool:
    """Empty the folder *dir_fd*; True if nothing at all is left in it."""
    empty = True
    for name in os.listdir(dir_fd):
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if st.st_dev != dev:
            empty = False  # a mount point of the sandbox: never crossed
            continue
        path = prefix + name
        if stat.S_ISLNK(st.st_mode) and path in keep_links:
            if os.readlink(name, dir_fd=dir_fd) == keep_links[path]:
                empty = False
                continue
        if stat.S_ISDIR(st.st_mode):
            sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                          dir_fd=dir_fd)
            try:
                if os.fstat(sub).st_ino != st.st_ino:
                    raise WarmSandboxError(f"/{path} changed while it was being wiped")
                nothing_left = _wipe_fd(sub, dev, path + "/", keep_links)
            finally:
                os.close(sub)
            if nothing_left:
                os.rmdir(name, dir_fd=dir_fd)
            else:
                empty = False
        else:
            os.unlink(name, dir_fd=dir_fd)
    return empty


def _empty_folder(folder: Path) -> None:
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def copy_submission_files(src: Path, dest: Path) -> list[str]:
    """Copy the assignment files of *src* into the empty folder *dest*.

    A notebook is never copied: in its place goes an empty file of the same
    name that nobody may open, which is how the cold sandbox shows notebooks
    (bound to /dev/null on a nodev mount).  Symlinks are copied as symlinks
    (they resolve inside the sandbox), other special files are skipped.
    Folders become 0755 and files 0644 (0755 if executable), so the sandbox
    user can read them.  Returns the relative paths copied.
    """
    copied = []

    def walk(s: Path, d: Path, prefix: str) -> None:
        with os.scandir(s) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                name = entry.name
                target = d / name
                if entry.is_symlink():
                    os.symlink(os.readlink(entry.path), target)
                elif name.endswith(".ipynb") and entry.is_file(follow_symlinks=False):
                    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0))
                    os.chmod(target, 0)
                elif entry.is_dir(follow_symlinks=False):
                    target.mkdir()
                    os.chmod(target, 0o755)
                    walk(Path(entry.path), target, prefix + name + "/")
                elif entry.is_file(follow_symlinks=False):
                    shutil.copyfile(entry.path, target, follow_symlinks=False)
                    executable = entry.stat(follow_symlinks=False).st_mode & 0o111
                    os.chmod(target, 0o755 if executable else 0o644)
                else:
                    continue
                copied.append(prefix + name)

    walk(Path(src), Path(dest), "")
    return copied


def check_kernel_cwd(cwd: Path, course_root: Path | None) -> None:
    """Refuse a kernel folder whose contents would show the course (as the cold launcher does)."""
    cwd = Path(cwd).resolve()
    if (course_root is not None and Path(course_root).resolve().is_relative_to(cwd)) or (
            (cwd / "nbgrader_config.py").is_file() and not sk._student_controlled(cwd)):
        raise WarmSandboxError(
            f"the kernel's working directory {cwd} is (or contains) a course root; "
            "copying it would show the whole course to student code")


# --------------------------------------------------------------------------
# The sandbox and its zygote
# --------------------------------------------------------------------------

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

    def __init__(self, settings: SandboxKernel, course_root: Path | None = None,
                 imports=ZYGOTE_IMPORTS):
        self.settings = settings
        self.course_root = Path(course_root).resolve() if course_root is not None else None
        self.imports = tuple(imports)
        self.privileged = os.geteuid() == 0
        self.lock = threading.RLock()
        self.proc: subprocess.Popen | None = None
        self.ctl: socket.socket | None = None
        self.root_fd: int | None = None
        self.base: Path | None = None
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
            self.base = Path(tempfile.mkdtemp(prefix="cnn-warm-"))
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            status_r, status_w = os.pipe()
            try:
                files = self.base / "files"
                files.mkdir(mode=0o700)
                self.submission = self.base / "submission"
                self.submission.mkdir()
                os.chmod(self.submission, 0o755)
                sk._write_private_files(str(files), {}, settings)
                # The cold kernel's environment (it does not depend on the folder).
                _, env = sk.sandbox_command(settings, bwrap=bwrap, cwd=str(files),
                                            files_dir=str(files), extra_args=[],
                                            privileged=self.privileged,
                                            course_root=self.course_root)
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
        plan = sk.MountPlan()
        for p in sk.SYSTEM_DIRS:
            if os.path.lexists(p):
                plan.expose(p)
        for p in sk.ETC_FILES:
            if os.path.exists(p):
                plan.expose(p)
        for p in sk._python_paths():
            plan.expose(p)
        for p in settings.extra_readonly_paths:
            plan.expose(os.path.expanduser(p))
        private_files = {
            "/etc/passwd": str(files / "passwd"),
            "/etc/group": str(files / "group"),
            "/etc/hosts": str(files / "hosts"),
            SUBMISSION_DIR: str(self.submission),
        }
        if self.course_root is not None:
            real_root = os.path.realpath(self.course_root)
            for b in [*plan.binds, str(self.submission)]:
                if sk._under(real_root, os.path.realpath(b)):
                    raise WarmSandboxError(f"refusing to bind {b} into the sandbox: it "
                                           f"contains the course root {real_root}")
        argv = [bwrap, "--die-with-parent", "--json-status-fd", str(status_fd),
                "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--hostname", "grading-sandbox"]
        if self.privileged:
            # The zygote keeps these three to drop each child to the sandbox
            # user; the children lose them (and everything else) in the prelude.
            argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID",
                     "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
        else:
            argv += ["--unshare-user", "--disable-userns",
                     "--uid", str(settings.sandbox_uid), "--gid", str(settings.sandbox_gid)]
        argv += plan.args(tmp_size=settings.tmp_size_mb * 2**20, private_files=private_files)
        argv += ["--remount-ro", "/", "--chdir", "/"]
        # Symlinks that bwrap makes inside the wiped folders (on the way to
        # the interpreter, say) are part of the sandbox: the wipe keeps them.
        self._keep_links = {
            p.lstrip("/"): t for p, t in plan.links.items()
            if not any(sk._under(p, b) for b in plan.binds)
            and any(sk._under(p, "/" + w) for w in WIPED_DIRS)}
        limits = dict(settings.limits())
        # Message queues would outlive a child inside the sandbox's ipc namespace.
        limits["RLIMIT_MSGQUEUE"] = (0, 0)
        spec = {
            "ctl_fd": ctl_fd,
            "privileged": self.privileged,
            "uid": settings.sandbox_uid,
            "gid": settings.sandbox_gid,
            "limits": limits,
            "mkdirs": [sk.SANDBOX_HOME, sk.SANDBOX_MPLCONFIGDIR],
            "prelude": sk.PRELUDE,
            "imports": list(self.imports),
        }
        return argv + ["--", sys.executable, "-c", ZYGOTE, json.dumps(spec)]

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
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
        self.base = self.submission = None
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
            check_kernel_cwd(cwd, self.course_root)
            _empty_folder(self.submission)
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
                if _listening(fd):
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
                _empty_folder(self.submission)
                self.dirty = False
            except (OSError, ValueError, WarmSandboxError) as exc:
                log.warning("warm sandbox: reset failed (%s); starting a new sandbox", exc)
                self.close()

    def new_client_ip(self) -> str:
        """A fresh private folder of the worker for one kernel's socket links; returns its ip."""
        with self.lock:
            self.ensure_ready()
            folder = Path(tempfile.mkdtemp(prefix="conn-", dir=self.base))
            return str(folder / "k")


def _launcher_path() -> str:
    try:
        import ipykernel_launcher
        return ipykernel_launcher.__file__
    except ImportError:  # pragma: no cover - ipykernel always ships it
        return "ipykernel_launcher"


# --------------------------------------------------------------------------
# One sandbox per worker process
# --------------------------------------------------------------------------

_SANDBOXES: dict[Path | None, WarmSandbox] = {}
_EVERY_SANDBOX: "weakref.WeakSet[WarmSandbox]" = weakref.WeakSet()
_REGISTRY_LOCK = threading.Lock()
_FAILED_ROOTS: set = set()


def sandbox_for(course_root: Path | None, settings: SandboxKernel | None = None) -> WarmSandbox:
    """This process's warm sandbox for *course_root* (created, not yet started, if new)."""
    key = Path(course_root).resolve() if course_root is not None else None
    with _REGISTRY_LOCK:
        box = _SANDBOXES.get(key)
        if box is None:
            box = WarmSandbox(settings or sk.load_settings(key), key)
            _SANDBOXES[key] = box
            _EVERY_SANDBOX.add(box)
        return box


def close_all() -> None:
    """Stop every warm sandbox of this process."""
    with _REGISTRY_LOCK:
        boxes = list(_SANDBOXES.values())
        _SANDBOXES.clear()
    for box in boxes:
        try:
            box.close()
        except Exception:  # noqa: BLE001 - shutting down anyway
            pass


atexit.register(close_all)


def prepare_worker(course_root: Path, config=None) -> WarmSandbox:
    """Start this worker's sandbox early (the zygote imports while the worker sets up).

    The sandbox is stopped, and its folders deleted, when the worker ends, be
    it normally or by SIGTERM (``Pool.terminate``).
    """
    settings = SandboxKernel(config=config) if config is not None else None
    box = sandbox_for(course_root, settings)
    try:
        box.start()
    except SandboxError as exc:
        log.warning("warm sandbox unavailable (%s); using cold sandboxed kernels", exc)
        _FAILED_ROOTS.add(box.course_root)
    # A pool worker ends with os._exit, which skips atexit: multiprocessing's
    # own exit hooks run, and SIGTERM (Pool.terminate) is caught.
    from multiprocessing import util
    util.Finalize(None, close_all, exitpriority=100)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    return box


def _stop_on_sigterm(signum, frame):
    close_all()
    # Also those that a close_all interrupted by this signal was closing.
    for box in list(_EVERY_SANDBOX):
        try:
            box.close()
        except Exception:  # noqa: BLE001 - the worker is ending anyway
            pass
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


# --------------------------------------------------------------------------
# jupyter_client integration
# --------------------------------------------------------------------------

class WarmProvisioner(LocalProvisioner):
    """Kernel provisioner whose kernel is a child of the worker's warm sandbox."""

    sandbox: WarmSandbox | None = None
    child: WarmChild | None = None
    client_ip: str | None = None
    _extra_args: list = []
    _waited = False

    async def pre_launch(self, **kwargs):
        self._extra_args = list(kwargs.get("extra_arguments") or [])
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd, **kwargs):
        cwd = Path(kwargs.get("cwd") or os.getcwd())
        assert self.sandbox is not None and self.client_ip is not None
        self.child = await self.sandbox.spawn(cwd, self.connection_info, self._extra_args,
                                              self.client_ip)
        self._waited = False
        self.pid = self.child.host_pid
        self.pgid = None
        self.cwd = str(cwd)
        return self.connection_info

    @property
    def has_process(self) -> bool:
        return self.child is not None and not self._waited

    async def poll(self):
        if self.child is None:
            return 0
        return self.child.exit_status() if self.child.exited() else None

    async def wait(self):
        if self.child is None:
            return 0
        while not self.child.exited():
            await asyncio.sleep(0.05)
        self._waited = True
        return self.child.exit_status()

    async def send_signal(self, signum: int) -> None:
        if self.child is not None:
            self.child.signal(signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return min(recommended, 1.0)

    async def cleanup(self, restart: bool = False) -> None:
        child, self.child = self.child, None
        if child is not None and self.sandbox is not None:
            self.sandbox.release(child)
        if self.client_ip is not None and not restart:
            shutil.rmtree(os.path.dirname(self.client_ip), ignore_errors=True)
            self.client_ip = None


class WarmKernelManager(AsyncKernelManager):
    """An AsyncKernelManager that takes ``cnn-sandbox`` kernels from the warm sandbox.

    Kernels of any other kernelspec, and every kernel when the warm sandbox
    cannot run here, start the usual way (cold).
    """

    @property
    def kernel_spec(self):
        if self.kernel_name == KERNEL_NAME:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(resource_dir="", name=KERNEL_NAME,
                                               **sk.kernelspec_dict())
            return self._kernel_spec
        return super().kernel_spec

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None and self.kernel_name == KERNEL_NAME:
            box = self._warm_sandbox(kw.get("cwd"))
            if box is not None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                client_ip = box.new_client_ip()
                self.transport = "ipc"
                self.ip = client_ip
                for port, name in enumerate(CHANNELS, start=1):
                    setattr(self, name, port)
                provisioner = WarmProvisioner(kernel_id=self.kernel_id,
                                              kernel_spec=self.kernel_spec, parent=self)
                provisioner.sandbox = box
                provisioner.client_ip = client_ip
                self.provisioner = provisioner
        return await super()._async_pre_start_kernel(**kw)

    def _warm_sandbox(self, cwd) -> WarmSandbox | None:
        cwd = Path(cwd or os.getcwd())
        try:
            root = sk.find_course_root(cwd)
        except SandboxError as exc:
            self.log.warning("warm kernels: %s; starting a cold kernel", exc)
            return None
        key = Path(root).resolve() if root is not None else None
        if key in _FAILED_ROOTS:
            return None
        box = sandbox_for(key)
        try:
            box.ensure_ready()
        except SandboxError as exc:
            self.log.warning("warm kernels unavailable (%s); using cold sandboxed kernels", exc)
            _FAILED_ROOTS.add(key)
            return None
        return box

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        """Kill at once: the child is thrown away with everything it made."""
        if isinstance(self.provisioner, WarmProvisioner):
            now = True
        await KernelManager._async_shutdown_kernel(self, now=now, restart=restart)
