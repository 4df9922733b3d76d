# Takes the 1 x 1 convolution for a pooling layer.
BASED_ON = "../correct.py"

CELLS = {"one_by_one": """side = numbers["one_by_one"]["height"]
one_by_one_shape = (side, side, numbers["one_by_one"]["filters"])
one_by_one_reason = 1
"""}
