"""A grading sandbox: an IPython kernel that runs student code under bubblewrap.

``nbgrader autograde`` executes every submission with a Jupyter kernel.  The
kernelspec installed by this module (``cnn-sandbox``) starts that kernel inside
a bubblewrap (``bwrap``) sandbox, so that a submission

* sees a file system made only of read-only binds of what Python needs (the
  interpreter, the virtual environment, ``/usr``, the ``/lib*`` links and a few
  files of ``/etc``) plus its own working directory
  (``autograded/<student>/<assignment>/``), also read-only.  The rest of the
  course (``source/``, ``gradebook.db``, other students' folders, ...) does not
  exist for it;
* can write only to a fresh, size-capped tmpfs on ``/tmp`` (its ``HOME`` and
  ``MPLCONFIGDIR`` live there) and to the tmpfs holding its kernel sockets;
* runs in new pid, network, ipc, uts and cgroup namespaces: the only network
  interface is an isolated loopback;
* runs as an unprivileged user with no capabilities and ``no_new_privs``, and
  under ``RLIMIT_AS`` (memory), ``RLIMIT_CPU`` (CPU time), ``RLIMIT_NPROC`` and
  ``RLIMIT_CORE`` limits.

How the kernel is reached without a network
-------------------------------------------
Jupyter clients (nbclient, hence nbgrader) write a connection file that asks
the kernel to listen on TCP ports of 127.0.0.1.  A kernel in its own network
namespace cannot bind those.  The kernel inside the sandbox is therefore told
to use ZMQ's ``ipc`` transport, with its five sockets on the sandbox's private
tmpfs ``/run/kernel``.  This launcher stays outside the sandbox, listens on the
addresses of the client's connection file, and copies bytes between each client
connection and the matching kernel socket (ZMTP is the same over ``tcp`` and
``ipc``, so the client cannot tell the difference).  The launcher reaches the
kernel sockets through ``/proc/<pid>/root`` of the sandbox, opening each path
component with ``O_NOFOLLOW`` and connecting only to real socket inodes, so
the submission cannot point the launcher at any socket of the host.

A client configured with ``c.KernelManager.transport = "ipc"`` works too, as
long as ``c.KernelManager.ip`` is an absolute path: jupyter_client's default
ipc path is relative, and the client and kernel run in different folders.

Privileges
----------
When the grader is root, bubblewrap runs in its privileged mode; a small
prelude inside the sandbox sets the resource limits, drops the capability
bounding set, the supplementary groups, and switches to ``sandbox_uid`` /
``sandbox_gid`` (65534, "nobody") before it execs ipykernel.  When the grader
is not root, bubblewrap creates a user namespace in which the kernel appears
as ``sandbox_uid`` (it is the grader's own uid on the host) with no
capabilities, and nested user namespaces are disabled.  In privileged mode the
working directory and its files must be world-readable (umask 022), since the
kernel runs as "nobody".

Options are traitlets on :class:`SandboxKernel`, read from the course's
``nbgrader_config.py``.  The course root is ``$COURSEKIT_COURSE_ROOT`` if set,
otherwise the nearest folder above the kernel's working directory that holds an
``nbgrader_config.py`` (assignment folders inside ``submitted/``,
``autograded/`` and ``feedback/``, whose files come from students, are never
read).  The launcher itself must run with ``python -P``, so that it never
imports a module from the submission's folder: it runs outside the sandbox.

Command line::

    python -m coursekit.sandbox_kernel --install      # install the kernelspec
    python -m coursekit.sandbox_kernel --self-test    # prove each restriction
    python -P -m coursekit.sandbox_kernel -f CONNECTION_FILE   # kernelspec argv
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import stat
import sys
import tempfile
import time
from pathlib import Path

from traitlets import Bool, Integer, List, Unicode
from traitlets.config import Config, Configurable

#: Name and display name of the installed kernelspec.
KERNEL_NAME = "cnn-sandbox"
DISPLAY_NAME = "Python 3 (grading sandbox)"

#: Environment variable naming the course root (overrides the search from cwd).
COURSE_ROOT_ENV = "COURSEKIT_COURSE_ROOT"

#: nbgrader folders whose contents come from students.
STUDENT_TREES = frozenset({"submitted", "autograded", "feedback"})

#: The five kernel channels, in the order of the sandbox's socket numbers.
CHANNELS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")

#: Paths inside the sandbox.
SOCKET_DIR = "/run/kernel"
SOCKET_PREFIX = SOCKET_DIR + "/k"
INNER_CONNECTION_FILE = SOCKET_DIR + "/connection.json"
SANDBOX_HOME = "/tmp/home"
SANDBOX_MPLCONFIGDIR = "/tmp/matplotlib"

#: Exit status of the launcher when the sandbox cannot be set up.
EXIT_NO_SANDBOX = 3
#: Exit status of the in-sandbox prelude when it cannot drop privileges.
EXIT_PRELUDE_FAILED = 121

#: Files of the host's /etc that programs in the sandbox may need (if present).
ETC_FILES = (
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
    "/etc/timezone", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/alternatives",
    "/etc/mime.types", "/etc/fonts", "/etc/matplotlibrc",
)
#: Top-level system folders (or their merged-/usr symlinks), if present.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: Environment variables handed on to the kernel when the grader sets them.
PASSED_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "OMP_NUM_THREADS",
              "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MALLOC_ARENA_MAX")


class SandboxError(RuntimeError):
    """The sandbox could not be set up; the message names the cause."""


class SandboxKernel(Configurable):
    """Options of the grading sandbox (``c.SandboxKernel.*`` in nbgrader_config.py)."""

    memory_limit_mb = Integer(
        2048, min=0,
        help="Address-space limit (RLIMIT_AS) of the kernel process, in MiB. "
             "Allocations beyond it raise MemoryError. 0 means no limit.",
    ).tag(config=True)

    cpu_time_limit_s = Integer(
        60, min=0,
        help="CPU-time limit (RLIMIT_CPU) of the kernel process, in seconds, for "
             "the whole notebook. The kernel is killed when it is used up. "
             "0 means no limit.",
    ).tag(config=True)

    max_processes = Integer(
        256, min=0,
        help="RLIMIT_NPROC of the sandbox user: processes and threads, counted "
             "over all processes of that uid on the host (about 15 per kernel). "
             "0 means no limit.",
    ).tag(config=True)

    tmp_size_mb = Integer(
        256, min=1,
        help="Size of the private tmpfs mounted on /tmp in the sandbox, in MiB. "
             "It is the only place where student code can write files.",
    ).tag(config=True)

    allow_unsandboxed = Bool(
        False,
        help="If the sandbox cannot be set up (bubblewrap missing, namespaces not "
             "permitted), run a plain, unconfined ipykernel after printing a "
             "warning, instead of failing. Unsafe for grading untrusted code.",
    ).tag(config=True)

    extra_readonly_paths = List(
        Unicode(), default_value=[],
        help="Further host paths (files or folders) to bind read-only into the "
             "sandbox at the same path, e.g. a dataset folder outside the venv.",
    ).tag(config=True)

    bwrap_path = Unicode(
        "bwrap",
        help="The bubblewrap executable: a path, or a bare name looked up on PATH.",
    ).tag(config=True)

    sandbox_uid = Integer(
        65534, min=1,
        help="User id of the kernel inside the sandbox (must not be 0).",
    ).tag(config=True)

    sandbox_gid = Integer(
        65534, min=1,
        help="Group id of the kernel inside the sandbox (must not be 0).",
    ).tag(config=True)

    def resolve_bwrap(self) -> str:
        """Absolute path of bubblewrap, or :class:`SandboxError` naming the cause."""
        name = self.bwrap_path
        found = shutil.which(name) if os.sep not in name else name
        if not found or not os.path.isfile(found):
            raise SandboxError(
                f"bubblewrap not found: c.SandboxKernel.bwrap_path = {name!r} "
                "does not name an existing file (install it with: apt-get install "
                "bubblewrap)")
        if not os.access(found, os.X_OK):
            raise SandboxError(f"bubblewrap at {found} is not executable")
        return os.path.abspath(found)

    def limits(self) -> dict[str, tuple[int, int]]:
        """The resource limits set in the sandbox, as ``{RLIMIT_name: (soft, hard)}``."""
        out = {"RLIMIT_CORE": (0, 0)}
        if self.memory_limit_mb:
            size = self.memory_limit_mb * 2**20
            out["RLIMIT_AS"] = (size, size)
        if self.cpu_time_limit_s:
            # SIGXCPU at the soft limit kills the kernel; SIGKILL one second later
            # if the student code ignores SIGXCPU.
            out["RLIMIT_CPU"] = (self.cpu_time_limit_s, self.cpu_time_limit_s + 1)
        if self.max_processes:
            out["RLIMIT_NPROC"] = (self.max_processes, self.max_processes)
        return out


# --------------------------------------------------------------------------
# Finding the course and its options
# --------------------------------------------------------------------------

def _student_controlled(folder: Path) -> bool:
    """Whether *folder* may hold files from a student.

    Students' files live in ``<tree>/<student>/<assignment>/`` and below, for
    the nbgrader trees submitted/, autograded/ and feedback/.
    """
    parts = Path(folder).parts
    return any(part in STUDENT_TREES and len(parts) - index - 1 >= 2
               for index, part in enumerate(parts))


def find_course_root(cwd: Path) -> Path | None:
    """The course root for a kernel started in *cwd*, or None.

    ``$COURSEKIT_COURSE_ROOT`` wins.  Otherwise the nearest folder at or above
    *cwd* holding ``nbgrader_config.py``, skipping every folder that may hold a
    student's files (``autograded/<student>/<assignment>/`` and the like): a
    config file there could have been planted by a student, and loading it
    would run their code outside the sandbox.
    """
    env = os.environ.get(COURSE_ROOT_ENV)
    if env:
        root = Path(env).resolve()
        if not (root / "nbgrader_config.py").is_file():
            raise SandboxError(f"${COURSE_ROOT_ENV}={env}: no nbgrader_config.py there")
        return root
    cwd = Path(cwd).resolve()
    for folder in (cwd, *cwd.parents):
        if _student_controlled(folder):
            continue
        if (folder / "nbgrader_config.py").is_file():
            return folder
    return None


def load_settings(course_root: Path | None) -> SandboxKernel:
    """A :class:`SandboxKernel` configured from the course's nbgrader_config.py."""
    if course_root is None:
        return SandboxKernel(config=Config())
    from .config import load_config
    return SandboxKernel(config=load_config(course_root))


# --------------------------------------------------------------------------
# The bubblewrap command line
# --------------------------------------------------------------------------

def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


class MountPlan:
    """Read-only binds and symlinks that recreate chosen host paths in the sandbox.

    Every bind is an identity bind (a real host path mounted at the same path),
    and every symlink met on the way to an exposed path is recreated, so that
    paths such as ``sys.executable`` resolve inside exactly as outside.
    """

    def __init__(self) -> None:
        self.binds: set[str] = set()
        self.links: dict[str, str] = {}

    def expose(self, path: str | os.PathLike, _hops: int = 0) -> None:
        if _hops > 40:
            raise SandboxError(f"too many levels of symbolic links: {path}")
        path = os.path.abspath(path)
        current = "/"
        parts = Path(path).parts[1:]
        for index, part in enumerate(parts):
            step = os.path.join(current, part)
            if os.path.islink(step):
                target = os.readlink(step)
                self.links[step] = target
                rest = parts[index + 1:]
                # *current* holds no symlinks, so normpath resolves ".." correctly.
                resolved = os.path.normpath(os.path.join(current, target, *rest))
                return self.expose(resolved, _hops + 1)
            current = step
        if not os.path.exists(current):
            raise SandboxError(f"cannot expose {path} in the sandbox: it does not exist")
        self.binds.add(current)

    def args(self, *, tmp_size: int, private_files: dict[str, str]) -> list[str]:
        """bwrap arguments: tmpfs, proc, dev, binds, links and *private_files*.

        *private_files* maps sandbox paths to host files bound read-only there.
        """
        binds = sorted(self.binds)
        binds = [b for b in binds if not any(_under(b, o) and b != o for o in binds)]
        links = {p: t for p, t in self.links.items()
                 if not any(_under(p, b) for b in binds)}
        fixed = {"/tmp", "/proc", "/dev", SOCKET_DIR}
        for b in binds:
            covered = [f for f in sorted(fixed) if _under(f, b)]
            if covered:
                raise SandboxError(
                    f"refusing to bind {b} into the sandbox: it would cover {covered[0]}")
        # (sandbox path, arguments) for every mount or link, parents first.
        ops: list[tuple[str, list[str]]] = [
            ("/tmp", ["--perms", "1777", "--size", str(tmp_size), "--tmpfs", "/tmp"]),
            ("/proc", ["--proc", "/proc"]),
            ("/dev", ["--dev", "/dev"]),
            (SOCKET_DIR, ["--perms", "1777", "--size", str(2**20), "--tmpfs", SOCKET_DIR]),
        ]
        ops += [(b, ["--ro-bind", b, b]) for b in binds]
        ops += [(p, ["--symlink", t, p]) for p, t in links.items()]
        ops += [(dest, ["--ro-bind", src, dest]) for dest, src in private_files.items()]
        ops.sort(key=lambda op: (op[0].count("/"), op[0]))

        out: list[str] = []
        made: set[str] = set()
        for dest, op in ops:
            for parent in reversed(Path(dest).parents):
                p = str(parent)
                if p == "/" or p in made or p in fixed or any(_under(p, b) for b in binds):
                    continue
                if any(_under(p, f) for f in ("/proc", "/dev")):
                    continue
                # bwrap would create missing parents with mode 0700, which an
                # unprivileged sandbox user could not traverse.
                out += ["--perms", "0755", "--dir", p]
                made.add(p)
            out += op
        return out


def _python_paths() -> list[str]:
    paths = [sys.executable, sys.prefix, sys.base_prefix, sys.exec_prefix,
             sys.base_exec_prefix]
    seen: list[str] = []
    for p in paths:
        if p and p not in seen:
            seen.append(p)
    return seen


def sandbox_command(settings: SandboxKernel, *, bwrap: str, cwd: str, files_dir: str,
                    extra_args: list[str], privileged: bool,
                    course_root: Path | None = None) -> tuple[list[str], dict]:
    """The bwrap argv and environment that start ipykernel in the sandbox.

    *files_dir* is a private host folder holding ``passwd``, ``group``, ``hosts``
    and ``connection.json`` for the sandbox.  No bind may contain *course_root*.
    """
    plan = MountPlan()
    for p in SYSTEM_DIRS:
        if os.path.lexists(p):
            plan.expose(p)
    for p in ETC_FILES:
        if os.path.exists(p):
            plan.expose(p)
    for p in _python_paths():
        plan.expose(p)
    for p in settings.extra_readonly_paths:
        plan.expose(os.path.expanduser(p))
    plan.expose(cwd)
    if course_root is not None:
        real_root = os.path.realpath(course_root)
        for b in plan.binds:
            if _under(real_root, b):
                raise SandboxError(f"refusing to bind {b} into the sandbox: it "
                                   f"contains the course root {real_root}")

    private_files = {
        "/etc/passwd": os.path.join(files_dir, "passwd"),
        "/etc/group": os.path.join(files_dir, "group"),
        "/etc/hosts": os.path.join(files_dir, "hosts"),
        INNER_CONNECTION_FILE: os.path.join(files_dir, "connection.json"),
    }
    # The notebook being graded holds the hidden tests that nbgrader restored;
    # the kernel needs none of it, so inside the sandbox every notebook in the
    # working folder reads as empty.
    for folder, _dirs, names in os.walk(cwd):
        for name in names:
            if name.endswith(".ipynb"):
                private_files[os.path.join(folder, name)] = os.devnull
    argv = [bwrap, "--die-with-parent",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "grading-sandbox"]
    if privileged:
        # The prelude needs these three to drop to the sandbox user; it loses
        # them (and everything else) before any student code runs.
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID",
                 "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    else:
        argv += ["--unshare-user", "--disable-userns",
                 "--uid", str(settings.sandbox_uid), "--gid", str(settings.sandbox_gid)]
    argv += plan.args(tmp_size=settings.tmp_size_mb * 2**20, private_files=private_files)
    argv += ["--remount-ro", "/", "--chdir", cwd]

    kernel_argv = [sys.executable, "-m", "ipykernel_launcher",
                   "-f", INNER_CONNECTION_FILE, *extra_args]
    spec = {
        "limits": settings.limits(),
        "uid": settings.sandbox_uid,
        "gid": settings.sandbox_gid,
        "mkdirs": [SANDBOX_HOME, SANDBOX_MPLCONFIGDIR],
        "argv": kernel_argv,
    }
    argv += ["--", sys.executable, "-I", "-S", "-c", PRELUDE, json.dumps(spec)]

    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": SANDBOX_HOME,
        "USER": "student",
        "LOGNAME": "student",
        "TMPDIR": "/tmp",
        "MPLCONFIGDIR": SANDBOX_MPLCONFIGDIR,
        "XDG_CACHE_HOME": SANDBOX_HOME + "/.cache",
        "XDG_CONFIG_HOME": SANDBOX_HOME + "/.config",
        "IPYTHONDIR": SANDBOX_HOME + "/.ipython",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "LANG": "C.UTF-8",
        # glibc reserves a 64 MiB arena per thread; ipykernel's dozen threads
        # would use up most of a 1 GiB address-space limit before any student code.
        "MALLOC_ARENA_MAX": "2",
        # The kernel's parent in the sandbox is bubblewrap's init (pid 1); bwrap's
        # --die-with-parent already ends the kernel with the launcher.  (A parent
        # of 1 also stops ipykernel from printing its Ctrl-C banner.)
        "JPY_PARENT_PID": "1",
    }
    for name in PASSED_ENV:
        if name in os.environ:
            env[name] = os.environ[name]
    return argv, env


# Runs inside the sandbox, before any student code: resource limits, then (in
# bubblewrap's privileged mode) the drop to the sandbox user, then exec ipykernel.
PRELUDE = r"""
import ctypes, json, os, resource, sys
def fail(msg):
    sys.stderr.write("coursekit sandbox prelude: " + msg + "\n")
    sys.stderr.flush()
    os._exit(%d)
try:
    spec = json.loads(sys.argv[1])
    for name, (soft, hard) in spec["limits"].items():
        res = getattr(resource, name)
        old_hard = resource.getrlimit(res)[1]
        if old_hard != resource.RLIM_INFINITY:
            hard = min(hard, old_hard)
            soft = min(soft, hard)
        resource.setrlimit(res, (soft, hard))
    libc = ctypes.CDLL(None, use_errno=True)
    if os.getuid() == 0 or os.geteuid() == 0:
        last = int(open("/proc/sys/kernel/cap_last_cap").read())
        for cap in range(last + 1):
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                fail("cannot drop capability %%d from the bounding set" %% cap)
        os.setgroups([])
        os.setresgid(spec["gid"], spec["gid"], spec["gid"])
        os.setresuid(spec["uid"], spec["uid"], spec["uid"])
        # setresuid cleared the permitted and effective sets; clear the
        # inheritable one too (capset, _LINUX_CAPABILITY_VERSION_3).
        class Header(ctypes.Structure):
            _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
        class Data(ctypes.Structure):
            _fields_ = [(n, ctypes.c_uint32) for n in ("eff", "prm", "inh")]
        if libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()) != 0:
            fail("cannot clear the capability sets")
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        fail("cannot set no_new_privs")
    caps = {}
    for line in open("/proc/self/status"):
        if line.startswith("Cap"):
            key, value = line.split(":")
            caps[key] = int(value, 16)
    if 0 in os.getresuid() or any(caps[k] for k in ("CapEff", "CapPrm", "CapInh", "CapAmb")):
        fail("still privileged after dropping privileges")
    os.umask(0o077)
    for folder in spec["mkdirs"]:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    os.execv(spec["argv"][0], spec["argv"])
except Exception as exc:
    fail("%%s: %%s" %% (type(exc).__name__, exc))
""" % EXIT_PRELUDE_FAILED


# --------------------------------------------------------------------------
# The launcher: start the sandbox and bridge the client to its sockets
# --------------------------------------------------------------------------

def _open_inner_socket(root_fd: int, index: int) -> socket.socket:
    """Connect to ``/run/kernel/k-<index>`` of the sandbox whose root is *root_fd*.

    Each component is opened with O_NOFOLLOW, and only a socket inode is
    accepted, so no symlink made by the submission can lead out of the sandbox.
    """
    flags_dir = os.O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY
    fds = []
    try:
        fd = root_fd
        for part in SOCKET_DIR.strip("/").split("/"):
            fd = os.open(part, flags_dir, dir_fd=fd)
            fds.append(fd)
        fd = os.open(f"{os.path.basename(SOCKET_PREFIX)}-{index}",
                     os.O_PATH | os.O_NOFOLLOW, dir_fd=fd)
        fds.append(fd)
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            raise FileNotFoundError(f"kernel socket {index} is not a socket")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(f"/proc/self/fd/{fd}")
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        return sock
    finally:
        for fd in fds:
            os.close(fd)


class _Launcher:
    """Runs bwrap and relays the client's five connections into the sandbox."""

    def __init__(self, info: dict, argv: list[str], env: dict) -> None:
        self.info = info
        self.argv = argv
        self.env = env
        self.servers: list[asyncio.AbstractServer] = []
        self.writers: set[asyncio.StreamWriter] = set()
        self.handlers: set[asyncio.Task] = set()
        self.ready = asyncio.Event()
        self.finished = asyncio.Event()
        self.child_pid: int | None = None
        self.root_fd: int | None = None
        self.stderr_tail = b""
        self.unix_paths: list[str] = []

    async def _listen(self) -> None:
        transport = self.info.get("transport", "tcp")
        ip = self.info["ip"]
        for index, name in enumerate(CHANNELS, start=1):
            handler = self._make_handler(index)
            port = int(self.info[name])
            if transport == "tcp":
                server = await asyncio.start_server(handler, host=ip, port=port)
            else:
                path = f"{ip}-{port}"
                server = await asyncio.start_unix_server(handler, path=path)
                self.unix_paths.append(path)
            self.servers.append(server)

    def _make_handler(self, index: int):
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
            self.handlers.add(asyncio.current_task())
            self.writers.add(writer)
            inner_writer = None
            waiters = {asyncio.ensure_future(self.ready.wait()),
                       asyncio.ensure_future(self.finished.wait())}
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                if not self.ready.is_set() or self.finished.is_set():
                    return
                sock = _open_inner_socket(self.root_fd, index)
                inner_reader, inner_writer = await asyncio.open_unix_connection(sock=sock)
                self.writers.add(inner_writer)
                await asyncio.gather(_pump(reader, inner_writer), _pump(inner_reader, writer))
            except (OSError, asyncio.CancelledError):
                pass  # the client or the kernel went away
            finally:
                for waiter in waiters:
                    waiter.cancel()
                self.handlers.discard(asyncio.current_task())
                for w in (writer, inner_writer):
                    if w is not None:
                        self.writers.discard(w)
                        w.close()
        return handle

    async def _relay_stderr(self, stream: asyncio.StreamReader) -> None:
        out = sys.stderr.buffer
        while chunk := await stream.read(65536):
            self.stderr_tail = (self.stderr_tail + chunk)[-8192:]
            out.write(chunk)
            out.flush()

    async def _read_status(self, fd: int) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        pipe = os.fdopen(fd, "rb", buffering=0)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), pipe)
        try:
            while line := await reader.readline():
                try:
                    doc = json.loads(line)
                except ValueError:
                    continue
                if "child-pid" in doc:
                    self.child_pid = int(doc["child-pid"])
        finally:
            transport.close()

    async def _wait_for_sockets(self) -> None:
        while not self.finished.is_set():
            if self.child_pid is not None:
                # Opened afresh each time: bwrap reports the pid before the
                # child has pivoted into the sandbox's root.
                try:
                    root_fd = os.open(f"/proc/{self.child_pid}/root",
                                      os.O_PATH | os.O_DIRECTORY)
                except OSError:
                    root_fd = None
                if root_fd is not None:
                    try:
                        for index in range(1, len(CHANNELS) + 1):
                            _open_inner_socket(root_fd, index).close()
                    except OSError:
                        os.close(root_fd)
                    else:
                        self.root_fd = root_fd
                        self.ready.set()
                        return
            await asyncio.sleep(0.01)

    async def run(self) -> tuple[int, bool]:
        """Run the sandbox to its end: (exit status, whether the kernel came up)."""
        loop = asyncio.get_running_loop()
        await self._listen()
        status_r, status_w = os.pipe()
        try:
            proc = await asyncio.create_subprocess_exec(
                self.argv[0], "--json-status-fd", str(status_w), *self.argv[1:],
                stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                env=self.env, pass_fds=(status_w,))
        except OSError as exc:
            os.close(status_r)
            raise SandboxError(f"cannot run bubblewrap {self.argv[0]}: {exc}") from exc
        finally:
            os.close(status_w)
        # A pidfd, not Popen.send_signal: that one reaps an exited child itself
        # and races with asyncio's child watcher.
        try:
            pidfd = os.pidfd_open(proc.pid)
        except OSError:
            pidfd = None
        for signum in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, _terminate, proc, pidfd)
        # Interrupts reach the kernel as interrupt_request messages.
        loop.add_signal_handler(signal.SIGINT, lambda: None)
        status_task = asyncio.ensure_future(self._read_status(status_r))
        stderr_task = asyncio.ensure_future(self._relay_stderr(proc.stderr))
        sockets_task = asyncio.ensure_future(self._wait_for_sockets())
        rc = await proc.wait()
        self.finished.set()
        await asyncio.gather(status_task, stderr_task, return_exceptions=True)
        sockets_task.cancel()
        for server in self.servers:
            server.close()
        for writer in list(self.writers):
            writer.close()
        if self.handlers:
            await asyncio.wait(set(self.handlers), timeout=2)
        for path in self.unix_paths:
            try:
                os.unlink(path)
            except OSError:
                pass
        if self.root_fd is not None:
            os.close(self.root_fd)
        if pidfd is not None:
            os.close(pidfd)
        return (rc if rc >= 0 else 128 - rc), self.ready.is_set()


def _terminate(proc, pidfd: int | None) -> None:
    """Forward SIGTERM to bwrap; --die-with-parent then ends the sandbox."""
    if proc.returncode is not None:
        return
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, signal.SIGTERM)
        else:
            os.kill(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


def _write_private_files(folder: str, info: dict, settings: SandboxKernel) -> None:
    uid, gid = settings.sandbox_uid, settings.sandbox_gid
    inner = dict(info)
    inner.update(transport="ipc", ip=SOCKET_PREFIX)
    for index, name in enumerate(CHANNELS, start=1):
        inner[name] = index
    contents = {
        "passwd": f"student:x:{uid}:{gid}:grading sandbox:{SANDBOX_HOME}:/usr/sbin/nologin\n",
        "group": f"student:x:{gid}:\n",
        "hosts": "127.0.0.1 localhost grading-sandbox\n::1 localhost\n",
        "connection.json": json.dumps(inner, indent=1),
    }
    for name, text in contents.items():
        path = os.path.join(folder, name)
        with open(path, "w") as fh:
            fh.write(text)
        # Readable by the sandbox user; the folder itself stays private (0700).
        os.chmod(path, 0o644)


def _plain_kernel(connection_file: str, extra_args: list[str]):
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file, *extra_args]
    sys.stderr.flush()
    os.execv(argv[0], argv)


def _no_sandbox(settings: SandboxKernel, cause: str, connection_file: str,
                extra_args: list[str]) -> int:
    if settings.allow_unsandboxed:
        sys.stderr.write(
            "WARNING: coursekit.sandbox_kernel: the grading sandbox could not be set "
            f"up ({cause}). c.SandboxKernel.allow_unsandboxed is True, so student code "
            "runs in a PLAIN, UNCONFINED kernel with the grader's rights.\n")
        _plain_kernel(connection_file, extra_args)
    sys.stderr.write(
        "ERROR: coursekit.sandbox_kernel: the grading sandbox could not be set up: "
        f"{cause}\nNo student code was run. Fix the cause, or set "
        "c.SandboxKernel.allow_unsandboxed = True in nbgrader_config.py to run "
        "unconfined (unsafe).\n")
    sys.stderr.flush()
    return EXIT_NO_SANDBOX


def _setup_failure(rc: int, stderr_tail: bytes) -> str | None:
    """The cause if bwrap (or the prelude) failed before the kernel started."""
    lines = stderr_tail.decode("utf-8", "replace").splitlines()
    bwrap_lines = [ln for ln in lines if ln.startswith("bwrap:")]
    if bwrap_lines:
        return "bubblewrap said: " + bwrap_lines[-1][len("bwrap:"):].strip()
    prelude = [ln for ln in lines if ln.startswith("coursekit sandbox prelude:")]
    if rc == EXIT_PRELUDE_FAILED and prelude:
        return prelude[-1]
    return None


def run_kernel(connection_file: str, extra_args: list[str]) -> int:
    """Start the sandboxed kernel for *connection_file*; return the exit status."""
    cwd = os.getcwd()
    settings = SandboxKernel()
    try:
        if not sys.flags.safe_path:
            raise SandboxError(
                "the launcher must run with 'python -P' so that modules in the "
                "submission's folder are never imported outside the sandbox "
                "(reinstall the kernelspec: python -m coursekit.sandbox_kernel --install)")
        root = find_course_root(Path(cwd))
        settings = load_settings(root)
        if (root is not None and Path(root).is_relative_to(cwd)) or (
                (Path(cwd) / "nbgrader_config.py").is_file()
                and not _student_controlled(Path(cwd))):
            raise SandboxError(
                f"the kernel's working directory {cwd} is (or contains) a course "
                "root; exposing it would show the whole course to student code")
        with open(connection_file) as fh:
            info = json.load(fh)
        transport = info.get("transport", "tcp")
        if transport == "ipc" and not os.path.isabs(info.get("ip", "")):
            raise SandboxError(
                f"the connection file asks for ipc sockets at the relative path "
                f"{info.get('ip')!r}; client and kernel run in different folders, "
                "so set c.KernelManager.ip to an absolute path (or use tcp)")
        if transport not in ("tcp", "ipc"):
            raise SandboxError(f"unsupported transport {transport!r}")
        bwrap = settings.resolve_bwrap()
        if settings.sandbox_uid == 0 or settings.sandbox_gid == 0:
            raise SandboxError("sandbox_uid and sandbox_gid must not be 0")
    except SandboxError as exc:
        return _no_sandbox(settings, str(exc), connection_file, extra_args)

    privileged = os.geteuid() == 0
    if privileged and os.stat(cwd).st_mode & 0o005 != 0o005:
        return _no_sandbox(
            settings, f"the sandbox user (uid {settings.sandbox_uid}) cannot open the "
            f"working directory {cwd} (mode {stat.filemode(os.stat(cwd).st_mode)}); "
            "grading folders must be world-readable (umask 022)",
            connection_file, extra_args)
    files_dir = tempfile.mkdtemp(prefix="cnn-sandbox-")
    try:
        _write_private_files(files_dir, info, settings)
        argv, env = sandbox_command(settings, bwrap=bwrap, cwd=cwd, files_dir=files_dir,
                                    extra_args=extra_args, privileged=privileged,
                                    course_root=root)
        launcher = _Launcher(info, argv, env)
        rc, started = asyncio.run(launcher.run())
        cause = None if started else _setup_failure(rc, launcher.stderr_tail)
    except SandboxError as exc:
        rc, cause = EXIT_NO_SANDBOX, str(exc)
    finally:
        shutil.rmtree(files_dir, ignore_errors=True)
    if cause is not None:
        return _no_sandbox(settings, cause, connection_file, extra_args)
    return rc


# --------------------------------------------------------------------------
# Kernelspec
# --------------------------------------------------------------------------

def kernelspec_dict() -> dict:
    """The contents of the ``cnn-sandbox`` kernel.json."""
    package_parent = str(Path(__file__).resolve().parent.parent)
    return {
        # -P: the launcher starts in the submission's folder; never import from it.
        "argv": [sys.executable, "-P", "-m", "coursekit.sandbox_kernel",
                 "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        # ipykernel interrupts itself on an interrupt_request message, which
        # works across the sandbox's pid namespace.
        "interrupt_mode": "message",
        "env": {"PYTHONPATH": package_parent},
        "metadata": {"debugger": False},
    }


def install_kernelspec(prefix_or_user_dir: str | os.PathLike | None = None) -> str:
    """Write the ``cnn-sandbox`` kernelspec and return its name.

    It goes to ``<prefix>/share/jupyter/kernels/cnn-sandbox``, where *prefix*
    defaults to ``sys.prefix`` (the venv), which ``jupyter kernelspec list``
    searches.  A Jupyter data folder (one that has or should have a
    ``kernels/`` folder, e.g. ``~/.local/share/jupyter``) may be given instead.
    """
    base = Path(prefix_or_user_dir) if prefix_or_user_dir is not None else Path(sys.prefix)
    if (base / "kernels").is_dir() or base.name == "jupyter":
        kernels = base / "kernels"
    else:
        kernels = base / "share" / "jupyter" / "kernels"
    folder = kernels / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(kernelspec_dict(), indent=1) + "\n")
    return KERNEL_NAME


# --------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------

_SELF_TEST_CELLS = {
    "numpy imports and computes": (
        "import numpy as np, h5py, matplotlib.pyplot as plt\n"
        "assert np.linalg.norm(np.ones((3, 4))) == np.sqrt(12)\n"
        "plt.plot([1, 2]); plt.savefig('/tmp/f.png'); print('PASS')"),
    "source/ is invisible": (
        "import os\ntry:\n    open({secret!r}).read(); print('FAIL')\n"
        "except OSError as e: print('PASS', type(e).__name__)"),
    "another student's folder is invisible": (
        "try:\n    open({other!r}).read(); print('FAIL')\n"
        "except OSError as e: print('PASS', type(e).__name__)"),
    "gradebook.db cannot be written": (
        "try:\n    open({gradebook!r}, 'a').write('x'); print('FAIL')\n"
        "except OSError as e: print('PASS', type(e).__name__)"),
    "own folder readable, not writable; /tmp writable": (
        "import os\nassert open('data.txt').read() == 'mine'\n"
        "try:\n    open('new.txt', 'w'); print('FAIL')\n"
        "except OSError:\n    open('/tmp/x', 'w').write('ok'); print('PASS')"),
    "no network (loopback of the host unreachable)": (
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=3); print('FAIL')\n"
        "except OSError as e: print('PASS', type(e).__name__)"),
    "unprivileged user": (
        "import os\nuid = os.getuid()\n"
        "outside = [int(l.split()[1]) + uid - int(l.split()[0]) for l in open('/proc/self/uid_map')"
        " if int(l.split()[0]) <= uid < int(l.split()[0]) + int(l.split()[2])][0]\n"
        "caps = [l for l in open('/proc/self/status') if l.startswith('CapEff')][0].split()[1]\n"
        "print('PASS' if uid and outside and int(caps, 16) == 0 else 'FAIL', uid, outside)"),
    "memory cap raises MemoryError": (
        "import numpy as np, resource\nlimit = resource.getrlimit(resource.RLIMIT_AS)[0]\n"
        "try:\n    a = np.ones(limit // 8 + 2**27); print('FAIL')\n"
        "except MemoryError: print('PASS', limit // 2**20, 'MiB')"),
    "kernel survives the MemoryError": "print('PASS')",
}


def self_test() -> int:
    """Start sandboxed kernels on a throwaway course and report each restriction."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    course_root = find_course_root(Path.cwd())
    if course_root is None:
        from . import COURSE_ROOT
        course_root = COURSE_ROOT if (COURSE_ROOT / "nbgrader_config.py").is_file() else None
    settings = load_settings(course_root)
    print(f"options from {course_root or '(defaults)'}/nbgrader_config.py: "
          f"memory {settings.memory_limit_mb} MiB, CPU {settings.cpu_time_limit_s} s, "
          f"bwrap {settings.bwrap_path}")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="cnn-sandbox-selftest-") as tmp:
        tmp = Path(tmp)
        os.chmod(tmp, 0o755)
        (tmp / "jupyter").mkdir()
        install_kernelspec(tmp / "jupyter")
        old_path = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            [str(tmp / "jupyter")] + ([old_path] if old_path else []))

        def make_course(name: str, **overrides) -> Path:
            root = tmp / name
            (root / "source").mkdir(parents=True)
            (root / "source" / "secret.txt").write_text("solutions")
            (root / "gradebook.db").write_text("grades")
            (root / "autograded" / "bob" / "hw").mkdir(parents=True)
            (root / "autograded" / "bob" / "hw" / "other.txt").write_text("bob")
            hw = root / "autograded" / "alice" / "hw"
            hw.mkdir(parents=True)
            (hw / "data.txt").write_text("mine")
            values = {n: getattr(settings, n) for n in settings.trait_names()
                      if settings.trait_metadata(n, "config")}
            values.update(overrides)
            lines = ["c = get_config()  # noqa"]
            lines += [f"c.SandboxKernel.{k} = {v!r}" for k, v in values.items()]
            (root / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
            return root

        def run(root: Path, sources: list[str], timeout: int = 60):
            nb = nbformat.v4.new_notebook(
                cells=[nbformat.v4.new_code_cell(s) for s in sources])
            client = NotebookClient(
                nb, kernel_name=KERNEL_NAME, timeout=timeout, allow_errors=True,
                resources={"metadata": {"path": str(root / "autograded/alice/hw")}})
            client.execute()
            return nb

        def text(cell) -> str:
            return "".join(o.get("text", "") for o in cell.outputs
                           if o.output_type == "stream").strip() or \
                "".join(f"{o.ename}: {o.evalue}" for o in cell.outputs
                        if o.output_type == "error")

        try:
            root = make_course("course")
            fmt = {"secret": str(root / "source/secret.txt"),
                   "other": str(root / "autograded/bob/hw/other.txt"),
                   "gradebook": str(root / "gradebook.db"),
                   "port": listener.getsockname()[1]}
            start = time.monotonic()
            nb = run(root, [src.format(**fmt) for src in _SELF_TEST_CELLS.values()])
            print(f"kernel started and ran {len(nb.cells)} cells in "
                  f"{time.monotonic() - start:.1f} s")
            for question, cell in zip(_SELF_TEST_CELLS, nb.cells):
                result = text(cell)
                ok = result.startswith("PASS")
                failures += not ok
                print(f"  [{'ok' if ok else 'FAILED'}] {question}: {result}")
            ok = (root / "gradebook.db").read_text() == "grades"
            failures += not ok
            print(f"  [{'ok' if ok else 'FAILED'}] gradebook.db unchanged on the host")

            root = make_course("course_cpu", cpu_time_limit_s=2)
            start = time.monotonic()
            try:
                run(root, ["while True: pass"], timeout=30)
                ok, detail = False, "loop finished or timed out"
            except DeadKernelError:
                ok, detail = True, f"kernel killed after {time.monotonic() - start:.1f} s"
            failures += not ok
            print(f"  [{'ok' if ok else 'FAILED'}] CPU cap (2 s here) kills a busy "
                  f"loop: {detail}")
        finally:
            listener.close()
            if old_path is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old_path
    print("self-test passed" if not failures else f"self-test: {failures} check(s) FAILED")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coursekit.sandbox_kernel", allow_abbrev=False,
        description="Sandboxed IPython kernel for grading (bubblewrap). Unknown "
                    "options are passed on to ipykernel.")
    parser.add_argument("-f", "--connection-file", help="kernel connection file")
    parser.add_argument("--install", action="store_true",
                        help=f"install the {KERNEL_NAME!r} kernelspec into the venv")
    parser.add_argument("--prefix", help="with --install: prefix or Jupyter data folder")
    parser.add_argument("--self-test", action="store_true",
                        help="start sandboxed kernels and prove each restriction")
    args, extra = parser.parse_known_args(argv)
    if args.install:
        name = install_kernelspec(args.prefix)
        print(f"installed kernelspec {name!r} ({DISPLAY_NAME})")
        return 0
    if args.self_test:
        return self_test()
    if not args.connection_file:
        parser.error("-f CONNECTION_FILE is required to start a kernel")
    return run_kernel(args.connection_file, extra)


if __name__ == "__main__":
    sys.exit(main())
