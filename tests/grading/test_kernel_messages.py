"""What the grader accepts from a kernel: bounded frames, well-formed messages, and nothing raised to readers."""
import json

import zmq
from jupyter_client.session import Session

from coursekit.grading.kernel_messages import DROPPED, MAX_BYTES, guard_client, guarded_deserialize, well_formed


def signed(session, msg_type, content, parent=None):
    msg = session.msg(msg_type, content, parent=parent or {})
    return session.serialize(msg)


def read(session, frames):
    _ident, rest = session.feed_identities(frames, copy=True)
    return session.deserialize(rest)


def test_is_a_resent_signed_message_dropped_rather_than_raised():
    """Does the second copy of a signed message become a dropped message (jupyter_client itself raises)?"""
    sender, receiver = Session(key=b"k"), Session(key=b"k")
    receiver.deserialize = guarded_deserialize(receiver.deserialize)
    frames = [f if isinstance(f, bytes) else f.encode() for f in signed(sender, "stream", {"name": "stdout", "text": "x"})]
    assert read(receiver, list(frames))["msg_type"] == "stream"
    assert read(receiver, list(frames))["msg_type"] == DROPPED


def test_are_malformed_contents_dropped():
    """Is a display_data whose data is a string, an error whose traceback is not a list of strings, or a stream
    of another name dropped, while well-formed ones pass?"""
    sender, receiver = Session(key=b"k"), Session(key=b"k")
    receiver.deserialize = guarded_deserialize(receiver.deserialize)
    cases = [("display_data", {"data": "application/vnd.coursekit.probe+json", "metadata": {}}, False),
             ("display_data", {"data": {"text/plain": "1"}, "metadata": {}}, True),
             ("error", {"ename": "E", "evalue": "v", "traceback": [1, 2]}, False),
             ("stream", {"name": "stdin", "text": "x"}, False),
             ("stream", {"name": "stdout", "text": "x"}, True)]
    for msg_type, content, kept in cases:
        frames = [f if isinstance(f, bytes) else f.encode() for f in signed(sender, msg_type, content)]
        assert (read(receiver, frames)["msg_type"] == msg_type) is kept, (msg_type, content)


def test_is_undecodable_json_dropped():
    """Is a message whose content frame is not JSON (or nested past the recursion limit) dropped?"""
    sender = Session(key=b"")
    receiver = Session(key=b"")
    receiver.deserialize = guarded_deserialize(receiver.deserialize)
    frames = [f if isinstance(f, bytes) else f.encode() for f in signed(sender, "stream", {"name": "stdout", "text": "x"})]
    for bad in (b"{not json", b"[" * 100_000 + b"]" * 100_000):
        broken = list(frames)
        broken[-1] = bad
        assert read(receiver, broken)["msg_type"] == DROPPED


def test_is_a_message_without_dict_headers_malformed():
    """Are messages whose header, parent or content are not dicts refused by the form check?"""
    good = {"header": {"msg_id": "1"}, "parent_header": {}, "content": {}, "metadata": {}, "msg_type": "status",
            "buffers": []}
    assert not well_formed({**good, "content": {"execution_state": 3}})
    assert well_formed({**good, "content": {"execution_state": "idle"}})
    for part in ("header", "parent_header", "content"):
        assert not well_formed({**good, part: "x"})


class _Client:
    def __init__(self):
        self.context = zmq.Context()
        self.session = Session(key=b"k")


def test_does_the_guarded_client_refuse_frames_over_the_bound():
    """Does a socket of a guarded client's context drop a frame larger than the bound, and keep a smaller one?"""
    client = _Client()
    guard_client(client, max_bytes=1024)
    assert client.context.getsockopt(zmq.MAXMSGSIZE) == 1024
    pull = client.context.socket(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = zmq.Context.instance().socket(zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    try:
        push.send(b"x" * 4096)
        push.send(b"small")
        # The large frame cut the connection; the sender reconnects and the small one may come after it.
        received = []
        poller = zmq.Poller()
        poller.register(pull, zmq.POLLIN)
        for _ in range(20):
            if dict(poller.poll(100)).get(pull):
                received.append(pull.recv())
            if received:
                break
            push.send(b"small")
        assert received and all(len(frame) <= 1024 for frame in received)
    finally:
        push.close(0)
        pull.close(0)
        client.context.term()
    assert MAX_BYTES >= 2**20
