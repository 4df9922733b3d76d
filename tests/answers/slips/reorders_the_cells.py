# Correct everywhere; the cells are in another order: zero_pad is defined after the cells that use it, and two
# test cells are moved to the end.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"
LAYOUT = [("move", "zero_pad", "after", "test_pool_backward"),
          ("move", "test_conv_forward", "after", "test_pooling_by_hand"),
          ("move", "test_zero_pad", "after", "test_conv_forward")]
