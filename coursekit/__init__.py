"""Tools for the "Convolutional Neural Networks: Step by Step" nbgrader course.

The modules follow the pipeline, in order:
master notebook -> language notebooks -> nbgrader -> grades -> report.
"""
from pathlib import Path

#: The course root: the folder that holds nbgrader_config.py.
COURSE_ROOT = Path(__file__).resolve().parent.parent

#: The nbgrader assignment that the English master notebook lives in.
MASTER_ASSIGNMENT = "cnn_step_by_step"
NOTEBOOK_NAME = "cnn_step_by_step"
