"""What the grader accepts from a student's kernel: messages of bounded size and of the expected form.

Everything the kernel sends is written by code the student controls: the
kernel holds the connection's signing key, so a signed message proves
nothing.  A grader that decodes such a message must survive any of them,
and must not let one exhaust its memory.  Two guards do that, on every
channel of a kernel client, before nbclient or the verdict's session reads
a message:

- **size first**: the client's sockets refuse frames larger than
  ``max_bytes`` (ZeroMQ's ``MAXMSGSIZE``), so no message is decoded that is
  larger than that; a kernel that sends one is cut off and reconnected, and
  the message is lost (the cell or the check it belonged to gets nothing);
- **form next**: a message that cannot be decoded, whose signature was seen
  before, or whose parts are not of the types the Jupyter protocol gives
  them, becomes a *dropped* message, which belongs to no request, and which
  every reader therefore ignores.

Nothing is raised to the reader: one hostile message costs what it was
meant to carry, never the notebook.
"""
from __future__ import annotations

import zmq

#: The msg_type of a message that was dropped.  No request is its parent.
DROPPED = "coursekit_dropped"
#: The largest frame a kernel may send, by default (a figure, a capped stream, a verdict reply all fit).
MAX_BYTES = 4 * 2**20


def dropped_message() -> dict:
    header = {"msg_id": "", "msg_type": DROPPED, "session": "", "username": "", "date": None, "version": ""}
    return {"header": header, "msg_id": "", "msg_type": DROPPED, "parent_header": {}, "metadata": {},
            "content": {}, "buffers": []}


def _strs(value) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _mime_bundle(value) -> bool:
    return type(value) is dict and all(type(key) is str for key in value)


#: The form of the content of each message type that a reader turns into notebook outputs or verdicts.
_CONTENT = {
    "stream": lambda c: c.get("name") in ("stdout", "stderr") and type(c.get("text")) is str,
    "display_data": lambda c: _mime_bundle(c.get("data")) and _mime_bundle(c.get("metadata", {})),
    "update_display_data": lambda c: _mime_bundle(c.get("data")) and _mime_bundle(c.get("metadata", {})),
    "execute_result": lambda c: _mime_bundle(c.get("data")) and _mime_bundle(c.get("metadata", {})),
    "error": lambda c: (type(c.get("ename", "")) is str and type(c.get("evalue", "")) is str
                        and _strs(c.get("traceback", []))),
    "status": lambda c: type(c.get("execution_state")) is str,
    "execute_reply": lambda c: type(c.get("status")) is str,
    "input_request": lambda c: type(c.get("prompt", "")) is str,
    "clear_output": lambda c: type(c.get("wait", False)) is bool,
}


def well_formed(msg) -> bool:
    """Are *msg*'s parts of the types the protocol gives them (and its content, for the types read)?"""
    if type(msg) is not dict:
        return False
    header, parent, content = msg.get("header"), msg.get("parent_header"), msg.get("content")
    if type(header) is not dict or type(parent) is not dict or type(content) is not dict:
        return False
    if type(msg.get("metadata", {})) is not dict or type(msg.get("msg_type")) is not str:
        return False
    if type(header.get("msg_id", "")) is not str or type(parent.get("msg_id", "")) is not str:
        return False
    form = _CONTENT.get(msg["msg_type"])
    return form is None or bool(form(content))


def guarded_deserialize(deserialize):
    """*deserialize* (a ``Session.deserialize``) that gives a dropped message instead of raising."""
    def guarded(msg_list, content=True, copy=True):
        try:
            msg = deserialize(msg_list, content=content, copy=copy)
        except Exception:  # noqa: BLE001 - bad JSON, a replayed signature, anything: the message is lost
            return dropped_message()
        return msg if well_formed(msg) else dropped_message()
    guarded.coursekit_guarded = True
    return guarded


def guard_client(kc, max_bytes: int = MAX_BYTES) -> None:
    """Guard the kernel client *kc* before its channels start: frames over *max_bytes* are refused at the
    socket, and every message is checked after decoding."""
    kc.context.setsockopt(zmq.MAXMSGSIZE, int(max_bytes))
    session = kc.session
    if not getattr(session.deserialize, "coursekit_guarded", False):
        session.deserialize = guarded_deserialize(session.deserialize)
