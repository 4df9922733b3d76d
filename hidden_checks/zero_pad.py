"""Hidden checks of zero_pad (graded cell test_zero_pad): pad 0, a batch of one, non-square images."""
import cnn_checklib as check
from cnn_checklib import Case, Message, _

from .references import zero_pad as reference

FUNCTION = "zero_pad"
HELPERS = ()
#: (X's shape, pad)
SHAPES = [((2, 3, 5, 4), 3), ((1, 4, 4, 1), 0), ((3, 2, 6, 2), 1)]


def cases(rng):
    out = []
    for index, (shape, pad) in enumerate(SHAPES):
        X = rng(index).randn(*shape)

        def judge(outcome, X=X.copy(), pad=pad):
            check.expect_close("X_pad", outcome.value, reference(X, pad), show_values=False)
            check.expect_unchanged("X", X, outcome.args_after[0])

        out.append(Case((X, pad), [judge], label=Message(_("input {shape}, pad={pad}"), shape=shape, pad=pad)))
    return out
