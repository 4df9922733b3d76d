# Flattens the pooled height and width and forgets the channels; FC1 is counted from that size.
BASED_ON = "../correct.py"

CELLS = {"layer_shapes": """net = numbers["network"]
conv = (net["size"] + 2 * net["pad"] - net["f"]) // net["stride"] + 1
pool = (conv - net["pool_f"]) // net["pool_stride"] + 1
layer_shapes = {"conv": (conv, conv, net["filters"]), "pool": (pool, pool, net["filters"]), "flatten": pool * pool,
                "fc1": net["fc1"], "fc2": net["fc2"]}
"""}
