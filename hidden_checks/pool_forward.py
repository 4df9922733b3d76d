"""Hidden checks of pool_forward (graded cell test_pool_forward): overlapping and disjoint windows, non-square,
a batch of one, in both modes."""
import cnn_checklib as check
from cnn_checklib import Case, _

from .common import diagnoser, distinct_values, pool_label
from .references import pool_forward as reference

FUNCTION = "pool_forward"
HELPERS = ()
#: (A_prev's shape, f, stride)
SHAPES = [
    ((2, 5, 7, 3), 2, 1),   # overlapping windows, non-square
    ((1, 6, 6, 2), 3, 2),   # overlapping windows, a batch of one
    ((3, 4, 6, 1), 2, 2),   # disjoint windows
]


def cases(rng):
    out = []
    for index, (shape, f, stride) in enumerate(SHAPES):
        A = distinct_values(rng(index), shape)
        hp = {"f": f, "stride": stride}
        for mode in ("max", "average"):
            def judge(outcome, kept=A.copy(), hp=dict(hp), mode=mode):
                pooled, cache = check.expect_tuple("pool_forward", outcome.value, 2,
                                                   _("pool_forward should return the pair (A, cache)."))
                check.expect_close("A", pooled, reference(kept, hp, mode), atol=1e-9, show_values=False)
                if type(cache) is not tuple or len(cache) != 2 or type(cache[1]) is not dict or cache[1] != hp:
                    check.fail(_("cache should be the pair (A_prev, hparameters)."))
                check.expect_close("cache[0] (A_prev)", cache[0], kept, atol=0.0, show_values=False)
                check.expect_unchanged("A_prev", kept, outcome.args_after[0])

            out.append(Case((A, hp), [judge], {"mode": mode}, label=pool_label(shape, hp, mode),
                            diagnose=diagnoser(FUNCTION, (A, hp), {"mode": mode}, reference(A, hp, mode))))
    return out
