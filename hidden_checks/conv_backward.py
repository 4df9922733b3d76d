"""Hidden checks of conv_backward (graded cell test_conv_backward): the shapes of the conv_forward checks,
against the reference.  The reference's gradients are checked against central differences of the forward
pass on these very cases by the project's tests (tests/hidden_checks/test_hidden_checks.py), once, not on
every submission.

The student's conv_backward gets the grader's zero_pad while it runs.
"""
import numpy as np

import cnn_checklib as check
from cnn_checklib import Case, _

from .common import diagnoser, conv_label
from .conv_forward import SHAPES, conv_inputs
from .references import conv_backward as reference
from .references import conv_forward

FUNCTION = "conv_backward"
HELPERS = ("zero_pad",)


def helper_calls(dZ, cache):
    """The helper calls of the usual loops: zero_pad of A_prev and of the zeros of dA_prev."""
    A_prev, W, b, hparameters = cache
    yield "zero_pad", (A_prev, hparameters["pad"])
    yield "zero_pad", (np.zeros(A_prev.shape), hparameters["pad"])


def cases(rng):
    out = []
    for index, (shape, f, n_C, pad, stride) in enumerate(SHAPES):
        r = rng(index)
        A, W, b, hp = conv_inputs(r, shape, f, n_C, pad, stride)
        dZ = r.randn(*conv_forward(A, W, b, hp).shape)

        def judge(outcome, A=A, W=W, b=b, hp=hp, dZ=dZ.copy()):
            grads = check.expect_tuple("conv_backward", outcome.value, 3,
                                       _("conv_backward should return (dA_prev, dW, db)."))
            for name, got, want in zip(("dA_prev", "dW", "db"), grads, reference(dZ, (A, W, b, hp))):
                check.expect_close(name, got, want, atol=1e-8, show_values=False)
            check.expect_unchanged("dZ", dZ, outcome.args_after[0])

        out.append(Case((dZ, (A, W, b, hp)), [judge], label=conv_label(shape, f, hp),
                        diagnose=diagnoser(FUNCTION, (dZ, (A, W, b, hp)), {}, reference(dZ, (A, W, b, hp)))))
    return out
