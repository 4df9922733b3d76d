# Sums O instead of averaging it: L and both gradients are four times too large.
BASED_ON = "../correct.py"

CELLS = {"gap_backprop": """X, F = numbers["gap"]["X"], numbers["gap"]["F"]
gap_O = np.array([[np.sum(X[i:i + 2, j:j + 2] * F) for j in range(2)] for i in range(2)], dtype=float)
gap_L = float(gap_O.sum())
gap_dF = np.array([[np.sum(X[i:i + 2, j:j + 2]) for j in range(2)] for i in range(2)], dtype=float)
gap_dX = np.zeros((3, 3))
for i in range(2):
    for j in range(2):
        gap_dX[i:i + 2, j:j + 2] += F
"""}
