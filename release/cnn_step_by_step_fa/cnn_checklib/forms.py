"""Checks of the form of the paper exercises' answers: a table with one entry per layer, sizes that are positive
ints.  They look at types, dimensions and keys, never at values (the graded checks judge those)."""
from .expect import answered, as_int, as_ints, as_table, expect_not_negative, expect_positive
from .cases import form_case

#: The layers of the network of exercises 10 and 11, as the answers' tables name them.
LAYERS = ("conv", "pool", "flatten", "fc1", "fc2")


def per_layer(name, check_layer):
    """A dict with one entry per layer of LAYERS, each entry checked by *check_layer(label, layer, entry)*."""
    def table(value):
        return as_table(name, answered(name, value), LAYERS)

    return [form_case(table)] + [
        form_case(lambda value, layer=layer: check_layer(f"{name}[{layer!r}]", layer, answered(
            f"{name}[{layer!r}]", table(value)[layer]))) for layer in LAYERS]


def layer_shape(name, layer, entry):
    """CONV and POOL: (height, width, channels), three positive ints; the others: one positive int."""
    sizes = as_ints(name, entry, 3) if layer in ("conv", "pool") else (as_int(name, entry),)
    for size in sizes:
        expect_positive(name, size)


def layer_counts(name, layer, entry):
    """(weights, biases): two ints, neither negative."""
    for count in as_ints(name, entry, 2):
        expect_not_negative(name, count)


def positive_ints(name, value, n):
    """*n* positive ints, e.g. a shape (height, width, channels)."""
    for size in as_ints(name, answered(name, value), n):
        expect_positive(name, size)
