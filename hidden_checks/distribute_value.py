"""Hidden checks of distribute_value (graded cell test_distribute_value): other values, non-square shapes."""
import cnn_checklib as check
from cnn_checklib import Case, Message, _

from .common import diagnoser
from .references import distribute_value as reference

FUNCTION = "distribute_value"
HELPERS = ()
#: (dz, shape); the values come from the generator, scaled and signed as these.
SHAPES = [(3.0, (2, 3)), (-1.5, (3, 3)), (0.8, (1, 4))]


def cases(rng):
    out = []
    for index, (scale, shape) in enumerate(SHAPES):
        dz = round(scale * (1 + abs(float(rng(index).randn()))), 6)

        def judge(outcome, dz=dz, shape=shape):
            check.expect_close("a", outcome.value, reference(dz, shape), atol=1e-12, show_values=False)

        out.append(Case((dz, shape), [judge], label=Message(_("shape={shape}"), shape=shape),
                        diagnose=diagnoser(FUNCTION, (dz, shape), {}, reference(dz, shape))))
    return out
