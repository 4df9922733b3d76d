# Rotates F by 180 degrees before spreading it over X: the rotation belongs to the cross-correlation
# form of the full convolution, not to the sum of section 5.1.
BASED_ON = "../correct.py"

CELLS = {"gap_backprop": """gap_O = np.array([[5.0, 4.0], [2.0, 3.0]])
gap_L = 3.5
gap_dF = np.array([[1.75, 1.25], [1.5, 1.5]])
gap_dX = np.array([[0.0, 2.0, 2.0], [-1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]]) / 4
"""}
