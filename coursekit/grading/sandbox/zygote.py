"""Runs inside the warm sandbox as ``python -I -m coursekit.grading.sandbox.zygote SPEC``.

It never runs student code itself: it imports what a kernel of this course
needs (ipykernel, numpy, matplotlib, h5py...), then waits on its control
socket.  For each submission it forks a child, which confines itself
(``prelude.confine``: limits, the sandbox user, no capabilities,
``no_new_privs``) and becomes an ``IPKernelApp`` with its imports already in
memory.  After each child, it kills every process of the sandbox user and
removes the IPC objects they left.  It imports only the standard library and
the modules it was told to.
"""
import ctypes
import gc
import importlib
import json
import os
import resource
import signal
import socket
import sys
import time
import traceback

from .prelude import confine

PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38


class Zygote:
    def __init__(self, spec: dict):
        self.spec = spec
        self.ctl_fd = spec["ctl_fd"]
        max_fd = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        self.max_fd = 1 << 20 if max_fd < 0 or max_fd > 1 << 20 else max_fd
        os.closerange(3, self.ctl_fd)
        os.closerange(self.ctl_fd + 1, self.max_fd)
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # nothing in the sandbox may ptrace the zygote
        self.libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        self.uid, self.gid = spec["uid"], spec["gid"]
        self.ctl = socket.socket(fileno=self.ctl_fd)
        self.request_id = None
        self.child = None
        self.status = None
        self.import_env = {}

    def send(self, doc, fds=()):
        data = json.dumps(dict(doc, id=self.request_id)).encode()
        if fds:
            socket.send_fds(self.ctl, [data], list(fds))
        else:
            self.ctl.send(data)

    def warm_up(self) -> list:
        """Import what a kernel needs; the names that failed to import."""
        start_env = dict(os.environ)
        # The cold kernel imports matplotlib after ipykernel has set MPLBACKEND.
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        for folder in self.spec["mkdirs"]:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        failed = []
        for name in self.spec["imports"]:
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - reported to the grader, the kernel may still work
                failed.append(name + ": " + repr(exc))
        del os.environ["MPLBACKEND"]
        # Variables that the imports set (ipykernel sets some): a cold kernel has them too.
        self.import_env = {k: v for k, v in os.environ.items() if start_env.get(k) != v}
        gc.collect()
        gc.freeze()  # children need not touch (and copy) the zygote's pages to collect them
        return failed

    # --- one child: becomes the kernel ---------------------------------------------
    def start_kernel(self, request):
        """In a freshly forked child: confine, then become the kernel; never returns."""
        code = 1
        try:
            os.setsid()
            self.ctl.detach()
            os.closerange(3, self.max_fd)
            confine({"limits": self.spec["limits"], "uid": self.uid, "gid": self.gid,
                     "mkdirs": self.spec["mkdirs"]})
            self.libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # dumpable again, as after the cold kernel's exec
            os.environ.clear()
            os.environ.update(request["env"])
            os.environ.update(self.import_env)
            os.environ["PWD"] = request["cwd"]  # as bubblewrap's --chdir sets it
            os.chdir(request["cwd"])
            import random
            import tempfile
            random.seed()
            if "numpy" in sys.modules:
                sys.modules["numpy"].random.seed()
            tempfile.tempdir = None
            with open(request["connection_file"], "w") as fh:
                json.dump(request["connection"], fh)
            # The working folder is importable (the notebook's cnn_checks), as IPython makes it in a cold
            # kernel; the zygote itself runs with -I, which would stop IPython from doing so.
            index = next((i for i, p in enumerate(sys.path)
                          if os.path.basename(p) in ("site-packages", "dist-packages")), 0)
            sys.path.insert(index, "")
            sys.argv = [request["argv0"], "-f", request["connection_file"], *request["argv"]]
            from ipykernel.kernelapp import IPKernelApp
            app = IPKernelApp.instance()
            app.initialize(sys.argv[1:])
            app.start()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # noqa: BLE001 - whatever happened, the child ends here
            traceback.print_exc()
        finally:
            try:
                import atexit
                atexit._run_exitfuncs()
                sys.stdout.flush()
                sys.stderr.flush()
            except BaseException:  # noqa: BLE001
                pass
            os._exit(code)

    # --- after a child: nothing of it is left ------------------------------------------
    @staticmethod
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

    def remove_sysv_ipc(self):
        for kind in ("shm", "msg", "sem"):
            try:
                with open("/proc/sysvipc/" + kind) as fh:
                    rows = fh.read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                ident = int(row.split()[1])
                if kind == "shm":
                    self.libc.shmctl(ident, 0, None)      # IPC_RMID
                elif kind == "msg":
                    self.libc.msgctl(ident, 0, None)
                else:
                    self.libc.semctl(ident, 0, 0)

    def sweep(self, exclude):
        """Kill every process this one may signal (all of the sandbox user's)."""
        for _ in range(1000):
            try:
                os.kill(-1, signal.SIGKILL)  # spares the caller and the sandbox's init
            except ProcessLookupError:
                pass
            if not self.processes(exclude, live_only=True):
                break
            time.sleep(0.002)
        self.remove_sysv_ipc()

    def child_status(self, block):
        if self.child is not None:
            pid, status = os.waitpid(self.child, 0 if block else os.WNOHANG)
            if pid:
                self.child, self.status = None, os.waitstatus_to_exitcode(status)
        return self.status

    def reset(self):
        me = os.getpid()
        if self.child is not None:
            try:
                os.kill(self.child, signal.SIGKILL)  # works while it has not yet left our uid
            except (ProcessLookupError, PermissionError):
                pass
        if self.spec["privileged"]:
            # kill(-1) from the sandbox user reaches all of its processes, and
            # never the zygote (uid 0) or the sandbox's init.
            reaper = os.fork()
            if reaper == 0:
                code = 1
                try:
                    os.setgroups([])
                    os.setresgid(self.gid, self.gid, self.gid)
                    os.setresuid(self.uid, self.uid, self.uid)
                    self.sweep({1, me, os.getpid()})
                    code = 0
                finally:
                    os._exit(code)
            os.waitpid(reaper, 0)
        else:
            self.sweep({1, me})
        status = self.child_status(block=True)
        deadline = time.monotonic() + 5
        left = self.processes({1, me}, live_only=False)
        while left and time.monotonic() < deadline:
            time.sleep(0.002)  # orphans' zombies, until the sandbox's init reaps them
            left = self.processes({1, me}, live_only=False)
        ipc = []
        for kind in ("shm", "msg", "sem"):
            try:
                with open("/proc/sysvipc/" + kind) as fh:
                    ipc += fh.read().splitlines()[1:]
            except OSError:
                pass
        return {"ok": not left and not ipc, "left": left, "ipc": len(ipc), "status": status}

    # --- the control loop ----------------------------------------------------------------
    def serve(self, failed):
        self.send({"op": "ready", "pid": os.getpid(), "modules": len(sys.modules), "failed": failed,
                   "threads": len(os.listdir("/proc/self/task")), "fds": sorted(os.listdir("/proc/self/fd"))})
        while True:
            try:
                data = self.ctl.recv(1 << 20)
            except OSError:
                os._exit(0)
            if not data:
                os._exit(0)  # the worker went away
            try:
                request = json.loads(data)
                self.request_id = request.get("id")
                self.handle(request)
            except Exception as exc:  # noqa: BLE001 - every request gets an answer
                try:
                    self.send({"ok": False, "error": type(exc).__name__ + ": " + str(exc)})
                except OSError:
                    os._exit(1)

    def handle(self, request):
        op = request.get("op")
        if op == "spawn":
            if self.child is not None:
                self.send({"ok": False, "error": "a kernel is already running"})
                return
            self.status = None
            pid = os.fork()
            if pid == 0:
                self.start_kernel(request)
            self.child = pid
            pidfd = os.pidfd_open(pid)
            self.send({"ok": True, "pid": pid}, [pidfd])
            os.close(pidfd)
        elif op == "status":
            self.send({"ok": True, "status": self.child_status(block=False)})
        elif op == "reset":
            self.send(self.reset())
        elif op == "ping":
            self.send({"ok": True})
        else:
            self.send({"ok": False, "error": "unknown op " + repr(op)})


def main():
    zygote = Zygote(json.loads(sys.argv[1]))
    zygote.serve(zygote.warm_up())


if __name__ == "__main__":
    main()
