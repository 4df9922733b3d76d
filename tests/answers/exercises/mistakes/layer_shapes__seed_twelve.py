# The CONV size of the worked answer this exercise comes from, 12 x 12, pooled to 6 x 6; the
# parameter counts follow from that flatten size.
BASED_ON = "../correct.py"

CELLS = {"layer_shapes": """layer_shapes = {"conv": (12, 12, 16), "pool": (6, 6, 16), "flatten": 576, "fc1": 32, "fc2": 5}
""", "layer_parameters": """layer_parameters = {"conv": (144, 16), "pool": (0, 0), "flatten": (0, 0), "fc1": (576 * 32, 32),
                    "fc2": (160, 5)}
"""}
