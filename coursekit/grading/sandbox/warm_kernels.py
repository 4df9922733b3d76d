"""Warm kernels for ``coursekit grade``'s workers: a jupyter_client kernel manager whose ``cnn-sandbox``
kernels are forked by the worker's warm sandbox (``warm.py``), and the one sandbox of each worker process.

``WarmKernelManager`` is an ``AsyncKernelManager``; the batch's workers hand
it to ``ContainedExecute``.  Kernels of any other kernelspec, and every kernel
when the warm sandbox cannot run here, start the usual (cold) way.  Plain
``nbgrader autograde`` never uses this module.
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import os
import shutil
import signal
import threading
import time
import uuid
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import DottedObjectName, Type

from .kernelspec import kernelspec_dict
from .facts import FACTS_ARG, SandboxFacts, facts_of, remove_written, take_facts
from .options import CHANNELS, KERNEL_NAME, SandboxError
from .warm import WarmChild, WarmSandbox

log = logging.getLogger(__name__)

_SANDBOXES: dict[str, WarmSandbox] = {}
_REGISTRY_LOCK = threading.Lock()
#: The facts (as JSON) of the courses whose warm sandbox could not start here.
_FAILED: set = set()


def sandbox_for(facts: SandboxFacts) -> WarmSandbox:
    """This process's warm sandbox for the course of *facts* (created, not yet started, if new)."""
    key = facts.to_json()
    with _REGISTRY_LOCK:
        box = _SANDBOXES.get(key)
        if box is None:
            box = WarmSandbox(facts)
            _SANDBOXES[key] = box
        return box


def close_all() -> None:
    """Stop every warm sandbox of this process (each close is bounded in time)."""
    with _REGISTRY_LOCK:
        boxes = list(_SANDBOXES.values())
        _SANDBOXES.clear()
    for box in boxes:
        try:
            box.close()
        except Exception:  # noqa: BLE001 - shutting down anyway
            pass
    remove_written()


atexit.register(close_all)


def prepare_worker(course) -> WarmSandbox | None:
    """Start this worker's sandbox early, so that the zygote imports while the worker sets up.

    No signal handler is installed: a worker that is told to stop calls
    :func:`close_all` in ordinary code, and a worker that is killed takes its
    sandbox with it (bubblewrap's ``--die-with-parent``); its folder is removed
    by the next ``folders.remove_stale_folders``.
    """
    box = sandbox_for(facts_of(course))
    try:
        box.start()
    except SandboxError as exc:
        log.warning("warm sandbox unavailable (%s); using cold sandboxed kernels", exc)
        _FAILED.add(box.facts.to_json())
        return None
    return box


# --------------------------------------------------------------------------
# jupyter_client integration
# --------------------------------------------------------------------------

class WarmProvisioner(LocalProvisioner):
    """Kernel provisioner whose kernel is a child of the worker's warm sandbox."""

    sandbox: WarmSandbox | None = None
    child: WarmChild | None = None
    client_ip: str | None = None
    _extra_args: list = []
    _waited = False

    async def pre_launch(self, **kwargs):
        # The facts were for choosing the sandbox; the kernel gets the other arguments.
        self._extra_args = [a for a in kwargs.get("extra_arguments") or [] if not a.startswith(FACTS_ARG)]
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd, **kwargs):
        cwd = Path(kwargs.get("cwd") or os.getcwd())
        assert self.sandbox is not None and self.client_ip is not None
        self.child = await self.sandbox.spawn(cwd, self.connection_info, self._extra_args,
                                              self.client_ip)
        self._waited = False
        self.pid = self.child.host_pid
        self.pgid = None
        self.cwd = str(cwd)
        return self.connection_info

    @property
    def has_process(self) -> bool:
        return self.child is not None and not self._waited

    async def poll(self):
        if self.child is None:
            return 0
        return self.child.exit_status() if self.child.exited() else None

    async def wait(self):
        if self.child is None:
            return 0
        while not self.child.exited():
            await asyncio.sleep(0.05)
        self._waited = True
        return self.child.exit_status()

    async def send_signal(self, signum: int) -> None:
        if self.child is not None:
            self.child.signal(signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return min(recommended, 1.0)

    async def cleanup(self, restart: bool = False) -> None:
        child, self.child = self.child, None
        if child is not None and self.sandbox is not None:
            self.sandbox.release(child)
        if self.client_ip is not None and not restart:
            shutil.rmtree(os.path.dirname(self.client_ip), ignore_errors=True)
            self.client_ip = None


class ReadyKernelClient(AsyncKernelClient):
    """jupyter_client's async client, ready as soon as the kernel has answered.

    jupyter_client's ``wait_for_ready``, after the kernel_info reply, waits
    until IOPub has been silent for 0.2 s: a fixed 0.2 s of every kernel
    start, most of a warm kernel's.  This one reads IOPub up to the idle
    status of that kernel_info request, the last message the kernel
    publishes for it; when it does not come within 0.2 s (IOPub was not
    connected yet), it asks again, as jupyter_client does.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        asked = False  # a kernel_info request is on its way and not answered yet
        while True:
            if not asked:
                self.kernel_info()
                asked = True
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                asked = False
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    if await self._idle_after(reply["parent_header"].get("msg_id"), 0.2):
                        self._handle_kernel_info_reply(reply)
                        return
                    asked = False
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    wait_for_ready = _async_wait_for_ready

    async def _idle_after(self, msg_id, seconds: float) -> bool:
        """Read (and drop) IOPub messages up to the idle status of *msg_id*; False if none within *seconds*."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await self.iopub_channel.get_msg(timeout=left)
            except Empty:
                return False
            if (msg["msg_type"] == "status" and msg["parent_header"].get("msg_id") == msg_id
                    and msg["content"].get("execution_state") == "idle"):
                return True
        return False


class WarmKernelManager(AsyncKernelManager):
    """An AsyncKernelManager that takes ``cnn-sandbox`` kernels from the warm sandbox.

    Kernels of any other kernelspec, and every kernel when the warm sandbox
    cannot run here, start the usual way (cold).
    """

    client_class = DottedObjectName(f"{__name__}.ReadyKernelClient")
    client_factory = Type(default_value=ReadyKernelClient, klass=AsyncKernelClient)

    @property
    def kernel_spec(self):
        if self.kernel_name == KERNEL_NAME:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(resource_dir="", name=KERNEL_NAME,
                                               **kernelspec_dict())
            return self._kernel_spec
        return super().kernel_spec

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None and self.kernel_name == KERNEL_NAME:
            box = self._warm_sandbox(kw.get("extra_arguments") or [])
            if box is not None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                client_ip = box.new_client_ip()
                self.transport = "ipc"
                self.ip = client_ip
                for port, name in enumerate(CHANNELS, start=1):
                    setattr(self, name, port)
                provisioner = WarmProvisioner(kernel_id=self.kernel_id,
                                              kernel_spec=self.kernel_spec, parent=self)
                provisioner.sandbox = box
                provisioner.client_ip = client_ip
                self.provisioner = provisioner
        return await super()._async_pre_start_kernel(**kw)

    def _warm_sandbox(self, extra_arguments) -> WarmSandbox | None:
        """The warm sandbox of the course named by the facts among the kernel's arguments (facts.py)."""
        try:
            facts = take_facts(list(extra_arguments))[0]
        except SandboxError as exc:
            self.log.warning("warm kernels: %s; starting a cold kernel", exc)
            return None
        if facts.to_json() in _FAILED:
            return None
        box = sandbox_for(facts)
        try:
            box.ensure_ready()
        except SandboxError as exc:
            self.log.warning("warm kernels unavailable (%s); using cold sandboxed kernels", exc)
            _FAILED.add(facts.to_json())
            return None
        return box

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Wait for the kernel to end: a warm child is polled every 5 ms (a pidfd), not every 100 ms."""
        if isinstance(self.provisioner, WarmProvisioner):
            pollinterval = 0.005
        await super()._async_wait(pollinterval)

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        """Kill at once: the child is thrown away with everything it made."""
        if isinstance(self.provisioner, WarmProvisioner):
            now = True
        await KernelManager._async_shutdown_kernel(self, now=now, restart=restart)
