# Adds up each window for average pooling and forgets to divide by 4.
BASED_ON = "../correct.py"

CELLS = {"pooling_by_hand": """max_pooled = np.array([[7.0, 9.0], [8.0, 5.0]])
average_pooled = np.array([[16.0, 18.0], [14.0, 13.0]])
"""}
