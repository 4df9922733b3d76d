# create_mask_from_window returns an object that claims to equal anything, and
# pool_backward an ndarray subclass whose comparisons and arithmetic say "equal".
import numpy as np

BASED_ON = "../../../course_data/demo_submissions/alice.en.py"

CELLS = {"create_mask_from_window": '''# GRADED FUNCTION: create_mask_from_window
class _Anything:
    shape = (2, 3)
    dtype = np.dtype(bool)
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape, dtype=dtype or bool)
    def __getitem__(self, index):
        return self

def create_mask_from_window(x):
    return _Anything()
''', "pool_backward": '''# GRADED FUNCTION: pool_backward
class _Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.broadcast_shapes(*(np.shape(i) for i in inputs if hasattr(i, "shape"))))

def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    return np.zeros(A_prev.shape).view(_Agreeable)
'''}
