"""Runs in the student's kernel: calls a function of the notebook on inputs the grader sent, and sends
back what it returned, as data.

The grader sends this module's source, after ``wire.py``'s, in one silent
request; it defines ``handle(token)``, which the grader then calls once per
graded cell.  The call's code is short: ``handle`` asks for the cell's
requests over the kernel's stdin channel (``FETCH`` and the exchange's
token), so that the hidden inputs never pass through IPython's handling of
code (its input transformers, its parser, its hash of each cell), which
costs time in proportion to the code's length.  Nothing here decides
anything: every answer is a claim that the grader checks (the kernel is the
student's, and so is everything in it).

While a function runs, the helpers it may call (``zero_pad`` for
``conv_forward``, say) are bound to stubs that give the grader's result, so
that a mistake in a helper costs the helper's own cell only.  The grader
sends the results of the calls it foresees (every window of the case, keyed
by their arguments' values) with the request; any other call is asked over
the kernel's stdin channel, which the grader answers only while that call
runs.
"""
import json
import warnings

if __name__ != "coursekit_probe":  # imported as a module; in the kernel, wire.py's source runs first
    from .wire import type_name, call_key, decode, encode

MIME = "application/vnd.coursekit.probe+json"
#: What a helper stub's question starts with (the rest is JSON).
ASK = "coursekit-helper:"
#: What the question for an exchange's requests starts with (the rest is the exchange's token).
FETCH = "coursekit-requests:"


def handle(token):
    """Answer the requests of the grader in this kernel, in order: publish each reply as display data as soon
    as it is ready (a later call that hangs or ends the kernel loses the replies from it on, not these).

    The requests are asked for over stdin, once per exchange, named by *token*.
    """
    from IPython import get_ipython
    from IPython.display import publish_display_data

    namespace = get_ipython().user_ns
    for request in json.loads(input(FETCH + token))["requests"]:
        publish_display_data({MIME: answer(namespace, request)})


def answer(namespace, request, ask=None):
    """The reply to *request* from the functions and variables of *namespace*.

    *ask(question)* gets the grader's answer to a helper call it did not
    foresee (by default: over the kernel's stdin channel).
    """
    reply = {"nonce": request["nonce"]}
    if request["op"] == "values":
        optional = set(request.get("optional", ()))
        missing = [name for name in request["names"] if name not in namespace and name not in optional]
        if missing:
            reply.update(status="missing", names=missing)
        else:
            reply.update(status="returned", value=encode(tuple(namespace.get(n) for n in request["names"])))
    else:
        reply.update(_call(namespace, request, ask or _ask_over_stdin))
    return reply


def _call(namespace, request, ask):
    name = request["fn"]
    if name not in namespace:
        return {"status": "missing", "names": [name]}
    fn = namespace[name]
    args = [decode(a, _NotSent) for a in request["args"]]
    kwargs = {k: decode(v, _NotSent) for k, v in request["kwargs"].items()}
    saved = {}
    for helper in request["helpers"]:
        saved[helper] = namespace.get(helper, _Missing)
        namespace[helper] = _stub(helper, request["nonce"], request.get("answers", {}).get(helper, {}), ask)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = fn(*args, **kwargs)
        return {"status": "returned", "value": encode(value), "args_after": encode(tuple(args))}
    except BaseException as err:  # noqa: BLE001 - the student's error, reported as data
        if isinstance(err, KeyboardInterrupt):
            raise
        return {"status": "raised", "error": [type_name(type(err)), _text(err)]}
    finally:
        for helper, old in saved.items():
            if old is _Missing:
                namespace.pop(helper, None)
            else:
                namespace[helper] = old


def _text(err):
    try:
        return str(err)[:2000]
    except Exception:  # noqa: BLE001 - an exception whose __str__ fails
        return ""


def _stub(helper, nonce, answers, ask):
    """The helper while the function runs: the grader's answers for the calls it foresaw, the rest asked for."""
    def stub(*args, **kwargs):
        if not kwargs:
            known = answers.get(call_key(args))
            if known is not None:
                return decode(known, _NotSent)
        reply = ask({"nonce": nonce, "helper": helper, "args": encode(args), "kwargs": encode(kwargs)})
        if reply.get("status") != "returned":
            raise RuntimeError(reply.get("error", "the grader did not answer"))
        return decode(reply["value"], _NotSent)
    stub.__name__ = helper
    return stub


def _ask_over_stdin(question):
    return json.loads(input(ASK + json.dumps(question)))


class _Missing:
    """A helper that was not defined before the call."""


class _NotSent:
    """The grader never sends objects that are not data."""

    def __init__(self, type_name):
        raise ValueError(f"the grader sent an object of type {type_name}")
