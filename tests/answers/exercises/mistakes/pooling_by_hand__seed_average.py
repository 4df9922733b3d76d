# The bottom-left average of the worked answer this exercise comes from: (8 + 2 + 1 + 3) / 4 is 3.5, not 3.25.
BASED_ON = "../correct.py"

CELLS = {"pooling_by_hand": """max_pooled = np.array([[7.0, 9.0], [8.0, 5.0]])
average_pooled = np.array([[4.0, 4.5], [3.25, 3.25]])
"""}
