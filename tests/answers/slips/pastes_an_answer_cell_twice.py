# Correct everywhere; the conv_forward answer cell was pasted twice (the same code in both copies).
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"
LAYOUT = [("duplicate", "conv_forward")]
