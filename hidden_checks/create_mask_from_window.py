"""Hidden checks of create_mask_from_window (graded cell test_create_mask_from_window): other window shapes,
negative windows."""
import cnn_checklib as check
from cnn_checklib import Case, Message, _

from .common import diagnoser
from .references import create_mask_from_window as reference

FUNCTION = "create_mask_from_window"
HELPERS = ()
#: (x's shape, a shift of every value)
SHAPES = [((3, 4), 0.0), ((2, 2), -5.0), ((4, 1), 3.0)]


def cases(rng):
    out = []
    for index, (shape, shift) in enumerate(SHAPES):
        x = rng(index).randn(*shape) + shift

        def judge(outcome, kept=x.copy()):
            check.expect_mask("mask", outcome.value, reference(kept))
            check.expect_unchanged("x", kept, outcome.args_after[0])

        out.append(Case((x,), [judge], label=Message(_("window {shape}"), shape=shape),
                        diagnose=diagnoser(FUNCTION, (x,), {}, reference(x))))
    return out
