# Forgets the "+ 1" of the output-size formula for CONV, and pools that size. The parameter counts follow
# from these sizes: exercise 11 must not lose its points for the same mistake.
BASED_ON = "../correct.py"

CELLS = {"layer_shapes": """net = numbers["network"]
conv = (net["size"] + 2 * net["pad"] - net["f"]) // net["stride"]
pool = (conv - net["pool_f"]) // net["pool_stride"] + 1
layer_shapes = {"conv": (conv, conv, net["filters"]), "pool": (pool, pool, net["filters"]),
                "flatten": pool * pool * net["filters"], "fc1": net["fc1"], "fc2": net["fc2"]}
"""}
