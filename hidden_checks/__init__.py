"""The hidden checks of "Convolutional Neural Networks: Step by Step": grader-only.

One module per graded cell, named for the check that cell's hidden region
names (``# hidden check: conv_forward``).  A module that grades a function
defines ``FUNCTION``, the function the grader calls in the student's kernel,
``HELPERS``, the helpers the grader answers for while it runs, and
``cases(rng)``, the hidden cases; ``rng(i)`` is case *i*'s random generator,
seeded from the grader's secret and the student.  A module that grades an
exercise defines ``ANSWERS``, the variables it reads (and ``OPTIONAL``, those
that may be missing), ``NUMBERS``, the key of its exercise in the student's
numbers (``cnn_checklib/numbers.py``, drawn for the submission's student id
and the course's public salt), and ``cases(rng, numbers)``, which judges the
answers against those numbers.  Each case is a ``cnn_checklib.Case``
whose checks judge what came back, as data, in the grader's process.

To add a hidden check: add a case to the module of its cell (or a module for
a new cell, listed in ``CHECKS``), and a test to ``tests/hidden_checks/``
that runs it against the reference and against a mistake it must catch.

This package is never copied into release/, autograded/ or feedback/, never
imported in a student's kernel, and no sandbox can see it.  It imports the
master's check library ``cnn_checklib`` (the grader puts the master folder on its path).
"""
#: The hidden check of every autograded cell: {check name: module name}.
CHECKS = {name: f"{__name__}.{name}" for name in (
    "zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
    "create_mask_from_window", "distribute_value", "pool_backward",
    "edge_output", "layer_shapes", "layer_parameters", "one_by_one", "gap_backprop", "pooling_by_hand",
)}

