# Rebinds every function of the visible-check module to one that passes.
BASED_ON = "wrong_everywhere.py"

CELLS = {"zero_pad": r'''# GRADED FUNCTION: zero_pad
import sys
checks = sys.modules["cnn_checks"]
for _name in dir(checks):
    if callable(getattr(checks, _name)) and not _name.startswith("__"):
        setattr(checks, _name, lambda *args, **kwargs: None)
def zero_pad(X, pad):
    return X
'''}
