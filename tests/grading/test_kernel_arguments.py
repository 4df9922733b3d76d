"""The grading stage hands the course's facts to every kernel it starts, as an argument: nbclient sets the
stage's options again from the config when a notebook's run begins, so they are added where the kernel is
started, not before."""

import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager

from coursekit.grading.contained_execute import ContainedExecute
from coursekit.grading.sandbox.facts import FACTS_ARG, take_facts
from scratch import COURSE


class Recorded(Exception):
    pass


class RecordingKernelManager(AsyncKernelManager):
    """Records the arguments a kernel would be started with, and starts none."""

    started: list = []

    async def start_kernel(self, **kwargs):
        RecordingKernelManager.started.append(list(kwargs.get("extra_arguments") or []))
        raise Recorded


def test_is_every_kernel_told_the_courses_facts(tmp_path):
    """Does the kernel of a notebook get the configured arguments and the course's facts (root, student folders,
    protected paths, sandbox options), also when the stage has run a notebook before?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    stage = ContainedExecute(config=COURSE.config, kernel_manager_class=RecordingKernelManager)
    RecordingKernelManager.started.clear()
    for _ in range(2):
        with pytest.raises(Recorded):
            stage.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert len(RecordingKernelManager.started) == 2
    for arguments in RecordingKernelManager.started:
        configured = [a for a in arguments if not a.startswith(FACTS_ARG)]
        assert configured == list(COURSE.config.ContainedExecute.get("extra_arguments", []))
        facts, _rest = take_facts(arguments)
        assert [a for a in arguments if a.startswith(FACTS_ARG)] and facts.root == str(COURSE.root)
        assert sorted(facts.student_trees) == sorted(COURSE.student_trees)
        assert facts.secrets and facts.options


def test_does_a_batch_worker_give_its_warm_kernels_to_the_grading_stage_only():
    """Does a worker build the grading stage with its warm kernel manager, other stages as configured, and leave
    ContainedExecute itself as it was (no process-wide setting)?"""
    from nbgrader.preprocessors import ClearOutput

    from coursekit.grading.batch.execute import Worker
    from coursekit.grading.sandbox.warm_kernels import WarmKernelManager

    worker = object.__new__(Worker)
    worker.kernel_manager_class = WarmKernelManager
    assert worker._stage(ContainedExecute, COURSE.config).kernel_manager_class is WarmKernelManager
    assert isinstance(worker._stage(ClearOutput, COURSE.config), ClearOutput)
    assert ContainedExecute(config=COURSE.config).kernel_manager_class is not WarmKernelManager
    worker.kernel_manager_class = None
    assert worker._stage(ContainedExecute, COURSE.config).kernel_manager_class is not WarmKernelManager
