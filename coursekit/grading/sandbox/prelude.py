"""Runs inside the sandbox before any student code: resource limits, then (in bubblewrap's privileged
mode) the drop to the sandbox user, no capabilities, ``no_new_privs``; then it becomes the kernel.

The cold kernel runs it as ``python -I -m coursekit.grading.sandbox.prelude SPEC``;
the warm sandbox's zygote calls :func:`confine` in each child it forks.  It
imports only the standard library.
"""
import ctypes
import json
import os
import resource
import sys

#: Exit status when the confinement cannot be completed (kept in step with options.EXIT_PRELUDE_FAILED).
EXIT_FAILED = 121
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38


class ConfinementError(RuntimeError):
    """A step of the confinement failed; nothing of the student's may run."""


def confine(spec: dict) -> None:
    """Apply *spec*'s limits and drop to its uid and gid; raise ConfinementError on any failure."""
    for name, (soft, hard) in spec["limits"].items():
        res = getattr(resource, name)
        old_hard = resource.getrlimit(res)[1]
        if old_hard != resource.RLIM_INFINITY:
            hard = min(hard, old_hard)
            soft = min(soft, hard)
        resource.setrlimit(res, (soft, hard))
    libc = ctypes.CDLL(None, use_errno=True)
    if os.getuid() == 0 or os.geteuid() == 0:
        with open("/proc/sys/kernel/cap_last_cap") as fh:
            last = int(fh.read())
        for cap in range(last + 1):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise ConfinementError(f"cannot drop capability {cap} from the bounding set")
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
            raise ConfinementError("cannot clear the capability sets")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise ConfinementError("cannot set no_new_privs")
    caps = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("Cap"):
                key, value = line.split(":")
                caps[key] = int(value, 16)
    if 0 in os.getresuid() or any(caps[k] for k in ("CapEff", "CapPrm", "CapInh", "CapAmb")):
        raise ConfinementError("still privileged after dropping privileges")
    os.umask(0o077)
    for folder in spec["mkdirs"]:
        os.makedirs(folder, mode=0o700, exist_ok=True)


def fail(message: str) -> None:
    sys.stderr.write("coursekit sandbox prelude: " + message + "\n")
    sys.stderr.flush()
    os._exit(EXIT_FAILED)


def main() -> None:
    try:
        spec = json.loads(sys.argv[1])
        confine(spec)
        os.execv(spec["argv"][0], spec["argv"])
    except Exception as exc:  # noqa: BLE001 - any failure must stop before student code
        fail(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
