# Correct answers to the exercises on paper, in forms other than the demo's: int arrays, numpy integers
# from np.prod, a numpy float from .mean(); each computed from the numbers the notebook shows (the dict
# numbers), so that they are right for whichever student they are graded as.
# The functions and the written answers come from the demo's correct student.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"

CELLS = {
    "edge_output": """X, K = numbers["edge"]["X"], numbers["edge"]["K"]
edge_output = np.array([[np.sum(X[i:i + 3, j:j + 3] * K) for j in range(X.shape[1] - 2)]
                        for i in range(X.shape[0] - 2)])
""",
    "layer_shapes": """net = numbers["network"]
conv = (net["size"] + 2 * net["pad"] - net["f"]) // net["stride"] + 1
pool = (conv - net["pool_f"]) // net["pool_stride"] + 1
layer_shapes = {"conv": (conv, conv, net["filters"]), "pool": (pool, pool, net["filters"]),
                "flatten": int(np.prod((pool, pool, net["filters"]))), "fc1": net["fc1"], "fc2": net["fc2"]}
""",
    "layer_parameters": """net = numbers["network"]
layer_parameters = {
    "conv": (np.prod((net["f"], net["f"], net["channels"], net["filters"])), net["filters"]),
    "pool": (0, 0),
    "flatten": (0, 0),
    "fc1": (np.prod((layer_shapes["flatten"], net["fc1"])), net["fc1"]),
    "fc2": (np.prod((net["fc1"], net["fc2"])), net["fc2"]),
}
""",
    "one_by_one": """one_by_one_shape = (numbers["one_by_one"]["height"],) * 2 + (numbers["one_by_one"]["filters"],)
one_by_one_reason = 2
""",
    "gap_backprop": """X, F = numbers["gap"]["X"], numbers["gap"]["F"]
gap_O = np.array([[np.sum(X[i:i + 2, j:j + 2] * F) for j in range(2)] for i in range(2)])
gap_L = gap_O.mean()
gap_dF = np.array([[np.sum(X[i:i + 2, j:j + 2]) for j in range(2)] for i in range(2)]) / 4
gap_dX = np.zeros((3, 3))
for i in range(2):
    for j in range(2):
        gap_dX[i:i + 2, j:j + 2] += F / 4
""",
    "pooling_by_hand": """A = numbers["pooling"]["A"]
blocks = A.reshape(A.shape[0] // 2, 2, A.shape[1] // 2, 2).swapaxes(1, 2)
max_pooled = blocks.max(axis=(2, 3))
average_pooled = blocks.mean(axis=(2, 3))
""",
}
