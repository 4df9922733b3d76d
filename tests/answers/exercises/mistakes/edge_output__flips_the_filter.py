# Rotates the filter by 180 degrees first (the mathematicians' convolution): every sign is reversed.
BASED_ON = "../correct.py"

CELLS = {"edge_output": """edge_output = np.array([[30.0, 0.0, -30.0, 0.0]] * 3)
"""}
