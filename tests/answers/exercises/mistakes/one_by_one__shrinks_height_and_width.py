# Takes the 1 x 1 convolution for a pooling layer.
BASED_ON = "../correct.py"

CELLS = {"one_by_one": """one_by_one_shape = (28, 28, 32)
one_by_one_reason = 1
"""}
