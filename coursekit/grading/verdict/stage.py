"""Where the trusted verdict meets nbgrader: a graded cell that names a hidden check is judged here.

``ContainedExecute`` (``coursekit/grading/contained_execute.py``) hands such
a cell to :func:`grade_cell` instead of running it in the kernel.  Its
outputs become exactly the verdict: a stdout stream when every check passed,
one error output with the localized message when one failed.  nbgrader's
``SaveAutoGrades`` then scores those outputs, so the grade is the grader's.
"""
from __future__ import annotations

import re
import time
from functools import partial

from nbformat.v4 import new_output

from ...course import Course
from . import FAILED
from .judge import RECORD_KEY, CourseChecks, answer_helper
from .session import ProbeSession

#: The line of a graded cell's hidden region that names its check: ``# hidden check: conv_forward``.
DIRECTIVE = re.compile(r"^#\s*hidden check:\s*(\w+)\s*$", re.MULTILINE)


def hidden_check_of(cell) -> str | None:
    """The hidden check a graded code cell names, or None."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code" or not meta.get("grade") or meta.get("solution"):
        return None
    match = DIRECTIVE.search(cell.get("source", ""))
    return match.group(1) if match else None


def new_session(executor, checks: CourseChecks, timeout: float) -> ProbeSession:
    return ProbeSession(executor.kc, interrupt=executor.km.interrupt_kernel, alive=executor.km.is_alive,
                        answer_helper=partial(answer_helper, checks), opaque=checks.check.Opaque,
                        timeout=timeout, grace=executor.responsive_after_timeout_s)


def judging_order(checks: CourseChecks, graded: list) -> list:
    """*graded* ``(index, cell, check name)`` in the order the grader judges them: every function before
    the functions whose checks answer its calls with the grader's reference (its callers), then by place.

    Judged the other way round, a caller's check would hand the student the grader's results of a helper
    whose own verdict was still to come.
    """
    def unit(name):
        try:
            return checks.unit(name)
        except KeyError:  # no such check: its cell fails when it is judged
            return None

    function_of = {name: getattr(unit(name), "FUNCTION", None) for _i, _c, name in graded}
    checked = {fn: name for name, fn in function_of.items() if fn}
    depth: dict = {}

    def depth_of(name, seen=()):
        if name not in depth:
            helpers = getattr(unit(name), "HELPERS", ())
            below = [checked[h] for h in helpers if h in checked and checked[h] not in seen and checked[h] != name]
            depth[name] = 1 + max((depth_of(h, (*seen, name)) for h in below), default=-1)
        return depth[name]

    return sorted(graded, key=lambda item: (depth_of(item[2]), item[0]))


async def grade_cell(session: ProbeSession, checks: CourseChecks, cell, name: str, student: str,
                     language: str | None, timeout: float, attempt: str = ""):
    """Judge *cell* by its hidden check *name*; returns (the verdict, whether a request timed out)."""
    cell_check = checks.cell(name, student, attempt)
    await session.install()
    replies = await session.ask_all(cell_check.requests(), time.monotonic() + timeout)
    timed_out = any(reply.status == "timeout" for reply in replies)
    verdict = cell_check.verdict(replies, language)
    write_verdict(cell, verdict)
    return verdict, timed_out


def write_verdict(cell, verdict) -> None:
    """Make *verdict* the graded cell's only output (what nbgrader scores), and keep its record in the cell's
    metadata (what the instructor report counts)."""
    cell.metadata.setdefault("coursekit", {})[RECORD_KEY] = verdict.record()
    if verdict.passed:
        cell.outputs = [new_output("stream", name="stdout", text=verdict.text + "\n")]
    else:
        cell.outputs = [new_output("error", ename=FAILED, evalue=verdict.text, traceback=verdict.text.split("\n"))]


def forget_records(nb) -> None:
    """Remove every verdict record from *nb*: a submission's own are claims; the grader writes the real ones."""
    for cell in nb.cells:
        kit = cell.get("metadata", {}).get("coursekit")
        if isinstance(kit, dict):
            kit.pop(RECORD_KEY, None)


def language_of(course: Course, resources) -> str:
    assignment = resources.get("nbgrader", {}).get("assignment", "")
    return course.language_of(assignment) or course.source_language
