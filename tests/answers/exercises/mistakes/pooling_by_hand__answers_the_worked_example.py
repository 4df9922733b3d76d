# The results of the worked example's 4 x 4 input instead of the student's own A.
BASED_ON = "../correct.py"

CELLS = {"pooling_by_hand": """max_pooled = np.array([[7.0, 9.0], [8.0, 5.0]])
average_pooled = np.array([[4.0, 4.5], [3.5, 3.25]])
"""}
