# Flattens 14 x 14 and forgets the 16 channels; FC1 is counted from that size.
BASED_ON = "../correct.py"

CELLS = {"layer_shapes": """layer_shapes = {"conv": (28, 28, 16), "pool": (14, 14, 16), "flatten": 196, "fc1": 32, "fc2": 5}
""", "layer_parameters": """layer_parameters = {"conv": (144, 16), "pool": (0, 0), "flatten": (0, 0), "fc1": (196 * 32, 32),
                    "fc2": (160, 5)}
"""}
