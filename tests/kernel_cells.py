"""Running a few code cells in a given kernel and reading what they printed."""
import json
import textwrap
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(textwrap.dedent(s)) for s in sources])


def execute(nb, cwd: Path, timeout: int = 60, **options):
    """Execute *nb* in *cwd*; *options* name the kernel (kernel_name, kernel_manager_class, ...)."""
    client = NotebookClient(nb, timeout=timeout, allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}}, **options)
    client.execute()
    return nb


def run(cwd: Path, *sources: str, **options) -> list:
    """Run cells in a fresh kernel; the last JSON line each cell printed."""
    nb = execute(notebook(*sources), cwd, **options)
    return [printed(cell) for cell in nb.cells]


def printed(cell):
    text = "".join(o.text for o in cell.outputs
                   if o.output_type == "stream" and o.name == "stdout").strip()
    errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
    assert text, f"cell printed nothing; errors: {errors}"
    return json.loads(text.splitlines()[-1])
