"""(Kept for the modules that still import it; the course object's loader is the one to use.)"""
from .course import load_config  # noqa: F401
