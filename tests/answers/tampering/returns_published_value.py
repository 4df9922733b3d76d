# conv_single_step hard-codes the published expected value of the visible check.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def conv_single_step(a_slice_prev, W, b):
    return -6.99908945068
