"""Autograde stage: run a submission so that its failures stay contained, and judge its graded cells.

``ContainedExecute`` replaces nbgrader's ``Execute`` in
``Autograde.autograde_preprocessors`` (see nbgrader_config.py), so plain
``nbgrader autograde`` and ``coursekit grade`` run submissions the same way:

- in the grading sandbox kernel (``kernel_name``, see ``sandbox/``);
- a graded cell whose hidden region names a hidden check
  (``# hidden check: conv_forward``) is not run in the kernel: the grader
  calls the student's function there on its own inputs, takes the results
  back as data and judges them itself (``verdict/``); the cell's outputs are
  the verdict, which nbgrader then scores;
- **the grader decides when**: such cells are judged after every other cell
  has run, whatever their place in the notebook, each on the definitions in
  force after the last cell that ran (the student's final ones), and in the
  grader's order: a function before every function whose check answers its
  calls with the grader's reference (the helpers first: ``zero_pad`` before
  ``conv_forward``).  No student cell runs after a hidden input has entered
  the kernel, so nothing the student's code learns then reaches an output;
- the hidden inputs are drawn for the student *and the attempt* (a digest of
  the notebook as graded, ``verdict.judge.attempt_of``): a resubmission gets
  new ones, a re-run of the same submission the same ones;
- a cell that runs past the timeout is interrupted and scores zero; if the
  kernel does not answer afterwards it is treated as dead;
- when the kernel dies (``os._exit``, a segfault, the memory cap), the cells
  that had finished keep their outputs, and so their points; every later cell
  gets an error output that says why it did not run, and so scores zero
  (nbgrader alone would drop the whole notebook).  The graded cells placed
  before it are judged in a new kernel where the cells that ran are run
  again, silently; a kernel that dies while a function is judged costs that
  function, and the others are judged in a new kernel the same way
  (``kernel_restarts`` times at most);
- the kernel is told the submission's student id as JupyterHub tells a user's kernel
  (``JUPYTERHUB_USER``), so that the numbers a notebook shows for the exercises on paper
  are the ones it is graded on, unless the student typed another id;
- a flood of output is cut after ``max_output_chars`` characters per cell;
- every message from the kernel is bounded in size before it is decoded, and
  one that is malformed is dropped (``kernel_messages.py``).

What happened is written to ``nb.metadata["coursekit"]["incidents"]`` for the
instructor report.
"""
import asyncio
import time
from pathlib import Path

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_hook
from nbformat import NotebookNode
from nbformat.v4 import new_output
from traitlets import Integer

from nbgrader.preprocessors import Execute

from ..course import Course
from .incidents import record_incident
from .kernel_messages import MAX_BYTES, guard_client
from .sandbox.facts import FACTS_ARG, facts_argument, facts_of
from .verdict.judge import CourseChecks, attempt_of
from .verdict.stage import forget_records, grade_cell, hidden_check_of, judging_order, language_of, new_session

KERNEL_DIED = "KernelDied"
NOT_RUN = "CellNotRun"

# Sent (silently) before the first cell: stream_cap.py caps what each cell can
# write inside the kernel, so that a flood is cut where it starts.  The
# grader-side cap in output() still holds if an answer undoes it.
CUT_MARK = "[output cut after __LIMIT__ characters]"
STREAM_CAP = (Path(__file__).with_name("stream_cap.py").read_text(encoding="utf-8")
              + '\ncap_streams(__LIMIT__, "__MARK__")\ndel cap_streams\n')
# Sent (silently) with it: the grader stands in for the platform and names the submission's student, as
# JupyterHub names its user, so that a notebook that leaves my_id = None shows the numbers it is graded on.
PLATFORM_USER = "import os as _os\n_os.environ['JUPYTERHUB_USER'] = __STUDENT__\ndel _os\n"


class ContainedExecute(Execute):
    """nbgrader's Execute, with timeouts, dead kernels and output floods contained."""

    max_output_chars = Integer(
        100_000,
        help="Stream output kept per cell; the rest is replaced by one line saying how much was cut.",
    ).tag(config=True)

    responsive_after_timeout_s = Integer(
        5,
        help="After a cell times out and is interrupted, how long the kernel has to answer before it counts as dead.",
    ).tag(config=True)

    max_message_bytes = Integer(
        MAX_BYTES,
        help="The largest message frame accepted from a kernel; a larger one is refused before it is read "
             "(ZeroMQ's MAXMSGSIZE), and what it carried is lost.",
    ).tag(config=True)

    kernel_restarts = Integer(
        2,
        help="How many times a kernel that died (or stopped answering) is replaced by a new one, with the "
             "cells that ran run again silently, so that the graded functions not yet judged are judged; "
             "after that, they score zero.",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._dead_in = None
        self._kept_chars = {}
        self._truncated = set()
        self._kernel_prepared = False
        self._session = None
        #: (index, cell, check name) of the graded cells judged after the others, and the code cells that ran.
        self._deferred, self._ran = [], []
        self._restarts = 0
        self._attempt = attempt_of(nb)
        forget_records(nb)
        self._course = Course.from_config(self.config)
        return super().preprocess(nb, resources, km=km)

    async def async_start_new_kernel(self, **kwargs):
        """nbclient's, with the course's facts among the kernel's arguments: its launcher (cold or warm) is
        told them and looks for nothing itself.  (Set here, not in ``preprocess``: nbclient sets every option
        again from the config when a notebook's run begins.)"""
        configured = [a for a in self.extra_arguments if not a.startswith(FACTS_ARG)]
        self.extra_arguments = [*configured, facts_argument(facts_of(self._course))]
        return await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)

    async def async_start_new_kernel_client(self):
        """nbclient's, with the client guarded (``kernel_messages``) before its channels start."""
        self.kc = self.km.client()
        guard_client(self.kc, self.max_message_bytes)
        try:
            await ensure_async(self.kc.start_channels())
            await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
        except Exception:
            await self._async_cleanup_kernel()
            raise
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _run_quietly(self, code: str, timeout: float) -> dict | None:
        """Run *code* in the kernel without a trace in the notebook; its reply, or None if none came."""
        deadline = time.monotonic() + timeout
        try:
            msg_id = self.kc.execute(code, silent=True, store_history=False)
            while True:
                reply = await self.kc.get_shell_msg(timeout=max(0.0, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]
        except Exception:  # a timeout or a dead channel: either way, no answer
            return None

    def _run_silently(self, code: str, timeout: float) -> dict | None:
        return run_sync(self._run_quietly)(code, timeout)

    async def _prepare_kernel(self):
        """Cap the kernel's streams, and name the submission's student in it (PLATFORM_USER)."""
        code = STREAM_CAP.replace("__MARK__", self._cut_mark).replace("__LIMIT__", str(self.max_output_chars))
        student = self.resources.get("nbgrader", {}).get("student")
        if student:
            code += PLATFORM_USER.replace("__STUDENT__", repr(str(student)))
        # Every cell waits behind this in the kernel's queue anyway: waiting
        # for its answer costs nothing, and says whether the cap is in place.
        reply = await self._run_quietly(code, self.timeout or 60)
        if reply is None or reply.get("status") != "ok":
            why = "no answer" if reply is None else f"{reply.get('ename')}: {reply.get('evalue')}"
            self.log.warning("The kernel-side output cap (and the student's name) was not installed (%s); "
                             "only the grader-side cap holds.", why)

    def preprocess_cell(self, cell, resources, index):
        self._run_cell(cell, resources, index)
        if index == len(self.nb.cells) - 1:
            self._judge_deferred()
        return cell, self.resources

    def _run_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return
        if not self._kernel_prepared:
            self._kernel_prepared = True
            run_sync(self._prepare_kernel)()
        if self._dead_in is not None:
            self._mark_not_run(cell)
            return
        name = hidden_check_of(cell)
        if name is not None:
            self._deferred.append((index, cell, name))
            return
        try:
            super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._kernel_died(cell)
            return
        except CellTimeoutError:  # the cell ended, but its output did not (a thread flooding the channel)
            why = f"the output of cell {self._grade_id(cell)!r} did not end after the cell did (a flood)"
            cell.outputs.append(new_output("error", ename="CellTimeoutError", evalue=why,
                                           traceback=[f"CellTimeoutError: {why}"]))
            record_incident(self.nb, "timeout", cell, why)
            self._kernel_died(cell, unresponsive=True)
            return
        if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
            record_incident(self.nb, "timeout", cell,
                            f"cell ran for more than {self.timeout} s and was interrupted")
            if not self._answers():
                self._kernel_died(cell, unresponsive=True)
                return
        self._ran.append(cell)

    # --- graded cells: the trusted verdict ----------------------------------------
    def _judge_deferred(self):
        if not self._deferred:
            return
        checks = CourseChecks.for_course(self._course)
        run_sync(self._judge_all)(checks, judging_order(checks, self._deferred))

    async def _judge_all(self, checks: CourseChecks, order):
        student = self.resources.get("nbgrader", {}).get("student", "")
        language = language_of(self._course, self.resources)
        for _index, cell, name in order:
            if self._dead_in is not None or (self._session is not None and self._session.gone):
                if not await self._new_kernel():
                    self._mark_not_judged(cell)
                    continue
            if self._session is None:
                self._session = new_session(self, checks, self.timeout)
            try:
                _verdict, timed_out = await grade_cell(self._session, checks, cell, name, student, language,
                                                       self.timeout, attempt=self._attempt)
            except Exception as err:  # noqa: BLE001 - a verdict that cannot be made fails its own cell only
                self.log.error("The verdict on %s could not be made: %s: %s", name, type(err).__name__, err)
                self._mark_not_judged(cell, why=f"the grader could not judge it ({type(err).__name__})")
                record_incident(self.nb, "malformed", cell, f"the verdict could not be made ({type(err).__name__})")
                continue
            if timed_out:
                record_incident(self.nb, "timeout", cell, f"a call ran for more than {self.timeout} s and was interrupted")
            if self._session.flooded:
                record_incident(self.nb, "timeout", cell,
                                f"The kernel kept sending output faster than it could be read while or after {name} "
                                "was judged (a thread flooding it); the functions after it were judged in a new "
                                "kernel.")
            elif self._session.gone:
                record_incident(self.nb, "kernel_died", cell,
                                f"The kernel stopped while {name} was judged; the cells after it were judged in a "
                                "new kernel.")

    async def _new_kernel(self) -> bool:
        """Replace a dead or unresponsive kernel with a new one in which the cells that ran are run again,
        silently; False when no more restarts are allowed or the new kernel fails.

        A replayed cell after which the kernel's output channel does not come back to rest (a thread that
        floods it) is left out, with every cell after it, and the replay starts again without them.
        """
        if self._restarts >= self.kernel_restarts:
            return False
        self._restarts += 1
        self._session = None
        pauses = iter((0.0,) + self.REST_PAUSES)  # no pause first: a thread that floods is rare
        pause = next(pauses)
        while True:
            if not await self._fresh_kernel():
                return False
            flooding = await self._replay(self._ran, pause)
            if flooding is None:
                if await self._idle_after(self.REST_PAUSES[-1], self.responsive_after_timeout_s):
                    break
                # A thread floods, begun by a cell the pause after it did not catch: run them all again,
                # pausing longer after each, to find that cell.
                pause = next(pauses, None)
                if pause is None:  # not found even so: judge in a kernel where nothing ran
                    if not self._ran:
                        break
                    record_incident(self.nb, "timeout", self._ran[-1],
                                    "the kernel's output did not come to rest when the cells were run again; "
                                    "the graded functions were judged without any of them")
                    self._ran = []
                continue
            record_incident(self.nb, "timeout", self._ran[flooding],
                            "the kernel's output did not come to rest after this cell when it was run again; "
                            "the graded functions were judged without it and the cells after it")
            self._ran = self._ran[:flooding]
        self._dead_in = None
        return True

    async def _fresh_kernel(self) -> bool:
        try:
            try:
                self.kc.stop_channels()
                await ensure_async(self.km.shutdown_kernel(now=True))
            except Exception:  # noqa: BLE001 - the old client and manager of a dead kernel
                pass
            # A new manager: the old one's zmq context went with its kernel.
            self.create_kernel_manager()
            await self.async_start_new_kernel()
            await self.async_start_new_kernel_client()
        except Exception as err:  # noqa: BLE001 - no new kernel: the rest is not judged
            self.log.error("No new kernel could be started: %s", err)
            self._restarts = self.kernel_restarts
            return False
        await self._prepare_kernel()
        return True

    async def _replay(self, cells, pause: float) -> int | None:
        """Run *cells* again, silently; the index of the first one after which the output does not come to
        rest *pause* seconds after it, or None."""
        for index, cell in enumerate(cells):
            if await self._run_quietly(cell.source, self.timeout or 60) is None:
                try:  # a cell that ran once and now hangs: stop it, and judge what there is
                    await ensure_async(self.km.interrupt_kernel())
                except Exception:  # noqa: BLE001
                    pass
                return None
            if pause and not await self._idle_after(pause, self.responsive_after_timeout_s):
                return index
        return None

    #: More messages than this before a trivial request's idle status means a thread floods the channel.
    FLOOD_MESSAGES = 500

    #: The pauses before a trivial request after each replayed cell, tried in turn once the check after a replay
    #: (after the last pause) finds the output channel flooded: on a loaded machine a thread a cell started may
    #: begin only after the short one.
    REST_PAUSES = (0.2, 0.6)

    async def _idle_after(self, pause: float, seconds: float) -> bool:
        """After *pause*, does a trivial request's idle status come through the output channel within *seconds*,
        behind no more than FLOOD_MESSAGES others (a thread that floods the channel sends thousands)?"""
        deadline = time.monotonic() + pause + seconds
        others = 0
        try:
            await asyncio.sleep(pause)
            msg_id = self.kc.execute("pass", silent=True, store_history=False)
            while time.monotonic() < deadline and others <= self.FLOOD_MESSAGES:
                msg = await self.kc.get_iopub_msg(timeout=max(0.0, deadline - time.monotonic()))
                if msg["parent_header"].get("msg_id") != msg_id:
                    others += 1
                elif msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    return True
        except Exception:  # noqa: BLE001 - nothing came in time
            return False
        return False

    def _mark_not_judged(self, cell, why=None):
        why = why or (f"Not judged: the kernel had stopped (in cell {self._dead_in!r}) and could not be "
                      "started again; this cell scores zero.")
        cell.outputs = [new_output("error", ename=NOT_RUN, evalue=why, traceback=[f"{NOT_RUN}: {why}"])]

    # --- dead and unresponsive kernels -------------------------------------------
    def _answers(self) -> bool:
        """Does the kernel still answer a trivial request after an interrupt?"""
        return self._run_silently("pass", self.responsive_after_timeout_s) is not None

    @staticmethod
    def _grade_id(cell):
        return cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id")

    def _kernel_died(self, cell, unresponsive=False):
        grade_id = self._grade_id(cell)
        self._dead_in = grade_id
        if unresponsive:
            why = f"The kernel stopped answering after cell {grade_id!r} timed out."
            try:  # it will not stop by itself (the manager is async: run the shutdown to completion)
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:
                pass
        else:
            why = f"The kernel died while running cell {grade_id!r} (os._exit, a crash, or the memory limit)."
            cell.outputs.append(new_output("error", ename=KERNEL_DIED, evalue=why, traceback=[f"{KERNEL_DIED}: {why}"]))
        record_incident(self.nb, "kernel_died", cell, why)

    def _mark_not_run(self, cell):
        why = f"Not run: the kernel had stopped in cell {self._dead_in!r}; cells after it score zero."
        cell.outputs = [new_output("error", ename=NOT_RUN, evalue=why, traceback=[f"{NOT_RUN}: {why}"])]

    # --- output floods ---------------------------------------------------------
    @property
    def _cut_mark(self):
        return CUT_MARK.replace("__LIMIT__", str(self.max_output_chars))

    def output(self, outs, msg, display_id, cell_index) -> NotebookNode:
        if msg["msg_type"] == "stream":
            kept = self._kept_chars.get(cell_index, 0)
            text = msg["content"].get("text", "")
            if self._cut_mark in text:  # the kernel cut it
                self._truncated.add(cell_index)
                record_incident(self.nb, "output_truncated", self.nb.cells[cell_index], self._cut_mark.strip("[]"))
            # room for the kernel's own mark, so that the two caps do not both speak
            room_for_mark = len(self._cut_mark) + 2
            room = self.max_output_chars + room_for_mark - kept
            if room <= 0:
                self._note_truncation(outs, cell_index, len(text))
                return None
            if len(text) > room:
                msg = {**msg, "content": {**msg["content"], "text": text[:room]}}
                out = super().output(outs, msg, display_id, cell_index)
                self._kept_chars[cell_index] = kept + room
                self._note_truncation(outs, cell_index, len(text) - room)
                return out
            self._kept_chars[cell_index] = kept + len(text)
        return super().output(outs, msg, display_id, cell_index)

    def _note_truncation(self, outs, cell_index, dropped):
        if cell_index in self._truncated:
            return
        self._truncated.add(cell_index)
        # stdout, not stderr: nbgrader scores any stderr output in a test cell as a failure.
        outs.append(new_output("stream", name="stdout", text=f"\n{self._cut_mark}\n"))
        record_incident(self.nb, "output_truncated", self.nb.cells[cell_index], self._cut_mark.strip("[]"))
