# Counts the weights only, as the worked answer this exercise comes from did.
BASED_ON = "../correct.py"

CELLS = {"layer_parameters": """net = numbers["network"]
layer_parameters = {"conv": (net["f"] * net["f"] * net["channels"] * net["filters"], 0), "pool": (0, 0),
                    "flatten": (0, 0), "fc1": (layer_shapes["flatten"] * net["fc1"], 0),
                    "fc2": (net["fc1"] * net["fc2"], 0)}
"""}
