"""Hidden checks of conv_single_step (graded cell test_conv_single_step): windows of other sizes and depths."""
import cnn_checklib as check
from cnn_checklib import Case, Message, _

from .common import diagnoser
from .references import conv_single_step as reference

FUNCTION = "conv_single_step"
HELPERS = ()
SHAPES = [(3, 3, 4), (5, 5, 1), (2, 2, 7)]


def cases(rng):
    out = []
    for index, shape in enumerate(SHAPES):
        r = rng(index)
        a, W, b = r.randn(*shape), r.randn(*shape), r.randn(1, 1, 1)

        def judge(outcome, kept=(a.copy(), W.copy(), b.copy())):
            check.expect_scalar("Z", outcome.value, reference(*kept), atol=1e-9)
            for name, before, after in zip(("a_slice_prev", "W", "b"), kept, outcome.args_after):
                check.expect_unchanged(name, before, after)

        out.append(Case((a, W, b), [judge], label=Message(_("window {shape}"), shape=shape),
                        diagnose=diagnoser(FUNCTION, (a, W, b), {}, reference(a, W, b))))
    return out
