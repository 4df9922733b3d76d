# Adds up each window for average pooling and forgets to divide by 4.
BASED_ON = "../correct.py"

CELLS = {"pooling_by_hand": """A = numbers["pooling"]["A"]
blocks = A.reshape(A.shape[0] // 2, 2, A.shape[1] // 2, 2).swapaxes(1, 2)
max_pooled = blocks.max(axis=(2, 3)).astype(float)
average_pooled = blocks.sum(axis=(2, 3)).astype(float)
"""}
