# pool_forward kills its own kernel: the cells graded before it keep their points.
BASED_ON = "../demo_submissions/alice.en.py"


def pool_forward(A_prev, hparameters, mode="max"):
    import os
    os._exit(3)
