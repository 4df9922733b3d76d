"""Loading the kit's options from the course's nbgrader_config.py.

The kit's own options are traitlets on small Configurable classes, one per
pipeline stage, so that instructors set them in the same file as nbgrader's.
"""
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from . import COURSE_ROOT


def load_config(course_root: Path = COURSE_ROOT) -> Config:
    """Read ``nbgrader_config.py`` in *course_root* into a traitlets Config."""
    path = Path(course_root) / "nbgrader_config.py"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no nbgrader_config.py in the course root")
    loader = PyFileConfigLoader(path.name, path=str(path.parent))
    return loader.load_config()
