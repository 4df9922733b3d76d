"""Answering the requests of a graded cell in this process, from a namespace of functions.

For the hidden checks' own tests and for checking the master's solutions:
trusted code only.  Student code is never run here; it runs in the sandboxed
kernel (``session.py``).  The results still cross the wire format, so that a
check sees exactly the data it sees when grading.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import wire
from .judge import CellCheck, Reply, Request, answer_helper


def reply_here(cell: CellCheck, namespace: dict, request: Request) -> Reply:
    check = cell.checks.check

    def crossed(value):
        return wire.decode(wire.encode(value), check.Opaque)

    if request.fn is None:
        missing = [n for n in request.names if n not in namespace and n not in request.optional]
        if missing:
            return Reply("missing", value=tuple(missing))
        return Reply("returned", crossed(tuple(namespace.get(n) for n in request.names)))
    if request.fn not in namespace:
        return Reply("missing", value=(request.fn,))
    args = [crossed(a) for a in request.args]
    kwargs = {k: crossed(v) for k, v in request.kwargs.items()}
    saved = {name: namespace.get(name) for name in request.helpers}
    for name in request.helpers:
        namespace[name] = _helper(cell, name, request.helpers)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = namespace[request.fn](*args, **kwargs)
        return Reply("returned", crossed(value), crossed(tuple(args)))
    except Exception as err:  # noqa: BLE001 - the function's own error, as the kernel reports it
        return Reply("raised", error=(type(err).__name__, str(err)))
    finally:
        for name, old in saved.items():
            if old is None:
                namespace.pop(name, None)
            else:
                namespace[name] = old


def _helper(cell, name, allowed):
    def answer(*args, **kwargs):
        status, value = answer_helper(cell.checks, name, allowed, args, kwargs)
        if status != "returned":
            raise RuntimeError(value)
        return wire.decode(wire.encode(value), cell.checks.check.Opaque)
    return answer


def verdict_here(cell: CellCheck, namespace: dict, language: str = "en"):
    return cell.verdict([reply_here(cell, namespace, r) for r in cell.requests()], language)


def namespace_of(source: str) -> dict:
    """The globals after running *source* (trusted code: a reference solution or a catalogued answer)."""
    namespace = {"np": np, "__name__": "__answers__"}
    exec(compile(source, "<answers>", "exec"), namespace)  # noqa: S102 - trusted test and master code
    return namespace
