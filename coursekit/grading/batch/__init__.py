"""Batch grading: every submission, on parallel workers (local or a Dask cluster), one gradebook writer."""
from .record import Result
from .run import print_summary, run_batch

__all__ = ["Result", "print_summary", "run_batch"]
