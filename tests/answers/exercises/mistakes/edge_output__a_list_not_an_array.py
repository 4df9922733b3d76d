# The right numbers, as a list of lists: the visible check asks for a numpy array.
BASED_ON = "../correct.py"

CELLS = {"edge_output": """X, K = numbers["edge"]["X"], numbers["edge"]["K"]
edge_output = [[float((X[i:i + 3, j:j + 3] * K).sum()) for j in range(X.shape[1] - 2)] for i in range(X.shape[0] - 2)]
"""}
