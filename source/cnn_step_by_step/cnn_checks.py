"""Checks for the notebook "Convolutional Neural Networks: Step by Step".

``check.zero_pad(zero_pad)`` runs your function on the seeded case published with the assignment and
compares the results with the published values (``data/expected_values.h5``).  It prints what it expected
next to what it got, in the language of your notebook, and a hint when your result looks like a mistake
that many students make.  Below, each function's published case says what is called and what is checked.
Where the published case cannot tell a common mistake from the right answer (a 2 x 2 window, stride 1,
pad 2), an extra case follows it, labelled "extra case" in what the check prints; its expected values are
the reference's on its seeded inputs, stored beside the published ones.

When your work is graded, the grader runs the same published cases, and more cases of its own, outside your
notebook: these checks are here to help you, and what they print does not decide your grade.
(The machinery, messages and hints are in ``cnn_checklib/``; you need not read it.)
"""
from cnn_checklib import (Case, Message, _, answered, as_array, as_matrix, as_scalar, expect_choice, expect_close,
                          expect_mask, expect_scalar, expect_shape, form_case, form_check, item, layer_counts,
                          layer_shape, part, part_of, per_layer, positive_ints, published, returned, seeded,
                          visible_check, with_published_hints, your_numbers)


# --- the published case of each function ----------------------------------------------------
def zero_pad_cases():
    """zero_pad(x, 2), x = seeded(1).randn(4, 3, 3, 2): x_pad of shape (4, 7, 7, 2), zeros around x."""
    x = seeded(1).randn(4, 3, 3, 2)

    def x_pad_has_the_published_shape(x_pad):
        expect_shape("x_pad", x_pad, published("zero_pad/x_pad_shape"))

    def x_is_left_as_it_was(outcome):
        expect_close("x[1, 1]", outcome.args_after[0][1, 1], published("zero_pad/x_1_1"))

    def the_border_is_zero(x_pad):
        expect_close("x_pad[1, 1]", as_array("x_pad", x_pad)[1, 1], [[0.0, 0.0]] * 7)

    def the_inside_is_x(x_pad):
        expect_close("x_pad[:, 2:5, 2:5, :]", as_array("x_pad", x_pad)[:, 2:5, 2:5, :], x)

    return [Case((x, 2), [returned(x_pad_has_the_published_shape), x_is_left_as_it_was,
                          returned(the_border_is_zero), returned(the_inside_is_x)])]


def conv_single_step_cases():
    """conv_single_step on a_slice_prev, W of shape (4, 4, 3) and b of shape (1, 1, 1), seed 1: Z = -6.99908945068."""
    rng = seeded(1)
    a_slice_prev, W, b = rng.randn(4, 4, 3), rng.randn(4, 4, 3), rng.randn(1, 1, 1)
    return [Case((a_slice_prev, W, b), [
        returned(lambda Z: expect_scalar("Z", Z, published("conv_single_step/Z"), atol=1e-10)),
    ])]


def conv_forward_cases():
    """conv_forward on A_prev (10, 4, 4, 3), W (2, 2, 3, 8), b (1, 1, 1, 8), seed 1, pad 2, stride 2:
    Z of shape (10, 4, 4, 8) with the published mean and Z[3, 2, 1], and the cache."""
    rng = seeded(1)
    A_prev, W, b = rng.randn(10, 4, 4, 3), rng.randn(2, 2, 3, 8), rng.randn(1, 1, 1, 8)

    def Z_has_shape_10_4_4_8(Z):
        expect_shape("Z", Z, (10, 4, 4, 8))

    def Z_has_the_published_mean(Z):
        expect_scalar("mean(Z)", as_array("Z", Z).mean(), published("conv_forward/Z_mean"), atol=1e-10)

    def Z_3_2_1_is_published(Z):
        expect_close("Z[3, 2, 1]", as_array("Z", Z)[3, 2, 1], published("conv_forward/Z_3_2_1"))

    def the_cache_holds_A_prev(cache):
        expect_close("cache[0][1][2][3]", item(cache, 0)[1][2][3], published("conv_forward/cache_0_1_2_3"))

    return [Case((A_prev, W, b, {"pad": 2, "stride": 2}), [
        part(0, "Z", Z_has_shape_10_4_4_8), part(0, "Z", Z_has_the_published_mean),
        part(0, "Z", Z_3_2_1_is_published), part(1, "cache", the_cache_holds_A_prev)])]


def pool_forward_cases():
    """pool_forward with f = 3, both modes: the first published revision on A_prev (2, 4, 4, 3), stride 2 (all
    of A), and the second on A_prev (2, 5, 5, 3), strides 1 and 2 (A's shape and one entry)."""
    def case(shape, stride, mode, checks):
        return Case((seeded(1).randn(*shape), {"stride": stride, "f": 3}), checks, {"mode": mode})

    def first_revision(mode):
        return case((2, 4, 4, 3), 2, mode, [part(0, "A", lambda A: expect_close(
            f"A (mode={mode}, A_prev (2, 4, 4, 3), f=3, stride=2)", A, published(f"pool_forward/v1_{mode}")))])

    def second_revision(mode, stride, index, key):
        shape = (2, 3, 3, 3) if stride == 1 else (2, 2, 2, 3)
        return case((2, 5, 5, 3), stride, mode, [part(0, "A", lambda A: (
            expect_shape(f"A (mode={mode}, stride={stride})", A, shape),
            expect_close(f"A{list(index)} (mode={mode}, stride={stride})", as_array("A", A)[index], published(key))))])

    return [first_revision("max"), first_revision("average"),
            second_revision("max", 1, (1, 1), "pool_forward/v2_stride1_max_1_1"),
            second_revision("average", 1, (1, 1), "pool_forward/v2_stride1_average_1_1"),
            second_revision("max", 2, (0,), "pool_forward/v2_stride2_max_0"),
            second_revision("average", 2, (1,), "pool_forward/v2_stride2_average_1")]


def conv_backward_cases():
    """conv_backward of the published dZ through the conv_forward case above: dA_prev, dW and db shaped like
    A_prev, W and b, with the published means (dA_mean = 1.45243777754)."""
    rng = seeded(1)
    A_prev, W, b = rng.randn(10, 4, 4, 3), rng.randn(2, 2, 3, 8), rng.randn(1, 1, 1, 8)
    cache = (A_prev, W, b, {"pad": 2, "stride": 2})

    def shaped_like(name, like):
        return lambda value: expect_shape(name, value, like.shape)

    def mean_is_published(name, key):
        return lambda value: expect_scalar(key, as_array(name, value).mean(), published(f"conv_backward/{key}"))

    return [Case((published("conv_backward/dZ"), cache), [
        part(0, "dA_prev", shaped_like("dA_prev", A_prev)), part(1, "dW", shaped_like("dW", W)),
        part(2, "db", shaped_like("db", b)), part(0, "dA_prev", mean_is_published("dA_prev", "dA_mean")),
        part(1, "dW", mean_is_published("dW", "dW_mean")), part(2, "db", mean_is_published("db", "db_mean"))])]


def create_mask_from_window_cases():
    """create_mask_from_window(x), x = seeded(1).randn(2, 3): True only where x is largest."""
    return [Case((seeded(1).randn(2, 3),), [
        returned(lambda mask: expect_mask("mask", mask, published("create_mask_from_window/mask"))),
    ])]


def distribute_value_cases():
    """distribute_value(2, (2, 2)): a 2 x 2 array of 0.5."""
    return [Case((2, (2, 2)), [
        returned(lambda a: expect_close("distribute_value(2, (2, 2))", a, published("distribute_value/a"))),
    ])]


def pool_backward_cases():
    """pool_backward on A_prev (5, 5, 3, 2) and dA (5, 4, 2, 2), seed 1, f = 2, stride 1, both modes:
    dA_prev shaped like A_prev, with the published dA_prev[1, 1]."""
    rng = seeded(1)
    A_prev = rng.randn(5, 5, 3, 2)
    dA = rng.randn(5, 4, 2, 2)

    def mode_case(mode):
        return Case((dA, (A_prev, {"stride": 1, "f": 2})), [returned(lambda dA_prev: (
            expect_shape(f"dA_prev (mode={mode})", dA_prev, A_prev.shape),
            expect_close(f"dA_prev[1, 1] (mode={mode})", as_array("dA_prev", dA_prev)[1, 1],
                         published(f"pool_backward/{mode}_dA_prev_1_1"))))], {"mode": mode})

    # The first check is of the published input itself: a wrong dA here is a wrong seed, not a wrong function.
    inputs = Case((dA, (A_prev, {"stride": 1, "f": 2})), [lambda outcome: expect_scalar(
        "mean(dA)", outcome.args_after[0].mean(), published("pool_backward/dA_mean"), atol=1e-11)], {"mode": "max"})
    return [inputs, mode_case("max"), mode_case("average")]


# --- the extra cases: where the published case cannot tell a common mistake from the right answer ----
def extra(what, **values):
    """The label of an extra case: what it is."""
    return Message(_("extra case: {what}"), what=Message(what, **values))


def pool_forward_extra_cases():
    """pool_forward(A_prev, {"stride": 2, "f": 3}), A_prev = seeded(2).randn(2, 5, 5, 3): the cache holds the
    input A_prev itself (the published checks look at A only)."""
    A_prev = seeded(2).randn(2, 5, 5, 3)

    def the_cache_holds_A_prev(outcome):
        expect_close("cache[0]", item(part_of(outcome.value, 1, "cache"), 0), A_prev)

    return [Case((A_prev, {"stride": 2, "f": 3}), [the_cache_holds_A_prev],
                 label=extra(_("the cache of input {shape}"), shape=A_prev.shape))]


def conv_backward_extra_cases():
    """conv_backward with pad 0, stride 2 and overlapping 3 x 3 windows (the published case has pad 2 and 2 x 2
    windows that never overlap): A_prev (2, 5, 7, 3), W (3, 3, 3, 4), b (1, 1, 1, 4), dZ (2, 2, 3, 4),
    seed 2; dA_prev, dW and db as the reference gives them."""
    rng = seeded(2)
    A_prev, W, b, dZ = rng.randn(2, 5, 7, 3), rng.randn(3, 3, 3, 4), rng.randn(1, 1, 1, 4), rng.randn(2, 2, 3, 4)
    checks = [part(index, name, lambda value, name=name: expect_close(name, value, published(
        f"extra/conv_backward/{name}"))) for index, name in enumerate(("dA_prev", "dW", "db"))]
    return [Case((dZ, (A_prev, W, b, {"pad": 0, "stride": 2})), checks,
                 label=extra(_("pad 0, stride 2, overlapping windows")))]


def distribute_value_extra_cases():
    """distribute_value(3.0, (2, 3)): a window that is not square (in a 2 x 2 one, n_H + n_W = n_H * n_W)."""
    return [Case((3.0, (2, 3)), [returned(lambda a: expect_close(
        "distribute_value(3.0, (2, 3))", a, published("extra/distribute_value/a")))],
        label=extra(_("a window that is not square")))]


def pool_backward_extra_cases():
    """pool_backward with f = 3 and stride 2, both modes (the published case has stride 1), on
    A_prev = seeded(2).randn(2, 5, 5, 3) and dA of shape (2, 2, 2, 3): windows that overlap, placed by the
    stride; dA_prev as the reference gives it."""
    rng = seeded(2)
    A_prev, dA = rng.randn(2, 5, 5, 3), rng.randn(2, 2, 2, 3)

    def mode_case(mode):
        return Case((dA, (A_prev, {"stride": 2, "f": 3})), [returned(lambda dA_prev: expect_close(
            f"dA_prev (mode={mode})", dA_prev, published(f"extra/pool_backward/{mode}_dA_prev")))], {"mode": mode},
            label=extra(_("f=3, stride 2, overlapping windows")))

    return [mode_case("max"), mode_case("average")]


#: The extra cases of the functions that have some.
EXTRA_CASES = {
    "pool_forward": pool_forward_extra_cases,
    "conv_backward": conv_backward_extra_cases,
    "distribute_value": distribute_value_extra_cases,
    "pool_backward": pool_backward_extra_cases,
}

#: The stored expected values of the extra cases: {key: (function, index of its extra case, item of the result
#: or None for all of it)}, written from the reference by ``python -m coursekit.authoring.seed_values``.
EXTRA_VALUES = {
    "extra/conv_backward/dA_prev": ("conv_backward", 0, 0),
    "extra/conv_backward/dW": ("conv_backward", 0, 1),
    "extra/conv_backward/db": ("conv_backward", 0, 2),
    "extra/distribute_value/a": ("distribute_value", 0, None),
    "extra/pool_backward/max_dA_prev": ("pool_backward", 0, None),
    "extra/pool_backward/average_dA_prev": ("pool_backward", 1, None),
}


#: The published cases of every graded function.
PUBLISHED_CASES = {
    "zero_pad": zero_pad_cases,
    "conv_single_step": conv_single_step_cases,
    "conv_forward": conv_forward_cases,
    "pool_forward": pool_forward_cases,
    "conv_backward": conv_backward_cases,
    "create_mask_from_window": create_mask_from_window_cases,
    "distribute_value": distribute_value_cases,
    "pool_backward": pool_backward_cases,
}


def visible_cases(name):
    """The cases the check of the function *name* runs: its published cases, then its extra cases."""
    return PUBLISHED_CASES[name]() + EXTRA_CASES.get(name, list)()


def published_cases(name):
    """The visible cases of the function *name* (published and extra), each able to name a common mistake."""
    return with_published_hints(name, visible_cases(name))


def _check(name):
    return visible_check(name, lambda: visible_cases(name))


zero_pad = _check("zero_pad")
conv_single_step = _check("conv_single_step")
conv_forward = _check("conv_forward")
pool_forward = _check("pool_forward")
conv_backward = _check("conv_backward")
create_mask_from_window = _check("create_mask_from_window")
distribute_value = _check("distribute_value")
pool_backward = _check("pool_backward")


# --- the exercises on paper: your numbers, then the form of each answer ----------------------
# your_numbers(my_id) shows the numbers of your exercises 9 to 14, drawn from your id and the course's public
# salt (cnn_checklib/numbers.py says how); the grader draws them the same way, for the id you submit under.
# These checks look at the form of an answer (its type, its dimensions, its keys) and never at its values,
# which the graded checks judge.  Everything the graded checks require of the form is checked here, so an
# answer that passes can lose points only for its numbers (the layer tables' checks: cnn_checklib/forms.py).
#: The answers each paper exercise reads, and the checks of their form.
FORM_CASES = {
    "edge_output": (("edge_output",), lambda: [form_case(lambda v: as_matrix("edge_output", answered("edge_output", v)))]),
    "layer_shapes": (("layer_shapes",), lambda: per_layer("layer_shapes", layer_shape)),
    "layer_parameters": (("layer_parameters",), lambda: per_layer("layer_parameters", layer_counts)),
    "one_by_one": (("one_by_one_shape", "one_by_one_reason"), lambda: [
        form_case(lambda shape, reason: positive_ints("one_by_one_shape", shape, 3)),
        form_case(lambda shape, reason: expect_choice("one_by_one_reason", answered("one_by_one_reason", reason),
                                                      (1, 2, 3, 4)))]),
    "gap_backprop": (("gap_O", "gap_L", "gap_dF", "gap_dX"), lambda: [
        # A gradient has the shape of what it is the gradient of: F is 2 x 2 and X is 3 x 3.
        form_case(lambda O, L, dF, dX: as_matrix("gap_O", answered("gap_O", O))),
        form_case(lambda O, L, dF, dX: as_scalar("gap_L", answered("gap_L", L))),
        form_case(lambda O, L, dF, dX: expect_shape("gap_dF", answered("gap_dF", dF), (2, 2))),
        form_case(lambda O, L, dF, dX: expect_shape("gap_dX", answered("gap_dX", dX), (3, 3)))]),
    "pooling_by_hand": (("max_pooled", "average_pooled"), lambda: [
        form_case(lambda m, a: as_matrix("max_pooled", answered("max_pooled", m))),
        form_case(lambda m, a: as_matrix("average_pooled", answered("average_pooled", a)))]),
}

edge_output = form_check("edge_output", FORM_CASES["edge_output"][1])
layer_shapes = form_check("layer_shapes", FORM_CASES["layer_shapes"][1])
layer_parameters = form_check("layer_parameters", FORM_CASES["layer_parameters"][1])
one_by_one = form_check("one_by_one", FORM_CASES["one_by_one"][1])
gap_backprop = form_check("gap_backprop", FORM_CASES["gap_backprop"][1])
pooling_by_hand = form_check("pooling_by_hand", FORM_CASES["pooling_by_hand"][1])
