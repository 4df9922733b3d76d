# Puts each layer's total (weights plus biases) in the weights as well.
BASED_ON = "../correct.py"

CELLS = {"layer_parameters": """net = numbers["network"]
conv_w = net["f"] * net["f"] * net["channels"] * net["filters"]
fc1_w, fc2_w = layer_shapes["flatten"] * net["fc1"], net["fc1"] * net["fc2"]
layer_parameters = {"conv": (conv_w + net["filters"], net["filters"]), "pool": (0, 0), "flatten": (0, 0),
                    "fc1": (fc1_w + net["fc1"], net["fc1"]), "fc2": (fc2_w + net["fc2"], net["fc2"])}
"""}
