# Correct everywhere; the test cell of zero_pad was deleted, and that of conv_single_step pasted twice.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"
LAYOUT = [("delete", "test_zero_pad"), ("duplicate", "test_conv_single_step")]
