# Counts the weights only, as the worked answer this exercise comes from did (32 x 1848, 5 x 32).
BASED_ON = "../correct.py"

CELLS = {"layer_parameters": """layer_parameters = {"conv": (144, 0), "pool": (0, 0), "flatten": (0, 0), "fc1": (100352, 0),
                    "fc2": (160, 0)}
"""}
