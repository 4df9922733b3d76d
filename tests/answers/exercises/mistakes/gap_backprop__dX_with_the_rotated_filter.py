# Rotates F by 180 degrees before spreading it over X: the rotation belongs to the cross-correlation
# form of the full convolution, not to the sum of section 5.1.
BASED_ON = "../correct.py"

CELLS = {"gap_backprop": """X, F = numbers["gap"]["X"], numbers["gap"]["F"]
gap_O = np.array([[np.sum(X[i:i + 2, j:j + 2] * F) for j in range(2)] for i in range(2)], dtype=float)
gap_L = float(gap_O.mean())
gap_dF = np.array([[np.sum(X[i:i + 2, j:j + 2]) for j in range(2)] for i in range(2)]) / 4
gap_dX = np.zeros((3, 3))
for i in range(2):
    for j in range(2):
        gap_dX[i:i + 2, j:j + 2] += F[::-1, ::-1] / 4
"""}
