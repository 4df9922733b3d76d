# conv_forward never returns: only its test cell may lose points.
BASED_ON = "../demo_submissions/alice.en.py"


def conv_forward(A_prev, W, b, hparameters):
    while True:
        pass
