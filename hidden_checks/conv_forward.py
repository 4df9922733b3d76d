"""Hidden checks of conv_forward (graded cell test_conv_forward): pad 0, stride 2 and 3, non-square, a batch of one.

The student's conv_forward gets the grader's zero_pad and conv_single_step
while it runs, so that a mistake in those costs their own cells only.
"""
import cnn_checklib as check
from cnn_checklib import Case, _

from .common import diagnoser, conv_label
from . import references
from .references import conv_forward as reference

FUNCTION = "conv_forward"
HELPERS = ("zero_pad", "conv_single_step")
#: (A_prev's shape, f, n_C, pad, stride)
SHAPES = [
    ((2, 5, 7, 3), 3, 4, 0, 1),   # pad 0, non-square
    ((1, 6, 5, 2), 2, 3, 1, 2),   # a batch of one, stride 2
    ((3, 7, 6, 3), 3, 2, 2, 3),   # stride 3: the floor in the output size matters
]


def helper_calls(A_prev, W, b, hparameters):
    """The helper calls of the usual loops: zero_pad once, conv_single_step on every window and filter."""
    pad, stride, f = hparameters["pad"], hparameters["stride"], W.shape[0]
    A_pad = references.zero_pad(A_prev, pad)
    yield "zero_pad", (A_prev, pad)
    m, n_H, n_W = A_pad.shape[0], (A_pad.shape[1] - f) // stride + 1, (A_pad.shape[2] - f) // stride + 1
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                window = A_pad[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                for c in range(W.shape[3]):
                    yield "conv_single_step", (window, W[..., c], b[..., c])


def conv_inputs(r, shape, f, n_C, pad, stride):
    return r.randn(*shape), r.randn(f, f, shape[3], n_C), r.randn(1, 1, 1, n_C), {"pad": pad, "stride": stride}


def cases(rng):
    out = []
    for index, (shape, f, n_C, pad, stride) in enumerate(SHAPES):
        A, W, b, hp = conv_inputs(rng(index), shape, f, n_C, pad, stride)

        def judge(outcome, kept=(A.copy(), W.copy(), b.copy(), dict(hp))):
            Z, cache = check.expect_tuple("conv_forward", outcome.value, 2,
                                          _("conv_forward should return the pair (Z, cache)."))
            check.expect_close("Z", Z, reference(*kept), atol=1e-9, show_values=False)
            check.expect_tuple("cache", cache, 4, _("cache should be the tuple (A_prev, W, b, hparameters)."))
            for name, before, after in zip(("cache[0] (A_prev)", "cache[1] (W)", "cache[2] (b)"), kept, cache):
                check.expect_close(name, after, before, atol=0.0, show_values=False)
            if type(cache[3]) is not dict or cache[3] != kept[3]:
                check.fail(_("cache[3] should be the hparameters dictionary."))
            for name, before, after in zip(("A_prev", "W", "b"), kept, outcome.args_after):
                check.expect_unchanged(name, before, after)

        out.append(Case((A, W, b, hp), [judge], label=conv_label(shape, f, hp),
                        diagnose=diagnoser(FUNCTION, (A, W, b, hp), {}, reference(A, W, b, hp))))
    return out
