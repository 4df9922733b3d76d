# Correct answers to the exercises on paper, in forms other than the demo's:
# int arrays, numpy integers from np.prod, a numpy float from .mean().
# The functions and the written answers come from the demo's correct student.
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"

CELLS = {
    "edge_output": """edge_output = np.array([[-30, 0, 30, 0]] * 3)
""",
    "layer_shapes": """conv = (28 + 2 * 1 - 3) // 1 + 1
pool = (conv - 2) // 2 + 1
layer_shapes = {"conv": (conv, conv, 16), "pool": (pool, pool, 16), "flatten": int(np.prod((pool, pool, 16))),
                "fc1": 32, "fc2": 5}
""",
    "layer_parameters": """layer_parameters = {
    "conv": (np.prod((3, 3, 1, 16)), 16),
    "pool": (0, 0),
    "flatten": (0, 0),
    "fc1": (np.prod((14, 14, 16, 32)), 32),
    "fc2": (np.prod((32, 5)), 5),
}
""",
    "one_by_one": """one_by_one_shape = (28, 28, 32)
one_by_one_reason = 2
""",
    "gap_backprop": """X = np.array([[1, 2, 0], [3, 1, 2], [0, 2, 1]])
F = np.array([[1, -1], [2, 0]])
gap_O = np.array([[np.sum(X[i:i + 2, j:j + 2] * F) for j in range(2)] for i in range(2)])
gap_L = gap_O.mean()
gap_dF = np.array([[np.sum(X[i:i + 2, j:j + 2]) for j in range(2)] for i in range(2)]) / 4
gap_dX = np.zeros((3, 3))
for i in range(2):
    for j in range(2):
        gap_dX[i:i + 2, j:j + 2] += F / 4
""",
    "pooling_by_hand": """A = np.array([[2, 3, 1, 9], [4, 7, 3, 5], [8, 2, 2, 2], [1, 3, 4, 5]])
blocks = A.reshape(2, 2, 2, 2).swapaxes(1, 2)
max_pooled = blocks.max(axis=(2, 3))
average_pooled = blocks.mean(axis=(2, 3))
""",
}
