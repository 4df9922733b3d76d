"""The verdict on one graded cell, decided in the grader's process from data.

For a graded function, the published cases (``cnn_checks.PUBLISHED_CASES``, judged with ``cnn_checklib``)
and the hidden ones (``hidden_checks.<name>.cases``) each become a *request*:
call the function on these inputs, in the student's kernel, with the grader
answering for these helpers.  What comes back (an ``Outcome``, or the reason
there is none) is judged by the cases' own checks.  For an exercise, the one
request reads the answers' values, which are judged against the numbers drawn
for the submission's student id (``CourseChecks.numbers``).  The verdict is both reports; it passes
when every check passed.
"""
from __future__ import annotations

import copy
import hashlib
import importlib
import importlib.util
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ...course import Course
from .secret import TrustedGrading, case_rng, checks_dir, load_secret
from .wire import call_key


@dataclass
class Request:
    """What the kernel is asked: a call of *fn* (or, with *names*, the values of those variables)."""

    fn: str | None = None
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    helpers: tuple = ()
    #: {helper: {wire.call_key(args): result}}: the grader's results for the helper calls it foresees.
    answers: dict = field(default_factory=dict)
    names: tuple = ()
    optional: tuple = ()


@dataclass
class Reply:
    """What came back: *status* is returned, raised, missing, timeout, died or garbled."""

    status: str
    value: object = None
    args_after: tuple = ()
    error: tuple = ("", "")
    detail: str = ""


@dataclass
class Verdict:
    """The graded cell's result: passed or not, and the text the student reads."""

    passed: bool
    text: str
    reports: list = field(default_factory=list)
    check: str = ""

    def record(self) -> dict:
        """The verdict as data, in English whatever the student's language (``RECORD_KEY`` in the graded cell's
        metadata; the instructor report reads it): the check, whether it passed, and each failure with the
        mistake it shows, if any."""
        return {"check": self.check, "passed": self.passed,
                "failures": [dict(item, hidden=report.kind == "hidden")
                             for report in self.reports for item in report.records()]}


#: Where a graded cell's verdict record is kept: ``cell.metadata["coursekit"]["verdict"]``.
RECORD_KEY = "verdict"


class _ImportedBeside:
    """Imports the packages *names* from *paths* for one course, as they are there.

    The first course a process loads owns the modules' names (``sys.modules``) and its folders stay on the
    path, as a notebook beside them has them.  A course loaded after another one (a coordinator's tests, a
    server with two terms) is imported beside it: the other course's modules are set aside while it imports,
    and put back after, so that neither course's checks ever run the other's code.
    """

    def __init__(self, names: tuple[str, ...], paths: list[str]):
        self.names, self.paths = names, paths

    def _ours(self) -> list[str]:
        return [key for key in sys.modules if key.split(".")[0] in self.names]

    def __enter__(self):
        self.saved_modules = {key: sys.modules.pop(key) for key in self._ours()}
        self.saved_path = list(sys.path)
        sys.path[:0] = self.paths
        importlib.invalidate_caches()
        return self

    def __exit__(self, *exc):
        if self.saved_modules:  # another course owns the names: give them back
            for key in self._ours():
                del sys.modules[key]
            sys.modules.update(self.saved_modules)
            sys.path[:] = self.saved_path
        else:
            sys.path[:] = self.paths + [path for path in self.saved_path if path not in self.paths]
        importlib.invalidate_caches()
        return False


class CourseChecks:
    """The master's published cases (``cnn_checks``), its check library (``cnn_checklib``) and the grader-only
    hidden checks, loaded in the grader's process.

    ``check`` is the library, ``cases`` the published cases; the languages verdicts are shown in are
    ``language(code)``, with the release's catalogs and the course's text direction: nothing of the library is
    changed.
    """

    _loaded: dict = {}
    _lock = threading.Lock()

    def __init__(self, course: Course):
        self.course = course
        self.settings = TrustedGrading(config=course.config)
        self.cases, self.check, self.hidden = self._import()
        self._languages = {}
        self._secret = None
        self._numbers = None

    @classmethod
    def for_course(cls, course: Course) -> "CourseChecks":
        """One per course and process (importing them twice would give two different cnn_checks)."""
        with cls._lock:
            if course.root not in cls._loaded:
                cls._loaded[course.root] = cls(course)
            return cls._loaded[course.root]

    def _import(self):
        # The grader imports the master's cnn_checks, never a student's copy: no student file is on its path.
        master = str(self.course.master_dir)
        package_dir = checks_dir(self.course)
        if not (package_dir / "__init__.py").is_file():
            raise FileNotFoundError(f"{package_dir}: the hidden checks (c.TrustedGrading.checks_package) are missing")
        names = ("cnn_checks", "cnn_checklib", self.settings.checks_package)
        with _ImportedBeside(names, [str(package_dir.parent), master]):
            cases = importlib.import_module("cnn_checks")
            library = importlib.import_module("cnn_checklib")
            hidden = importlib.import_module(self.settings.checks_package)
            # Everything the verdicts use is imported now: nothing is looked up by name later.
            self.units = {name: importlib.import_module(module) for name, module in hidden.CHECKS.items()}
            self.references = importlib.import_module(f"{self.settings.checks_package}.references")
            self.mistakes = importlib.import_module(f"{self.settings.checks_package}.mistakes")
        master_dir = self.course.master_dir.resolve()
        for module, where in ((cases, Path(cases.__file__).resolve().parent),
                              (library, Path(library.__file__).resolve().parent.parent)):
            if where != master_dir:
                raise ImportError(f"{module.__name__} was imported from {module.__file__}, not from the master "
                                  f"{self.course.master_dir}")
        return cases, library, hidden

    def unit(self, name: str):
        """The hidden check module of the graded cell *name* (KeyError if there is none)."""
        if name not in self.units:
            raise KeyError(f"no hidden check named {name!r}; the hidden checks are {', '.join(self.units)}")
        return self.units[name]

    def language(self, code: str | None):
        """The library's Language for *code*: the release's catalogs, the course's text direction."""
        code = code or self.course.source_language
        if code not in self._languages:
            locale = self.course.release_dir(self.course.assignment_for(code)) / "locale"
            self._languages[code] = self.check.Language(code, self.course.direction(code) == "rtl", [locale])
        return self._languages[code]

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = load_secret(self.settings, self.course.course_id)
        return self._secret

    def numbers(self, student: str) -> dict:
        """The numbers of *student*'s exercises on paper, drawn as their notebook draws them: from their id and
        the course's public salt (``c.Course.numbers_salt``).

        Drawn once for the student whose cells are being judged (a copy each time: a check may keep them).
        """
        if self._numbers is None or self._numbers[0] != student:
            self._numbers = (student, self.check.numbers.draw(student, self.course.numbers_salt))
        return copy.deepcopy(self._numbers[1])

    def cell(self, name: str, student: str, attempt: str = "") -> "CellCheck":
        return CellCheck(self, name, student, attempt)


class CellCheck:
    """The published and hidden cases of one graded cell, for one student's attempt.

    *attempt* names the submission (``attempt_of``): the hidden inputs are drawn for the student and the
    attempt, so that a re-run of a submission gets the same ones and a resubmission new ones.
    """

    def __init__(self, checks: CourseChecks, name: str, student: str, attempt: str = ""):
        self.checks, self.name, self.student, self.attempt = checks, name, student, attempt
        self.unit = checks.unit(name)
        self.function = getattr(self.unit, "FUNCTION", None)
        if self.function is not None:
            self.published = checks.cases.published_cases(self.function)
            self.kind = "visible"
        else:
            self.form_names, make_cases = checks.cases.FORM_CASES[name]
            self.published = make_cases()
            self.kind = "form"
            self.names = tuple(dict.fromkeys((*self.form_names, *self.unit.ANSWERS)))
        course = checks.course

        def rng(index):
            return case_rng(checks.secret, course.course_id, course.master, student, attempt, name, index)

        if self.function is None:  # an exercise on paper: judged against the numbers of the submission's id
            self.hidden = list(self.unit.cases(rng, checks.numbers(student)[self.unit.NUMBERS]))
        else:
            self.hidden = list(self.unit.cases(rng))

    def requests(self) -> list[Request]:
        if self.function is None:
            return [Request(names=self.names, optional=tuple(getattr(self.unit, "OPTIONAL", ())))]
        helpers = tuple(getattr(self.unit, "HELPERS", ()))
        return [Request(fn=self.function, args=case.args, kwargs=case.kwargs, helpers=helpers,
                        answers=self._foreseen(case)) for case in self.published + self.hidden]

    def _foreseen(self, case) -> dict:
        """The grader's results for the helper calls that the usual loops make on this case."""
        calls = getattr(self.unit, "helper_calls", None)
        if calls is None:
            return {}
        references = self.checks.references
        answers: dict = {}
        for helper, args in calls(*case.args, **case.kwargs):
            answers.setdefault(helper, {})[call_key(args)] = references.HELPERS[helper](*args)
        return answers

    def verdict(self, replies: list[Reply], language: str | None) -> Verdict:
        check = self.checks.check
        fn = self.function or self.name
        if self.function is None:
            outcomes = [self._answers(replies[0], self.form_names)] * len(self.published)
            outcomes += [self._answers(replies[0], self.unit.ANSWERS)] * len(self.hidden)
        else:
            outcomes = [self._outcome(reply) for reply in replies]
        published = check.judge(fn, self.published, outcomes[:len(self.published)], self.kind)
        hidden = check.judge(fn, self.hidden, outcomes[len(self.published):], "hidden")
        reports = [published, hidden]
        shown_in = self.checks.language(language)
        text = "\n".join(report.render(shown_in) for report in reports)
        return Verdict(published.passed and hidden.passed, text, reports, self.name)

    def _answers(self, reply: Reply, names):
        """The Outcome whose value is the tuple of the answers *names*, in that order."""
        outcome = self._outcome(reply)
        if isinstance(outcome, self.checks.check.Outcome):
            values = dict(zip(self.names, outcome.value))
            outcome = self.checks.check.Outcome(tuple(values[n] for n in names))
        return outcome

    def _outcome(self, reply: Reply):
        """A cnn_checklib Outcome, or the CheckFailed that stands for a call that gave none."""
        check = self.checks.check
        fn = self.function or self.name
        if reply.status == "returned":
            return check.Outcome(reply.value, reply.args_after)
        if reply.status == "raised":
            return check.no_result("raised", fn, error=reply.error[0][:MAX_SHOWN_NAME],
                                   message=shown_message(reply.error[1]))
        if reply.status == "missing":
            return check.no_result("missing", fn, name=", ".join(reply.value or (fn,)))
        if reply.status == "timeout":
            return check.no_result("timeout", fn, seconds=reply.value)
        if reply.status in ("died", "garbled"):
            return check.no_result(reply.status, fn)
        return check.no_result("garbled", fn)


#: The most of a student's own text (an exception's name and message) that a verdict repeats.
MAX_SHOWN_NAME = 40
MAX_SHOWN_MESSAGE = 160


def shown_message(text: str) -> str:
    """The part of a student's exception message that a verdict shows: its first line, cut short.

    A verdict describes; it never carries out much of what the student's code chose to say.
    """
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= MAX_SHOWN_MESSAGE else first[:MAX_SHOWN_MESSAGE - 1] + "…"


def attempt_of(nb) -> str:
    """A digest of a submission as graded: the type and source of every cell, in order.

    The same submission graded again has the same digest, and so the same hidden inputs; any change of
    the notebook (a resubmission) gives new ones.
    """
    digest = hashlib.blake2b(digest_size=16)
    for cell in nb.cells:
        digest.update(str(cell.get("cell_type", "")).encode() + b"\0")
        source = cell.get("source", "")
        digest.update(("".join(source) if type(source) is list else str(source)).encode("utf-8", "replace"))
        digest.update(b"\0\0")
    return digest.hexdigest()


def answer_helper(checks: CourseChecks, helper: str, allowed: tuple, args: tuple, kwargs: dict):
    """The grader's result for a helper called during a function's call: (status, value or error text)."""
    references = checks.references
    if helper not in allowed or helper not in references.HELPERS:
        return "raised", f"{helper} is not answered by the grader during this call"
    try:
        return "returned", references.HELPERS[helper](*args, **kwargs)
    except references.Refused as err:
        return "raised", f"the grader's {helper} {err}"
    except Exception as err:  # noqa: BLE001 - arguments the reference cannot take, as the student's own would fail
        return "raised", f"{type(err).__name__}: {err}"
