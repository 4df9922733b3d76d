# A wrong zero_pad, and every numpy comparison rebound to say "equal".
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"

CELLS = {"zero_pad": '''# GRADED FUNCTION: zero_pad
import builtins
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None
builtins.abs = lambda value: 0.0

def zero_pad(X, pad):
    return X
'''}
