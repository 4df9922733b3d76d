"""Hidden checks of exercise 10, the output size of each layer (graded cell test_layer_shapes)."""
import cnn_checklib as check
from cnn_checklib import Case

ANSWERS = ("layer_shapes",)


def size(n, f, pad, stride):
    return (n + 2 * pad - f) // stride + 1


def expected():
    conv = size(28, 3, 1, 1)    # 3 x 3 filters, pad 1, stride 1: the size stays
    pool = size(conv, 2, 0, 2)  # 2 x 2 max pooling, stride 2: halved
    return {"conv": (conv, conv, 16), "pool": (pool, pool, 16), "flatten": pool * pool * 16, "fc1": 32, "fc2": 5}


def cases(rng):
    want = expected()

    def layer_check(layer):
        def on_outcome(outcome):
            table = check.as_table("layer_shapes", outcome.value[0], tuple(want))
            check.expect_int(f"layer_shapes[{layer!r}]", table[layer], want[layer], show_values=False)
        return on_outcome

    return [Case((), [layer_check(layer)]) for layer in want]
