"""What the sandbox sees: read-only identity binds of chosen host paths, and the checks that keep the course out.

One mount plan and one set of safety checks serve the cold kernel and the
warm sandbox alike, so that a fix to either reaches both.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .options import SOCKET_DIR, SandboxError, SandboxKernel

#: Files of the host's /etc that programs in the sandbox may need (if present).
ETC_FILES = (
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
    "/etc/timezone", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/alternatives",
    "/etc/mime.types", "/etc/fonts", "/etc/matplotlibrc",
)
#: Top-level system folders (or their merged-/usr symlinks), if present.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def under(path: str, folder: str) -> bool:
    """Is *path* *folder* or inside it (both absolute, normalized)?"""
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
        binds = [b for b in binds if not any(under(b, o) and b != o for o in binds)]
        links = {p: t for p, t in self.links.items()
                 if not any(under(p, b) for b in binds)}
        fixed = {"/tmp", "/proc", "/dev", SOCKET_DIR}
        for b in binds:
            covered = [f for f in sorted(fixed) if under(f, b)]
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
                if p == "/" or p in made or p in fixed or any(under(p, b) for b in binds):
                    continue
                if any(under(p, f) for f in ("/proc", "/dev")):
                    continue
                # bwrap would create missing parents with mode 0700, which an
                # unprivileged sandbox user could not traverse.
                out += ["--perms", "0755", "--dir", p]
                made.add(p)
            out += op
        return out


def python_paths() -> list[str]:
    """The interpreter and the prefixes it loads its standard library and packages from."""
    paths = [sys.executable, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    seen: list[str] = []
    for p in paths:
        if p and p not in seen:
            seen.append(p)
    return seen


def kit_package_dir() -> str:
    """The ``coursekit`` package folder: the programs run in the sandbox (``-m``) are its modules."""
    return str(Path(__file__).resolve().parents[2])


def base_plan(settings: SandboxKernel) -> MountPlan:
    """What every sandbox sees: the system, Python with its packages, the kit, and the configured extras."""
    plan = MountPlan()
    for p in SYSTEM_DIRS:
        if os.path.lexists(p):
            plan.expose(p)
    for p in ETC_FILES:
        if os.path.exists(p):
            plan.expose(p)
    for p in python_paths():
        plan.expose(p)
    plan.expose(kit_package_dir())
    for p in settings.extra_readonly_paths:
        plan.expose(os.path.expanduser(p))
    return plan


class Protected:
    """Host paths no sandbox may show.

    *roots* (the course root) may hold exposed folders (the submission's own
    folder, a venv) but no bind may contain them; *secrets* (the grader's
    hidden checks, its secret) may be neither inside nor around a bind.
    """

    def __init__(self, roots=(), secrets=()):
        self.roots = [os.path.realpath(p) for p in roots if p is not None]
        self.secrets = [os.path.realpath(p) for p in secrets if p is not None]

    def check(self, sources) -> None:
        """Raise SandboxError if a host path bound into the sandbox (*sources*) shows a protected path."""
        for source in sources:
            real = os.path.realpath(source)
            for root in self.roots + self.secrets:
                if under(root, real):
                    raise SandboxError(f"refusing to bind {source} into the sandbox: it contains {root}")
            for secret in self.secrets:
                if under(real, secret):
                    raise SandboxError(f"refusing to bind {source} into the sandbox: it is inside {secret}")


def check_kernel_cwd(cwd: Path, facts) -> None:
    """Refuse a kernel folder whose contents would show the course (*facts*: ``facts.SandboxFacts``)."""
    cwd = Path(cwd).resolve()
    root = Path(facts.root).resolve() if facts.root is not None else None
    # Inside the known course (a student folder, a batch worker's copy of a submission), a config file is one a
    # student put there: it is never loaded, and the folder shows nothing but the submission.
    elsewhere = root is None or not cwd.is_relative_to(root)
    if (root is not None and root.is_relative_to(cwd)) or (
            elsewhere and (cwd / "nbgrader_config.py").is_file() and not facts.student_controlled(cwd)):
        raise SandboxError(
            f"the kernel's working directory {cwd} is (or contains) a course root; "
            "exposing it would show the whole course to student code")
