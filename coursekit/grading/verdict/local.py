"""Answering the requests of a graded cell in this process, from a namespace of functions.

For the hidden checks' own tests and for checking the master's solutions:
trusted code only.  Student code is never run here; it runs in the sandboxed
kernel (``session.py``).  The requests and replies take the same path as in
the kernel (the probe's ``answer``, the wire format both ways, the helper
answers foreseen or asked for), so a check sees exactly what it sees when
grading.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from . import probe
from .judge import CellCheck, Reply, Request, answer_helper
from .session import answer_question, parse_reply, request_body

NONCE = "in-process"


def reply_here(cell: CellCheck, namespace: dict, request: Request) -> Reply:
    opaque = cell.checks.check.Opaque
    ask = partial(answer_question, nonce=NONCE, allowed=request.helpers,
                  answer_helper=partial(answer_helper, cell.checks), opaque=opaque)
    return parse_reply(probe.answer(namespace, request_body(request, NONCE), ask), request, opaque)


def verdict_here(cell: CellCheck, namespace: dict, language: str = "en"):
    return cell.verdict([reply_here(cell, namespace, r) for r in cell.requests()], language)


def namespace_of(source: str) -> dict:
    """The globals after running *source* (trusted code: a reference solution or a catalogued answer)."""
    namespace = {"np": np, "__name__": "__answers__"}
    exec(compile(source, "<answers>", "exec"), namespace)  # noqa: S102 - trusted test and master code
    return namespace
