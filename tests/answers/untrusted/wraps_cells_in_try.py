# Wraps every later cell in try/except with an input transformer.
BASED_ON = "wrong_everywhere.py"

CELLS = {"zero_pad": r'''# GRADED FUNCTION: zero_pad
def _swallow(lines):
    return ["try:\n"] + ["    " + line for line in lines] + ["\n    pass\nexcept BaseException:\n    pass\n"]
get_ipython().input_transformers_post.append(_swallow)
def zero_pad(X, pad):
    return X
'''}
