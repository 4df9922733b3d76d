# Clears every output after each cell, with IPython's post_run_cell and post_execute events.
BASED_ON = "wrong_everywhere.py"

CELLS = {"zero_pad": r'''# GRADED FUNCTION: zero_pad
from IPython.display import clear_output
get_ipython().events.register("post_run_cell", lambda result: clear_output())
get_ipython().events.register("post_execute", lambda: clear_output())
def zero_pad(X, pad):
    return X
'''}
