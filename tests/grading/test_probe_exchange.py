"""One exchange of the trusted verdict with a real (unsandboxed) kernel: what the code of a call carries, and
what the kernel can ask for over stdin while it runs."""
import asyncio
import sys
import time

import numpy as np
import pytest
from jupyter_client.manager import start_new_async_kernel

from coursekit.grading.verdict.judge import Request
from coursekit.grading.verdict.probe import FETCH
from coursekit.grading.verdict.session import ProbeSession


class Opaque:
    def __init__(self, type_name):
        self.type_name = type_name


# The student's functions for the exchange: one that returns its input doubled, one that asks for the
# exchange's requests again (the token is in its caller's frame), and returns what it was given.
STUDENT = f'''
import sys
FETCH = {FETCH!r}

def double(x):
    return x * 2

def ask_again(x):
    frame = sys._getframe(1)
    while frame is not None and "token" not in frame.f_locals:
        frame = frame.f_back
    return input(FETCH + frame.f_locals["token"])
'''


async def _exchange(requests):
    km, kc = await start_new_async_kernel(kernel_name="python3", extra_arguments=["--HistoryManager.enabled=False"])
    sent = []
    execute = kc.execute

    def recording(code, *args, **kwargs):
        sent.append(code)
        return execute(code, *args, **kwargs)

    kc.execute = recording
    try:
        session = ProbeSession(kc, interrupt=km.interrupt_kernel, alive=km.is_alive,
                               answer_helper=lambda *a: ("raised", "no helpers here"), opaque=Opaque, timeout=30)
        reply = await session._run(STUDENT, 30, allowed={})
        assert reply[0] == "done", reply
        await session.install()
        sent.clear()
        replies = await session.ask_all(requests, time.monotonic() + 30)
        return replies, sent
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


@pytest.mark.skipif(sys.platform != "linux", reason="the grading kernels run on Linux")
def test_does_the_code_of_a_call_carry_no_hidden_input():
    """Is the code the kernel executes for a cell's requests a short call that holds neither the inputs nor the
    nonces, while the replies still come back right?"""
    x = np.arange(50_000, dtype=float)
    replies, sent = asyncio.run(_exchange([Request(fn="double", args=(x,)), Request(fn="double", args=(x[:3],))]))
    assert [r.status for r in replies] == ["returned", "returned"], replies
    np.testing.assert_array_equal(replies[0].value, x * 2)
    np.testing.assert_array_equal(replies[1].value, x[:3] * 2)
    assert len(sent) == 1 and len(sent[0]) < 100, sent
    assert "nonce" not in sent[0] and "ndarray" not in sent[0]


@pytest.mark.skipif(sys.platform != "linux", reason="the grading kernels run on Linux")
def test_are_the_requests_handed_over_once_only():
    """Does a student's function that asks for its exchange's requests again, with the right token, get a
    refusal instead of them?"""
    replies, _sent = asyncio.run(_exchange([Request(fn="ask_again", args=(1,))]))
    assert replies[0].status == "returned", replies
    assert "requests" not in replies[0].value and "the grader answers no questions here" in replies[0].value
