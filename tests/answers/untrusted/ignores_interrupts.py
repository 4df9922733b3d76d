# Ignores SIGINT, then loops forever in its first function.
BASED_ON = "wrong_everywhere.py"

CELLS = {"zero_pad": r'''# GRADED FUNCTION: zero_pad
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)


def zero_pad(X, pad):
    while True:
        pass
'''}
