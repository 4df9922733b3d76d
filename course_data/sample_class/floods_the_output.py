# create_mask_from_window prints hundreds of megabytes; the output is cut, the grade kept.
BASED_ON = "../demo_submissions/alice.en.py"


def create_mask_from_window(x):
    import numpy as np
    for _ in range(200):
        print("x" * 1_000_000)
    return x == np.max(x)
