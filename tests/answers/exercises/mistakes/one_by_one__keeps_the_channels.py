# Keeps the input channels: one output channel per filter is forgotten.
BASED_ON = "../correct.py"

CELLS = {"one_by_one": """side = numbers["one_by_one"]["height"]
one_by_one_shape = (side, side, numbers["one_by_one"]["channels"])
one_by_one_reason = 2
"""}
