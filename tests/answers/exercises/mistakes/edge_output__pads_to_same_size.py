# Pads the image with zeros as in a "same" convolution, although the exercise says no padding.
BASED_ON = "../correct.py"

CELLS = {"edge_output": """X, K = np.pad(numbers["edge"]["X"], 1), numbers["edge"]["K"]
edge_output = np.array([[np.sum(X[i:i + 3, j:j + 3] * K) for j in range(X.shape[1] - 2)]
                        for i in range(X.shape[0] - 2)], dtype=float)
"""}
