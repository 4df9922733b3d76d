"""The grader's side of the probe: send each request to the student's kernel and read back the reply, as data.

A graded cell's requests go in one silent ``execute_request`` that calls the
probe's ``handle`` (``probe.py``) with a token; the probe asks for the
requests over the stdin channel with that token, and the grader hands them
over once.  Its reply is the one ``display_data`` message of
the probe's MIME type whose parent is that request and whose nonce matches;
anything else the kernel prints meanwhile is dropped.  While the request
runs, the helper questions that arrive on the stdin channel are answered by
the grader (``judge.answer_helper``), and only for the helpers that request
allows.  A request that runs past its time is interrupted; a kernel that
does not answer after that, or that dies, ends the session.
"""
from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from queue import Empty

import zmq
import zmq.asyncio

from . import wire
from .judge import Reply, Request
from .probe import ASK, FETCH, MIME

#: The probe as it is sent: the wire format, then the probe, in one namespace of their own.
_SOURCES = [Path(__file__).with_name(name).read_text(encoding="utf-8") for name in ("wire.py", "probe.py")]
INSTALL = f"""
def __coursekit_install(sources):
    namespace = {{"__name__": "coursekit_probe"}}
    for source in sources:
        exec(compile(source, "<coursekit probe>", "exec"), namespace)
    return namespace["handle"]
__coursekit_probe__ = __coursekit_install({_SOURCES!r})
del __coursekit_install
"""
#: Messages read from one channel before the other is looked at.
BURST = 64
#: Messages already waiting after a request ended that show a thread flooding the output channel.
FLOOD_MESSAGES = 200
#: The most a helper question may weigh (the kernel client refuses larger frames before this is read).
MAX_MESSAGE_CHARS = 4 * 2**20


class ProbeSession:
    """Requests to one kernel, through its (async) client *kc*.

    *interrupt* and *alive* are coroutines of the kernel manager;
    *answer_helper(name, allowed, args, kwargs)* gives the grader's result for
    a helper question; *opaque* makes the stand-in of a non-data object.
    """

    def __init__(self, kc, *, interrupt, alive, answer_helper, opaque, timeout: float,
                 grace: float = 5.0):
        self.kc, self.interrupt, self.alive = kc, interrupt, alive
        self.answer_helper, self.opaque = answer_helper, opaque
        self.timeout, self.grace = timeout, grace
        self.gone = False
        #: The session ended because the kernel flooded its output channel (``gone`` is set too).
        self.flooded = False
        self.installed = False

    async def install(self) -> None:
        """Define the probe in the kernel, once (ask defines it again if the student's code removed it).

        If this fails, every request that follows gets no reply, and fails.
        """
        if not self.gone and not self.installed:
            await self._run(INSTALL, self.grace * 4, allowed={})
            self.installed = True

    async def ask_all(self, requests: list[Request], deadline: float) -> list[Reply]:
        """Send a cell's *requests* in one exchange; a reply for each, or why there is none.

        *deadline* (monotonic) bounds them all.  The probe answers them in order
        and publishes each reply as soon as it has it, so that a call that hangs
        or kills the kernel costs the calls from it on, not those before it.
        """
        replies = await self._ask_all(requests, deadline)
        if any(r.status == "garbled" and "__coursekit_probe__" in r.detail for r in replies):
            self.installed = False  # the student's code deleted it: define it again, ask again
            await self.install()
            replies = await self._ask_all(requests, deadline)
        return replies

    async def _ask_all(self, requests: list[Request], deadline: float) -> list[Reply]:
        if self.gone:
            return [Reply("died") for _ in requests]
        nonces = [secrets.token_hex(8) for _ in requests]
        body = {"op": "batch", "requests": [request_body(r, n) for r, n in zip(requests, nonces)]}
        token = secrets.token_hex(8)
        code = f"__coursekit_probe__({token!r})"
        seconds = max(deadline - time.monotonic(), 0.1)
        allowed = {n: r.helpers for r, n in zip(requests, nonces)}
        status, got, execute_error = await self._run(code, seconds, allowed=allowed,
                                                     handed=(FETCH + token, json.dumps(body)))
        replies = []
        for request, nonce in zip(requests, nonces):
            reply, count = got.get(nonce, (None, 0))
            if count == 1:
                replies.append(parse_reply(reply, request, self.opaque))
            elif count:
                replies.append(Reply("garbled", detail=f"{count} replies"))
            elif status == "timeout":
                replies.append(Reply("timeout", value=round(seconds)))
            elif status == "died":
                replies.append(Reply("died"))
            else:
                replies.append(Reply("garbled", detail=execute_error or "no reply"))
        return replies

    # --- the exchange of one request -------------------------------------------------
    async def _run(self, code: str, seconds: float, *, allowed: dict, handed: tuple | None = None):
        """Execute *code* silently: (done|timeout|died, the probe's replies by nonce, an error of the request).

        *allowed* maps the nonce of each call to the helpers the grader answers for during it.  *handed* is
        (a prompt, the text given for it): the first input request with that prompt gets the text, once.

        The exchange ends at the request's idle status.  A kernel whose output goes on after it (a thread
        flooding the channel), or that sends faster than this reads until the deadline, is flooded: the
        session ends (``gone`` and ``flooded``), so that the next function is judged in a new kernel instead
        of waiting behind the flood.
        """
        kc = self.kc
        msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=True, stop_on_error=False)
        deadline = time.monotonic() + seconds
        replies: dict = {}
        execute_error, idle, drained = "", False, True
        poller = zmq.asyncio.Poller()
        channels = {kc.iopub_channel.socket: kc.iopub_channel, kc.stdin_channel.socket: kc.stdin_channel}
        for sock in channels:
            poller.register(sock, zmq.POLLIN)
        next_alive_check = time.monotonic() + 1.0
        while not idle:
            now = time.monotonic()
            if now >= deadline:
                return await self._timed_out(msg_id, flooded=not drained), replies, execute_error
            if now >= next_alive_check:
                next_alive_check = now + 1.0
                if not await self.alive():
                    self.gone = True
                    return "died", replies, execute_error
            events = dict(await poller.poll(timeout=int(min(deadline - now, 0.5) * 1000) + 1))
            drained = True
            for sock in events:
                channel = channels[sock]
                # A few messages of each channel at a time (a flood of output does not starve the questions),
                # and the deadline checked between messages (a kernel may send faster than this reads).
                for _ in range(BURST):
                    if idle or time.monotonic() >= deadline:
                        break
                    try:
                        msg = await channel.get_msg(timeout=0)
                    except Empty:
                        break
                    except Exception:  # noqa: BLE001 - a channel that fails is one that says nothing more
                        break
                    if msg["parent_header"].get("msg_id") != msg_id:
                        continue  # late output of an earlier request, or a dropped message
                    if channel is kc.stdin_channel:
                        if handed is not None and msg["content"].get("prompt") == handed[0]:
                            kc.input(handed[1])
                            handed = None  # handed over once
                        else:
                            self._answer(msg, allowed)
                        continue
                    kind, content = msg["msg_type"], msg["content"]
                    data = content.get("data")
                    if kind == "display_data" and type(data) is dict and MIME in data:
                        reply = data[MIME]
                        nonce = reply.get("nonce") if type(reply) is dict else None
                        if type(nonce) is str and nonce in allowed:
                            # One reply per request is kept; a second one only marks the request garbled.
                            if nonce in replies:
                                replies[nonce][1] += 1
                            else:
                                replies[nonce] = [reply, 1]
                    elif kind == "error":
                        execute_error = f"{str(content.get('ename', ''))[:80]}: {str(content.get('evalue', ''))[:200]}"
                    elif kind == "status" and content.get("execution_state") == "idle":
                        idle = True
                else:
                    drained = False  # a whole burst, and more may be waiting
        if await self._still_writing():
            self.gone = self.flooded = True
        return "done", replies, execute_error

    async def _still_writing(self) -> bool:
        """Whether the kernel's output goes on after the request ended: FLOOD_MESSAGES more messages waiting
        to be read already (a thread that floods the channel)."""
        for _ in range(FLOOD_MESSAGES):
            try:
                await self.kc.iopub_channel.get_msg(timeout=0)
            except Exception:  # noqa: BLE001 - Empty, or a channel that says nothing more
                return False
        return True

    def _answer(self, msg, allowed: dict) -> None:
        """Answer one helper question; every other input request gets a refusal."""
        prompt = msg["content"].get("prompt", "")
        reply = {"status": "raised", "error": "the grader answers no questions here"}
        if type(prompt) is str and prompt.startswith(ASK) and len(prompt) < MAX_MESSAGE_CHARS:
            try:
                question = json.loads(prompt[len(ASK):])
                nonce = question.get("nonce") if type(question) is dict else None
                if type(nonce) is str and nonce in allowed:
                    reply = answer_question(question, nonce, allowed[nonce], self.answer_helper, self.opaque)
            except Exception as err:  # noqa: BLE001 - any malformed question (too deep, not JSON...) is refused
                reply = {"status": "raised", "error": f"the grader could not read the question ({type(err).__name__})"}
        self.kc.input(json.dumps(reply))

    async def _timed_out(self, msg_id, flooded: bool = False) -> str:
        """Interrupt the request; if the kernel does not go idle after it, the session is over.

        A *flooded* kernel (one that sent faster than the grader read, to the deadline) is not waited for:
        its idle status would be behind the flood.
        """
        try:
            await self.interrupt()
        except Exception:  # noqa: BLE001 - an interrupt to a dead kernel
            self.gone = True
            return "timeout"
        if flooded:
            self.gone = self.flooded = True
            return "timeout"
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline:
            try:
                msg = await self.kc.iopub_channel.get_msg(timeout=max(deadline - time.monotonic(), 0.01))
            except Empty:
                continue
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return "timeout"
        self.gone = True
        return "timeout"


# --- the two sides of the wire, shared with the in-process runner (local.py) -----------------
def request_body(request: Request, nonce: str) -> dict:
    """What the probe is sent for *request*."""
    if request.fn is None:
        return {"op": "values", "names": list(request.names), "optional": list(request.optional), "nonce": nonce}
    answers = {helper: {key: wire.encode(value) for key, value in table.items()}
               for helper, table in request.answers.items()}
    return {"op": "call", "fn": request.fn, "nonce": nonce, "helpers": list(request.helpers), "answers": answers,
            "args": [wire.encode(a) for a in request.args],
            "kwargs": {k: wire.encode(v) for k, v in request.kwargs.items()}}


def answer_question(question, nonce, allowed, answer_helper, opaque) -> dict:
    """The grader's reply to a helper question of the probe, for the request *nonce* only."""
    try:
        if type(question) is not dict or question.get("nonce") != nonce:
            return {"status": "raised", "error": "the grader answers only the call that is running"}
        args = wire.decode(question["args"], opaque)
        kwargs = wire.decode(question["kwargs"], opaque)
        if type(args) is not tuple or type(kwargs) is not dict:
            raise wire.WireError("malformed arguments")
        status, value = answer_helper(question.get("helper"), tuple(allowed), args, kwargs)
    except Exception as err:  # noqa: BLE001 - whatever the question holds, it gets a refusal, not a crash
        return {"status": "raised", "error": f"the grader could not read the question ({type(err).__name__})"}
    return {"status": "returned", "value": wire.encode(value)} if status == "returned" else \
        {"status": "raised", "error": str(value)}


def parse_reply(data, request: Request, opaque) -> Reply:
    """The Reply that the probe's *data* stands for; "garbled" when it is not well formed."""
    try:
        status = data.get("status")
        if status == "returned":
            value = wire.decode(data["value"], opaque)
            if request.fn is None:
                if type(value) is not tuple or len(value) != len(request.names):
                    raise wire.WireError("the answers do not match the names asked for")
                return Reply("returned", value)
            after = wire.decode(data["args_after"], opaque)
            if type(after) is not tuple or len(after) != len(request.args):
                raise wire.WireError("the arguments after the call do not match")
            return Reply("returned", value, after)
        if status == "raised":
            error = data["error"]
            if type(error) is not list or len(error) != 2 or not all(type(e) is str for e in error):
                raise wire.WireError("a malformed error")
            return Reply("raised", error=(error[0][:80], error[1][:2000]))
        if status == "missing":
            names = data.get("names")
            if type(names) is not list or not all(type(n) is str for n in names):
                raise wire.WireError("malformed missing names")
            wanted = set(request.names) | {request.fn}
            return Reply("missing", value=tuple(n for n in names if n in wanted) or (request.fn,))
    except Exception as err:  # noqa: BLE001 - any decode error makes the reply garbled, and fails its check only
        return Reply("garbled", detail=type(err).__name__)
    return Reply("garbled", detail="unknown status")
