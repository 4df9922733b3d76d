"""The cold grading kernel: a launcher outside the sandbox, ipykernel inside it.

``nbgrader autograde`` executes every submission with a Jupyter kernel.  The
kernelspec ``cnn-sandbox`` (``kernelspec.py``) starts this launcher, which
starts that kernel inside a bubblewrap sandbox (``command.py``), so that a
submission

* sees a file system made only of read-only binds of what Python needs (the
  interpreter, the virtual environment, ``/usr``, the ``/lib*`` links and a few
  files of ``/etc``) plus its own working directory
  (``autograded/<student>/<assignment>/``), also read-only, in which every
  notebook reads as empty.  The rest of the course does not exist for it;
* can write only to a fresh, size-capped tmpfs on ``/tmp`` and to the tmpfs
  holding its kernel sockets;
* runs in new pid, network, ipc, uts and cgroup namespaces;
* runs as an unprivileged user with no capabilities and ``no_new_privs``, and
  under ``RLIMIT_AS``, ``RLIMIT_CPU``, ``RLIMIT_NPROC`` and ``RLIMIT_CORE``
  limits (``prelude.py``).

How the kernel is reached without a network
-------------------------------------------
Jupyter clients (nbclient, hence nbgrader) write a connection file that asks
the kernel to listen on TCP ports of 127.0.0.1.  A kernel in its own network
namespace cannot bind those.  The kernel inside the sandbox is therefore told
to use ZMQ's ``ipc`` transport, with its five sockets on the sandbox's private
tmpfs ``/run/kernel``.  This launcher stays outside the sandbox, listens on the
addresses of the client's connection file, and copies bytes between each client
connection and the matching kernel socket (ZMTP is the same over ``tcp`` and
``ipc``).  It reaches the kernel sockets through ``/proc/<pid>/root`` of the
sandbox, opening each path component with ``O_NOFOLLOW`` and connecting only to
real socket inodes, so the submission cannot point the launcher at any socket
of the host.  A client configured with ``c.KernelManager.transport = "ipc"``
works too, as long as ``c.KernelManager.ip`` is an absolute path.

Options are traitlets on ``SandboxKernel`` (``options.py``), set in the
course's ``nbgrader_config.py`` and handed to the launcher by the process that
grades, with the rest of the course's facts, as the file named by the kernel
argument ``--coursekit-facts=`` (``facts.py``): the launcher loads no config
and looks for no course.  The launcher must run with ``python -P``, so
that it never imports a module from the submission's folder: it runs outside
the sandbox.
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
from pathlib import Path

from .command import (
    bwrap_argv,
    confinement,
    identity_files,
    sandbox_env,
    write_readable,
)
from .folders import owned_folder
from .lifetime import end_with_parent
from .mounts import Protected, base_plan, check_kernel_cwd
from .options import (
    CHANNELS,
    EXIT_NO_SANDBOX,
    EXIT_PRELUDE_FAILED,
    INNER_CONNECTION_FILE,
    SOCKET_DIR,
    SOCKET_PREFIX,
    SandboxError,
    SandboxKernel,
)
from .facts import FACTS_ARG, SandboxFacts, take_facts


def cold_command(settings: SandboxKernel, *, bwrap: str, cwd: str, files_dir: str, connection: dict,
                 extra_args: list[str], privileged: bool, facts: SandboxFacts) -> list[str]:
    """The bwrap argv that starts ipykernel for the submission in *cwd*.

    *files_dir* is a private host folder for the files the sandbox is given
    (``passwd``, ``group``, ``hosts``, ``connection.json``).
    """
    plan = base_plan(settings)
    plan.expose(cwd)
    inner = dict(connection)
    inner.update(transport="ipc", ip=SOCKET_PREFIX)
    for index, name in enumerate(CHANNELS, start=1):
        inner[name] = index
    write_readable(os.path.join(files_dir, "connection.json"), json.dumps(inner, indent=1))
    private_files = identity_files(files_dir, settings)
    private_files[INNER_CONNECTION_FILE] = os.path.join(files_dir, "connection.json")
    # The notebook being graded holds what nbgrader restored from the
    # gradebook; the kernel needs none of it, so inside the sandbox every
    # notebook in the working folder reads as empty.
    for folder, _dirs, names in os.walk(cwd):
        for name in names:
            if name.endswith(".ipynb"):
                private_files[os.path.join(folder, name)] = os.devnull
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", INNER_CONNECTION_FILE, *extra_args]
    return bwrap_argv(settings, bwrap=bwrap, plan=plan, private_files=private_files,
                      protected=Protected(**facts.protected()), chdir=cwd, privileged=privileged,
                      program="coursekit.grading.sandbox.prelude", spec=confinement(settings, argv=kernel))


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


def _plain_kernel(connection_file: str, extra_args: list[str]):
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file, *extra_args]
    sys.stderr.flush()
    os.execv(argv[0], argv)


def _no_sandbox(settings: SandboxKernel, cause: str, connection_file: str,
                extra_args: list[str]) -> int:
    if settings.allow_unsandboxed:
        sys.stderr.write(
            "WARNING: coursekit grading sandbox: the grading sandbox could not be set "
            f"up ({cause}). c.SandboxKernel.allow_unsandboxed is True, so student code "
            "runs in a PLAIN, UNCONFINED kernel with the grader's rights.\n")
        _plain_kernel(connection_file, extra_args)
    sys.stderr.write(
        "ERROR: coursekit grading sandbox: the grading sandbox could not be set up: "
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
    # The sandboxed kernel cannot watch its client as ipykernel does (its
    # parent is the sandbox's init): this launcher, and the sandbox with it,
    # ends with the client instead, even when the client is killed.
    parent = os.environ.get("JPY_PARENT_PID", "")
    if parent.isdigit() and int(parent) == os.getppid():
        end_with_parent(int(parent))
    cwd = os.getcwd()
    settings = SandboxKernel()
    given, extra_args = extra_args, [arg for arg in extra_args if not arg.startswith(FACTS_ARG)]
    try:
        if not sys.flags.safe_path:
            raise SandboxError(
                "the launcher must run with 'python -P' so that modules in the "
                "submission's folder are never imported outside the sandbox "
                "(reinstall the kernelspec: python -m coursekit.grading.sandbox --install)")
        # The grading process names the course's facts in an argument (facts.py); nothing is looked for here.
        facts = take_facts(given)[0]
        settings = facts.settings()
        check_kernel_cwd(Path(cwd), facts)
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
    files_dir = owned_folder("cnn-sandbox-")
    try:
        argv = cold_command(settings, bwrap=bwrap, cwd=cwd, files_dir=files_dir, connection=info,
                            extra_args=extra_args, privileged=privileged, facts=facts)
        launcher = _Launcher(info, argv, sandbox_env())
        rc, started = asyncio.run(launcher.run())
        cause = None if started else _setup_failure(rc, launcher.stderr_tail)
    except SandboxError as exc:
        rc, cause = EXIT_NO_SANDBOX, str(exc)
    finally:
        shutil.rmtree(files_dir, ignore_errors=True)
    if cause is not None:
        return _no_sandbox(settings, cause, connection_file, extra_args)
    return rc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -P -m coursekit.grading.sandbox.launcher", allow_abbrev=False,
        description="Sandboxed IPython kernel for grading (bubblewrap). Unknown options are passed on to ipykernel.")
    parser.add_argument("-f", "--connection-file", required=True, help="kernel connection file")
    args, extra = parser.parse_known_args(argv)
    return run_kernel(args.connection_file, extra)


if __name__ == "__main__":
    sys.exit(main())
