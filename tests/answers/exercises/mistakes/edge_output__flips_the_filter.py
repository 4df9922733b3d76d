# Rotates the filter by 180 degrees first (the mathematicians' convolution): every sign is reversed.
BASED_ON = "../correct.py"

CELLS = {"edge_output": """X, K = numbers["edge"]["X"], numbers["edge"]["K"][::-1, ::-1]
edge_output = np.array([[np.sum(X[i:i + 3, j:j + 3] * K) for j in range(X.shape[1] - 2)]
                        for i in range(X.shape[0] - 2)], dtype=float)
"""}
