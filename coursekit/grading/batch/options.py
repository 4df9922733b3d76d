"""The options of ``coursekit grade`` (``c.BatchGrade.*`` in nbgrader_config.py)."""
from traitlets import Bool, Float, Integer, Unicode
from traitlets.config import Configurable


class BatchGrade(Configurable):
    """Options of ``coursekit grade``: how many workers, where, and what is kept."""

    workers = Integer(
        0, min=0, help="Local worker processes grading at once; 0 means one per CPU core.",
    ).tag(config=True)

    scheduler = Unicode(
        "", help="Address of a Dask distributed scheduler (tcp://host:8786) to send the submissions to; each "
                 "Dask worker grades in its own sandbox on its own machine. Empty: grade with local workers.",
    ).tag(config=True)

    worker_course_root = Unicode(
        "", help="Where the course is on the Dask workers' machines (a copy of the same commit); empty: the "
                 "same path as here.",
    ).tag(config=True)

    attempts = Integer(
        2, min=1, help="How many times a submission is tried when its local worker dies or hangs while grading "
                       "it; after the last, it is reported as failed (and graded by nobody). On a Dask cluster the "
                       "scheduler decides: distributed.scheduler.allowed-failures + 1 tries.",
    ).tag(config=True)

    notebook_timeout_s = Float(
        600.0, min=10.0, help="A worker that works on one submission longer than this is killed (its cells "
                              "have their own, shorter, c.Execute.timeout); the submission is tried again. A "
                              "Dask worker ends its own process.",
    ).tag(config=True)

    record_group = Integer(
        50, min=1, help="Results recorded in one gradebook transaction, at most. The coordinator records what the "
                        "workers sent back in groups, beside the loop that hands out submissions; a result is "
                        "reported recorded once its group committed.",
    ).tag(config=True)

    record_wait_s = Float(
        1.0, min=0.0, help="Seconds the first result of a group waits for others before the group is recorded.",
    ).tag(config=True)

    backup_directory = Unicode(
        "backups", help="Where an SQLite gradebook is copied before each batch (relative to the course root). "
                        "A PostgreSQL gradebook is not copied: back it up with pg_dump.",
    ).tag(config=True)

    keep_backups = Integer(
        20, min=0, help="How many gradebook backups to keep, the newest; older ones are deleted. 0 keeps none "
                        "(no backup is made).",
    ).tag(config=True)

    staging_directory = Unicode(
        ".grading", help="Where submissions are staged and the grading folders are made (relative to the course "
                         "root); submitted/ itself is never modified.",
    ).tag(config=True)

    warm_kernels = Bool(
        True, help="Run each worker's notebooks on warm sandboxed kernels: one long-lived bubblewrap sandbox per "
                   "worker, whose zygote has imported ipykernel, numpy, matplotlib and h5py, forks a fresh kernel "
                   "for every submission and is cleaned after it (the isolation of the cnn-sandbox kernel). False "
                   "starts a cold cnn-sandbox kernel per notebook, as plain `nbgrader autograde` does.",
    ).tag(config=True)
