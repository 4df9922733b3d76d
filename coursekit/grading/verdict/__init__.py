"""The trusted verdict: the student's functions run in the sandboxed kernel on inputs the grader chooses;
their results come back as data, and the grader judges them in its own process.
"""

#: The error name of a graded cell's failing verdict (the cell's one error output).
FAILED = "CheckFailed"
