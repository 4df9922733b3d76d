"""The ``cnn-sandbox`` kernelspec: how Jupyter clients (nbgrader among them) start the sandboxed kernel."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .mounts import kit_package_dir
from .options import DISPLAY_NAME, KERNEL_NAME

LAUNCHER = "coursekit.grading.sandbox.launcher"


def kernelspec_dict() -> dict:
    """The contents of the ``cnn-sandbox`` kernel.json."""
    return {
        # -P: the launcher starts in the submission's folder; never import from it.
        "argv": [sys.executable, "-P", "-m", LAUNCHER, "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        # ipykernel interrupts itself on an interrupt_request message, which
        # works across the sandbox's pid namespace.
        "interrupt_mode": "message",
        "env": {"PYTHONPATH": str(Path(kit_package_dir()).parent)},
        "metadata": {"debugger": False},
    }


def install_kernelspec(prefix_or_user_dir: str | os.PathLike | None = None) -> str:
    """Write the ``cnn-sandbox`` kernelspec and return its name.

    It goes to ``<prefix>/share/jupyter/kernels/cnn-sandbox``, where *prefix*
    defaults to ``sys.prefix`` (the venv), which ``jupyter kernelspec list``
    searches.  A Jupyter data folder (one that has or should have a
    ``kernels/`` folder, e.g. ``~/.local/share/jupyter``) may be given instead.
    """
    base = Path(prefix_or_user_dir) if prefix_or_user_dir is not None else Path(sys.prefix)
    if (base / "kernels").is_dir() or base.name == "jupyter":
        kernels = base / "kernels"
    else:
        kernels = base / "share" / "jupyter" / "kernels"
    folder = kernels / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(kernelspec_dict(), indent=1) + "\n")
    return KERNEL_NAME
