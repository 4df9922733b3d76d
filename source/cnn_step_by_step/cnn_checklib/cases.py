"""Cases (a call and the checks its outcome must pass), and the reports that judging them gives."""
import warnings

import numpy as np

from .failures import CheckFailed, Outcome, call
from .hints import hint_for_error, with_published_hints
from .language import Message, _, as_language, isolate_lines


class Case:
    """One call of a function (*args*, *kwargs*) and the checks its outcome must pass.

    Each check takes the Outcome and raises CheckFailed.  *label* says which
    situation the case is (the hidden cases have one).  *diagnose*, given the
    Outcome of a failing case, names the likely mistake (a hint) or None.
    """

    def __init__(self, args, checks, kwargs=None, label=None, diagnose=None):
        self.args, self.kwargs, self.checks, self.label = tuple(args), dict(kwargs or {}), list(checks), label
        self.diagnose = diagnose


class Report:
    """The result of a function's cases: how many checks, and the failures with their hints."""

    def __init__(self, fn_name, total, failed, failures, kind="visible"):
        self.fn_name, self.total, self.failed, self.failures, self.kind = fn_name, total, failed, failures, kind

    @property
    def passed(self):
        return not self.failures

    def header(self):
        if self.failures:
            text = (_("{fn}: {failed} of {total} hidden checks failed.") if self.kind == "hidden"
                    else _("{fn}: {failed} of {total} checks failed."))
            return Message(text, fn=self.fn_name, failed=self.failed, total=self.total)
        if self.kind == "hidden":
            return Message(_("{fn}: all {total} hidden checks passed."), fn=self.fn_name, total=self.total)
        if self.kind == "form":
            return Message(_("{fn}: your answer has the right form. Its values are checked when your work is "
                             "graded."), fn=self.fn_name)
        return Message(_("{fn}: all {total} checks passed."), fn=self.fn_name, total=self.total)

    def records(self):
        """The failures as data, in English, for the instructor's report: one ``{"case", "message", "mistake"}``
        per failure line (the case's label or None, the message as the report shows it, the name of the mistake
        its hint names or None)."""
        return [{"case": None if label is None else label.render("en", whole_lines=False),
                 "message": failure.render("en", whole_lines=False, conceal=self.kind == "hidden"),
                 "mistake": getattr(failure.hint, "name", None)} for label, failure in self.failures]

    def render(self, language=None, whole_lines=True):
        """The report as text: the header, then a line per failure (and its hint).

        A hidden report shows each failure concealed: no expected value of a hidden case is ever shown.
        """
        language = as_language(language)
        lines = [("" if self.failures else "✓ ") + self.header().render(language, whole_lines=False)]
        hints = set()
        for label, failure in self.failures:
            text = failure.render(language, whole_lines=False, conceal=self.kind == "hidden")
            if label is not None:
                text = f"[{label.render(language, whole_lines=False)}] {text}"
            lines.append("✗ " + text)
            if failure.hint is not None and failure.hint.text not in hints:  # each hint once
                hints.add(failure.hint.text)
                lines.append("  " + Message(_("Hint: {hint}"), hint=failure.hint).render(language, whole_lines=False))
        text = "\n".join(lines)
        return isolate_lines(text, language) if whole_lines else text


def judge(fn_name, cases, outcomes, kind="visible"):
    """The Report of *cases* given their *outcomes* (one per case; an Outcome, or a CheckFailed for the call)."""
    failures = []
    _judge_cases(fn_name, cases, outcomes, failures)
    total = sum(len(case.checks) for case in cases)
    # The same failure is one line, not one line per check it failed (as it is shown: concealed if hidden).
    unique, seen = [], set()
    for label, failure in failures:
        key = (label.render("en") if label else None, failure.render("en", conceal=kind == "hidden"))
        if key not in seen:
            seen.add(key)
            unique.append((label, failure))
    return Report(fn_name, total, len(failures), unique, kind)


def _judge_cases(fn_name, cases, outcomes, failures):
    for case, outcome in zip(cases, outcomes):
        if isinstance(outcome, CheckFailed):
            if outcome.hint is None and outcome.raised is not None:
                outcome.hint = hint_for_error(fn_name, *outcome.raised, case.args, case.kwargs)
            failures += [(case.label, outcome)] * len(case.checks)
            continue
        before = len(failures)
        _run_checks(fn_name, case, outcome, failures)
        if len(failures) > before and case.diagnose is not None and failures[before][1].hint is None:
            try:
                failures[before][1].hint = case.diagnose(outcome)
            except Exception:  # noqa: BLE001 - a hint is a courtesy: no hint rather than no verdict
                pass


def _run_checks(fn_name, case, outcome, failures):
    for check in case.checks:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check(outcome)
        except CheckFailed as failure:
            failures.append((case.label, failure))
        except Exception as err:  # a result too far from the expected one to be looked at
            failures.append((case.label, CheckFailed(Message(
                _("{fn} returned a result that could not be checked: {error}: {message}"),
                fn=fn_name, error=type(err).__name__, message=str(err)))))


def run_here(fn_name, fn, cases, kind="visible"):
    """Run *cases* on *fn* in this notebook and print the report, or raise it as a CheckFailed."""
    outcomes = []
    for case in cases:
        args = [np.array(a) if type(a) is np.ndarray else a for a in case.args]
        try:
            value = call(fn_name, fn, *args, **case.kwargs)
            outcomes.append(Outcome(value, tuple(args)))
        except CheckFailed as failure:
            outcomes.append(failure)
    return show_report(judge(fn_name, cases, outcomes, kind))


def show_report(report):
    """Print a passing report; raise a failing one (IPython then shows its lines, not a traceback)."""
    if report.passed:
        print(report.render())
        return report
    raise CheckFailed(report)


def visible_check(name, cases):
    """The check a notebook calls, ``check.<name>(<name>)``: run *cases()* on the function, print the report."""
    def check(fn):
        return run_here(name, fn, with_published_hints(name, cases()))
    check.__name__ = name
    check.__doc__ = f"Run {name} on its published cases and compare with the published values."
    return check


# --- the exercises on paper: one check of form per answer --------------------------
def form_case(check):
    """A case whose 'call' is reading the answers: its outcome's value is the tuple of answers."""
    return Case((), [lambda outcome: check(*outcome.value)])


def form_check(name, cases):
    """The check of the form of an exercise's answers, ``check.<name>(answer, ...)``: their types, dimensions and
    keys, never their values (the graded checks judge those)."""
    def check(*answers):
        made = cases()
        return show_report(judge(name, made, [Outcome(answers)] * len(made), kind="form"))
    check.__name__ = name
    check.__doc__ = f"Check the form of the answers of {name} (not their values)."
    return check
