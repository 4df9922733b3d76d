"""The trusted verdict: the student's functions run in the sandboxed kernel on inputs the grader chooses;
their results come back as data, and the grader judges them in its own process.
"""
