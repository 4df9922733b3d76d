"""Hidden checks of exercise 10, the output size of each layer (graded cell test_layer_shapes)."""
import cnn_checklib as check
from cnn_checklib import Case

ANSWERS = ("layer_shapes",)
#: The student's numbers of this exercise: numbers["network"] (cnn_checklib/numbers.py).
NUMBERS = "network"


def size(n, f, pad, stride):
    return (n + 2 * pad - f) // stride + 1


def expected(net):
    """The output of each layer of the student's network *net*."""
    conv = size(net["size"], net["f"], net["pad"], net["stride"])
    pool = size(conv, net["pool_f"], 0, net["pool_stride"])
    channels = net["filters"]  # one output channel per filter; pooling keeps them
    return {"conv": (conv, conv, channels), "pool": (pool, pool, channels), "flatten": pool * pool * channels,
            "fc1": net["fc1"], "fc2": net["fc2"]}


def cases(rng, numbers):
    want = expected(numbers)

    def layer_check(layer):
        def on_outcome(outcome):
            table = check.as_table("layer_shapes", outcome.value[0], tuple(want))
            check.expect_int(f"layer_shapes[{layer!r}]", table[layer], want[layer], show_values=False)
        return on_outcome

    return [Case((), [layer_check(layer)]) for layer in want]
