# Forgets the "+ 1" of the output-size formula for CONV: 27 x 27, which pooling makes 13 x 13. The
# parameter counts follow from these sizes: exercise 11 must not lose its points for the same mistake.
BASED_ON = "../correct.py"

CELLS = {"layer_shapes": """layer_shapes = {"conv": (27, 27, 16), "pool": (13, 13, 16), "flatten": 2704, "fc1": 32, "fc2": 5}
""", "layer_parameters": """layer_parameters = {"conv": (144, 16), "pool": (0, 0), "flatten": (0, 0), "fc1": (2704 * 32, 32),
                    "fc2": (160, 5)}
"""}
