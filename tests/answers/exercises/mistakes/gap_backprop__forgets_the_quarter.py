# Sums O instead of averaging it: L and both gradients are four times too large.
BASED_ON = "../correct.py"

CELLS = {"gap_backprop": """gap_O = np.array([[5.0, 4.0], [2.0, 3.0]])
gap_L = 14.0
gap_dF = np.array([[7.0, 5.0], [6.0, 6.0]])
gap_dX = np.array([[1.0, 0.0, -1.0], [3.0, 2.0, -1.0], [2.0, 2.0, 0.0]])
"""}
