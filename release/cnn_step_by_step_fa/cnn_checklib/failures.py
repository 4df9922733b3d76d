"""What a call gave (an Outcome, or the failure that stands for none), and failed checks."""
import warnings

from .language import Message, _


class CheckFailed(AssertionError):
    """A check found a wrong result; the message says which and how, the hint (if any) why.

    *concealed* is the same failure told without its expected values: a hidden check's report shows only that.
    *raised*, for a call that raised, is the exception's (name, message): the case that made the call names
    the mistake behind it (``cases.judge``), knowing its arguments.
    """

    def __init__(self, message, hint=None, concealed=None, raised=None):
        super().__init__(message)
        #: A Message, or a Report of several checks.
        self.message = message if hasattr(message, "render") else Message("{text}", text=str(message))
        self.hint = hint
        self.concealed = concealed
        self.raised = raised

    def render(self, language=None, whole_lines=True, conceal=False):
        message = self.concealed if conceal and self.concealed is not None else self.message
        return message.render(language, whole_lines=whole_lines)

    def __str__(self):
        return self.render()

    def _render_traceback_(self):
        # IPython shows these lines instead of a traceback of the checker's internals.
        return str(self).split("\n")


def fail(text, /, hint=None, concealed=None, **values):
    raise CheckFailed(Message(text, **values), hint, concealed)


class Opaque:
    """An object that is no plain data (a number, an array, a tuple...): only its type's name is kept."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name} object>"


def kind(value):
    """The name of *value*'s type, as a message shows it."""
    return value.type_name if type(value) is Opaque else type(value).__name__


class Outcome:
    """What one call of the student's function gave: a value, or an error, and the arguments after the call."""

    def __init__(self, value=None, args_after=(), error=None):
        self.value, self.args_after, self.error = value, args_after, error


def call(fn_name, fn, *args, **kwargs):
    """Run the student's function here; an exception becomes a failed check that names it."""
    try:
        # A warning would be printed on stderr; the values decide, not the warnings.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except CheckFailed:
        raise
    except Exception as err:  # the student's bug, reported with its type and message
        raise CheckFailed(Message(_("{fn} raised {error}: {message}"), fn=fn_name, error=type(err).__name__,
                                  message=str(err)), raised=(type(err).__name__, str(err))) from None


def no_result(reason, fn_name, **values):
    """The failure of a call that gave nothing to check: *reason* is raised, missing, timeout, died or garbled."""
    texts = {
        "raised": _("{fn} raised {error}: {message}"),
        "missing": _("{name} is not defined: run the cell that defines it."),
        "timeout": _("{fn} did not finish within {seconds} seconds."),
        "died": _("The kernel stopped while {fn} ran (os._exit, a crash, or the memory limit)."),
        "garbled": _("{fn} gave no result that the grader could read."),
    }
    raised = (values.get("error", ""), values.get("message", "")) if reason == "raised" else None
    return CheckFailed(Message(texts[reason], fn=fn_name, **values), raised=raised)
