# Replaces run_cell so that every later cell's error is dropped.
BASED_ON = "wrong_everywhere.py"

CELLS = {"zero_pad": r'''# GRADED FUNCTION: zero_pad
_shell = get_ipython()
_run_cell = _shell.run_cell
def _quiet_run_cell(raw_cell, *args, **kwargs):
    try:
        return _run_cell("try:\n" + "".join("    " + l + "\n" for l in raw_cell.splitlines()) + "    pass\nexcept BaseException:\n    pass\n", *args, **kwargs)
    except BaseException:
        return None
_shell.run_cell = _quiet_run_cell
def zero_pad(X, pad):
    return X
'''}
