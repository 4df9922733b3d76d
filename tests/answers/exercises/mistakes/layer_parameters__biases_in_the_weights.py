# Puts each layer's total (weights plus biases) in the weights as well.
BASED_ON = "../correct.py"

CELLS = {"layer_parameters": """layer_parameters = {"conv": (160, 16), "pool": (0, 0), "flatten": (0, 0), "fc1": (100384, 32),
                    "fc2": (165, 5)}
"""}
