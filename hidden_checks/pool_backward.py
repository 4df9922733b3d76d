"""Hidden checks of pool_backward (graded cell test_pool_backward): the shapes of the pool_forward checks, in both
modes, against the reference.  The reference's gradients are checked against central differences of the
forward pass on these very cases by the project's tests (tests/hidden_checks/test_hidden_checks.py).

The student's pool_backward gets the grader's create_mask_from_window and
distribute_value while it runs.
"""

import cnn_checklib as check
from cnn_checklib import Case

from .common import diagnoser, distinct_values, pool_label, sampled_entries
from .pool_forward import SHAPES
from .references import pool_backward as reference
from .references import pool_forward

FUNCTION = "pool_backward"
HELPERS = ("create_mask_from_window", "distribute_value")


def helper_calls(dA, cache, mode="max"):
    """The helper calls of the usual loops: a mask of every window (max), a share of every gradient (average)."""
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    if mode == "max":
                        yield "create_mask_from_window", (A_prev[i, h * stride:h * stride + f,
                                                                 w * stride:w * stride + f, c],)
                    else:
                        yield "distribute_value", (dA[i, h, w, c], (f, f))


def cases(rng):
    out = []
    for index, (shape, f, stride) in enumerate(SHAPES):
        r = rng(index)
        A = distinct_values(r, shape)
        hp = {"f": f, "stride": stride}
        for mode in ("max", "average"):
            dA = r.randn(*pool_forward(A, hp, mode).shape)

            sampled_entries(r, A.size)  # drawn and unused: every student's later inputs stay what they were

            def judge(outcome, A=A, hp=hp, mode=mode, dA=dA.copy()):
                dA_prev = outcome.value
                check.expect_close("dA_prev", dA_prev, reference(dA, (A, hp), mode), atol=1e-9, show_values=False)
                check.expect_unchanged("dA", dA, outcome.args_after[0])

            out.append(Case((dA, (A, hp)), [judge], {"mode": mode}, label=pool_label(shape, hp, mode),
                            diagnose=diagnoser(FUNCTION, (dA, (A, hp)), {"mode": mode}, reference(dA, (A, hp), mode))))
    return out
