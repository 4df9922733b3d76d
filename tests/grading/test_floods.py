"""An output flood costs its own cells only, in cold and warm kernels, every time.

The hostile answer whose create_mask_from_window prints 200 MB is called in
two cells, run as autograding runs them (``ContainedExecute``), between cells
that read the kernel's memory.  IPython 9 kept a copy of every write for the
kernel's whole life, outside the cap, until the memory limit made
allocations fail anywhere: now and then a later cell, or the kernel, went
down with it.
"""
import json
import textwrap
from pathlib import Path

import nbformat
import pytest

from coursekit.grading.contained_execute import CUT_MARK, ContainedExecute
from coursekit.grading.sandbox import warm_kernels
from coursekit.grading.sandbox.kernelspec import install_kernelspec
from coursekit.course import Course
from coursekit.grading.sandbox.options import KERNEL_NAME
from scratch import ANSWERS

pytestmark = pytest.mark.slow

FLOOD_ANSWER = ANSWERS / "hostile" / "floods_the_output.py"
RSS = """
import json
def rss_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
before = rss_mib()
print(json.dumps({"rss_mib": before}))
"""
FLOOD = "import numpy as np\nmask = create_mask_from_window(np.array([[1.0, 3.0, 2.0], [0.0, 5.0, 4.0]]))"
AFTER = 'print(json.dumps({"mask": mask.tolist(), "rss_growth_mib": rss_mib() - before}))'
LIMIT = 100_000


def flood_notebook():
    sources = [RSS, FLOOD_ANSWER.read_text(), FLOOD, FLOOD, AFTER]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(s)) for s in sources])


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder whose submission folder the kernels run in."""
    root = tmp_path_factory.mktemp("flood-course")
    (root / "nbgrader_config.py").write_text("c = get_config()\nc.SandboxKernel.memory_limit_mb = 512\n")
    folder = root / "autograded" / "alice" / "hw"
    folder.mkdir(parents=True)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755)
    prefix = tmp_path_factory.mktemp("jupyter-prefix")
    install_kernelspec(prefix)
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    yield folder
    patch.undo()
    warm_kernels.close_all()


def contained(folder: Path, warm: bool):
    nb = flood_notebook()
    options = {"kernel_manager_class": warm_kernels.WarmKernelManager} if warm else {}
    # The grader tells the kernel's launcher the course's facts, from the course it grades.
    config = Course.load(folder.parents[2]).config
    ContainedExecute(config=config, timeout=60, kernel_name=KERNEL_NAME, **options).preprocess(
        nb, {"metadata": {"path": str(folder)}})
    return nb


def check_flood_contained(nb) -> None:
    """Was each flood cut in its own cell, and did the kernel keep nothing of it and go on?"""
    mark = CUT_MARK.replace("__LIMIT__", str(LIMIT))
    for cell in nb.cells[2:4]:
        assert [o.output_type for o in cell.outputs] == ["stream"], cell.outputs
        text = cell.outputs[0].text
        assert text.endswith(mark + "\n") and len(text) <= LIMIT + len(mark) + 2
    after = json.loads(nb.cells[4].outputs[0].text.strip().splitlines()[-1])
    assert after["mask"] == [[False, False, False], [False, True, False]]
    # 400 MB went through print; a kernel that kept them would have died.
    assert after["rss_growth_mib"] < 100, after
    kinds = {(i["kind"], i["cell"]) for i in nb.metadata["coursekit"]["incidents"]}
    assert kinds == {("output_truncated", nb.cells[2].id), ("output_truncated", nb.cells[3].id)}


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_is_an_output_flood_cut_in_its_own_cells(course, warm):
    """Does a 200 MB print flood, run as autograding runs it, cost only its own cells, with nothing of it kept?"""
    check_flood_contained(contained(course, warm))


def test_is_an_output_flood_cut_every_time(course):
    """Is the flood contained in 20 warm kernels in a row?  (It used to take the kernel down now and then.)"""
    for run in range(20):
        try:
            check_flood_contained(contained(course, warm=True))
        except AssertionError as failure:
            raise AssertionError(f"run {run + 1} of 20: {failure}") from failure
