# The sizes of the worked example (28 x 28 images, 16 filters of 3 x 3) instead of the student's own
# network; the parameter counts are the student's, FC1's counted from that flatten size.
BASED_ON = "../correct.py"

CELLS = {"layer_shapes": """layer_shapes = {"conv": (28, 28, 16), "pool": (14, 14, 16), "flatten": 3136, "fc1": 32, "fc2": 5}
"""}
