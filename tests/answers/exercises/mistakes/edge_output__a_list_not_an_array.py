# The right numbers, as a list of lists: the visible check asks for a numpy array.
BASED_ON = "../correct.py"

CELLS = {"edge_output": """edge_output = [[-30, 0, 30, 0]] * 3
"""}
