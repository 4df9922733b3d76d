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
- a cell that runs past the timeout is interrupted and scores zero; if the
  kernel does not answer afterwards it is treated as dead;
- when the kernel dies (``os._exit``, a segfault, the memory cap), the cells
  that had finished keep their outputs, and so their points; every later cell
  gets an error output that says why it did not run, and so scores zero.
  nbgrader alone would drop the whole notebook;
- a flood of output is cut after ``max_output_chars`` characters per cell.

What happened is written to ``nb.metadata["coursekit"]["incidents"]`` for the
instructor report.
"""
import os
import time
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output
from traitlets import Integer

from nbgrader.preprocessors import Execute

from ..course import Course
from .incidents import record_incident
from .sandbox.options import COURSE_ROOT_ENV
from .verdict.judge import CourseChecks
from .verdict.stage import grade_cell, hidden_check_of, language_of, new_session

KERNEL_DIED = "KernelDied"
NOT_RUN = "CellNotRun"

# Sent (silently) before the first cell: stream_cap.py caps what each cell can
# write inside the kernel, so that a flood is cut where it starts.  The
# grader-side cap in output() still holds if an answer undoes it.
CUT_MARK = "[output cut after __LIMIT__ characters]"
STREAM_CAP = (Path(__file__).with_name("stream_cap.py").read_text(encoding="utf-8")
              + '\ncap_streams(__LIMIT__, "__MARK__")\ndel cap_streams\n')


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

    # Hook for `coursekit grade` (batch_grade._init_worker): its worker processes
    # set this to warm_kernels.WarmKernelManager when c.BatchGrade.warm_kernels is
    # True.  None (the default, and always under plain `nbgrader autograde`) keeps
    # nbgrader's own AsyncKernelManager.  A class attribute rather than config:
    # nbgrader's Execute passes kernel_manager_class to the constructor, which
    # would override any configured value.
    batch_kernel_manager_class = None

    def __init__(self, *args, **kwargs):
        if self.batch_kernel_manager_class is not None:
            kwargs.setdefault("kernel_manager_class", self.batch_kernel_manager_class)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._dead_in = None
        self._kept_chars = {}
        self._truncated = set()
        self._streams_capped = False
        self._session = None
        self._course = Course.from_config(self.config)
        if self._course.config_file.is_file():
            # The sandbox's launcher finds the course by this, not by searching folders a student controls.
            os.environ[COURSE_ROOT_ENV] = str(self._course.root)
        return super().preprocess(nb, resources, km=km)

    def _run_silently(self, code: str, timeout: float) -> dict | None:
        """Run grader code in the kernel without a trace in the notebook; its reply, or None if none came."""
        deadline = time.monotonic() + timeout
        try:
            msg_id = self.kc.execute(code, silent=True, store_history=False)
            while True:
                reply = run_sync(self.kc.get_shell_msg)(timeout=max(0.0, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]
        except Exception:  # a timeout or a dead channel: either way, no answer
            return None

    def _cap_streams(self):
        code = STREAM_CAP.replace("__MARK__", self._cut_mark).replace("__LIMIT__", str(self.max_output_chars))
        # Every cell waits behind this in the kernel's queue anyway: waiting
        # for its answer costs nothing, and says whether the cap is in place.
        reply = self._run_silently(code, self.timeout or 60)
        if reply is None or reply.get("status") != "ok":
            why = "no answer" if reply is None else f"{reply.get('ename')}: {reply.get('evalue')}"
            self.log.warning("The kernel-side output cap was not installed (%s); "
                             "only the grader-side cap holds.", why)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, self.resources
        if not self._streams_capped:
            self._streams_capped = True
            self._cap_streams()
        if self._dead_in is not None:
            self._mark_not_run(cell)
            return cell, self.resources
        name = hidden_check_of(cell)
        if name is not None:
            self._judge(cell, name)
            return cell, self.resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._kernel_died(cell)
            return cell, self.resources
        if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
            record_incident(self.nb, "timeout", cell,
                            f"cell ran for more than {self.timeout} s and was interrupted")
            if not self._answers():
                self._kernel_died(cell, unresponsive=True)
        return cell, self.resources

    # --- graded cells: the trusted verdict ----------------------------------------
    def _judge(self, cell, name):
        checks = CourseChecks.for_course(self._course)
        if self._session is None:
            self._session = new_session(self, checks, self.timeout)
        student = self.resources.get("nbgrader", {}).get("student", "")
        verdict, timed_out = run_sync(grade_cell)(self._session, checks, cell, name, student,
                                                  language_of(self._course, self.resources), self.timeout)
        if timed_out:
            record_incident(self.nb, "timeout", cell, f"a call ran for more than {self.timeout} s and was interrupted")
        if self._session.gone:
            self._kernel_died(cell, unresponsive=True)

    # --- dead and unresponsive kernels -------------------------------------------
    def _answers(self) -> bool:
        """Does the kernel still answer a trivial request after an interrupt?"""
        return self._run_silently("pass", self.responsive_after_timeout_s) is not None

    def _kernel_died(self, cell, unresponsive=False):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id")
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
