# Exercise 10 left as released: exercise 11, which reads its flatten size, must still get its points.
BASED_ON = "../correct.py"

CELLS = {"layer_shapes": """layer_shapes = {"conv": None, "pool": None, "flatten": None, "fc1": None, "fc2": None}
""", "layer_parameters": """net = numbers["network"]
conv = (net["size"] + 2 * net["pad"] - net["f"]) // net["stride"] + 1
pool = (conv - net["pool_f"]) // net["pool_stride"] + 1
layer_parameters = {"conv": (net["f"] ** 2 * net["channels"] * net["filters"], net["filters"]), "pool": (0, 0),
                    "flatten": (0, 0), "fc1": (pool * pool * net["filters"] * net["fc1"], net["fc1"]),
                    "fc2": (net["fc1"] * net["fc2"], net["fc2"])}
"""}
