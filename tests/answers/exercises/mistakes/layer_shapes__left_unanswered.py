# Exercise 10 left as released: exercise 11, which reads its flatten size, must still get its points.
BASED_ON = "../correct.py"

CELLS = {"layer_shapes": """layer_shapes = {"conv": None, "pool": None, "flatten": None, "fc1": None, "fc2": None}
"""}
