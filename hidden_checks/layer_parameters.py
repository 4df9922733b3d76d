"""Hidden checks of exercise 11, the parameters of each layer (graded cell test_layer_parameters).

FC1's weights may also be counted from the flatten size the student gave in
exercise 10, so that a wrong size there costs exercise 10 only.
"""
import cnn_checklib as check
from cnn_checklib import Case

from .layer_shapes import expected as shapes

ANSWERS = ("layer_parameters", "layer_shapes")
#: Answers that may be missing (the student's own exercise 10).
OPTIONAL = ("layer_shapes",)
#: The student's numbers of this exercise: numbers["network"] (cnn_checklib/numbers.py).
NUMBERS = "network"


def expected(net):
    flatten = shapes(net)["flatten"]
    f, filters = net["f"], net["filters"]
    return {
        "conv": (f * f * net["channels"] * filters, filters),  # one f x f x n_C filter and one bias per filter
        "pool": (0, 0),
        "flatten": (0, 0),
        "fc1": (flatten * net["fc1"], net["fc1"]),
        "fc2": (net["fc1"] * net["fc2"], net["fc2"]),
    }


def cases(rng, numbers):
    want = expected(numbers)
    layers = tuple(want)
    units = numbers["fc1"]

    def layer_check(layer):
        def on_outcome(outcome):
            answer, own_shapes = outcome.value
            try:
                own = check.as_int("flatten", check.as_table("layer_shapes", own_shapes, layers)["flatten"])
            except check.CheckFailed:
                own = shapes(numbers)["flatten"]
            name = f"layer_parameters[{layer!r}]"
            weights, biases = check.as_ints(name, check.as_table("layer_parameters", answer, layers)[layer], 2)
            if layer == "fc1" and own > 0 and weights == own * units:
                weights = want["fc1"][0]
            check.expect_int(f"{name}[0]", weights, want[layer][0], show_values=False)
            check.expect_int(f"{name}[1]", biases, want[layer][1], show_values=False)
        return on_outcome

    return [Case((), [layer_check(layer)]) for layer in layers]
