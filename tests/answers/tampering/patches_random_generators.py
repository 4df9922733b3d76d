# A conv_single_step that always returns 0, and random generators rebound to
# produce zeros, so that 0 would be the right answer if the checks used them.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"

CELLS = {"conv_single_step": '''# GRADED FUNCTION: conv_single_step
class _Zeros:
    def __init__(self, *args, **kwargs):
        pass
    def randn(self, *shape):
        return np.zeros(shape)
    def seed(self, *args, **kwargs):
        pass

np.random.seed = lambda *args, **kwargs: None
np.random.randn = lambda *shape: np.zeros(shape)
np.random.RandomState = _Zeros
np.random.default_rng = lambda *args, **kwargs: _Zeros()

def conv_single_step(a_slice_prev, W, b):
    return 0.0
'''}
