"""The trusted verdict's bounds and order, without a kernel: what the grader refuses, in which order it judges,
and which inputs an attempt gets."""
import json

import nbformat
import numpy as np
import pytest

from coursekit.demo.answers import AnswerError, rearrange
from coursekit.grading.verdict import wire
from coursekit.grading.verdict.judge import CourseChecks, Request, answer_helper, attempt_of, shown_message
from coursekit.grading.verdict.session import answer_question, parse_reply
from coursekit.grading.verdict.stage import judging_order
from scratch import COURSE

CHECKS = CourseChecks.for_course(COURSE)


class Opaque:
    def __init__(self, type_name):
        self.type_name = type_name


def test_does_the_grader_refuse_a_helper_result_past_its_bound_before_making_it():
    """Is zero_pad of a (1, 1, 1, 10**6) int8 array with pad 64 (16.6 GB as floats) refused, and a
    distribute_value of a 1000 x 1000 shape with it, while the assignment's own sizes are answered?"""
    status, value = answer_helper(CHECKS, "zero_pad", ("zero_pad",), (np.zeros((1, 1, 1, 10**6), np.int8), 64), {})
    assert status == "raised" and "at most" in value
    assert answer_helper(CHECKS, "zero_pad", ("zero_pad",), (np.zeros((2, 3, 3, 4)), 2), {})[0] == "returned"
    assert answer_helper(CHECKS, "distribute_value", ("distribute_value",), (1.0, (1000, 1001)), {})[0] == "raised"
    assert answer_helper(CHECKS, "distribute_value", ("distribute_value",), (1.0, (2, 3)), {})[0] == "returned"


@pytest.mark.parametrize("data", [
    {"t": "ndarray", "d": "(,)f8", "s": [1], "v": ""},
    {"t": "npscalar", "dtype": "|i1", "v": {"t": "int", "v": "99999"}},
    {"t": "dict", "v": {"nested": "not a pair list"}},
    {"t": "ndarray", "d": "<f8", "s": [10**9, 10**9], "v": ""},
    {"t": "tuple", "v": [{"t": "tuple", "v": []}] * 50_000},
    "not even a dict",
])
def test_is_every_malformed_value_a_wire_error(data):
    """Does any malformed value, whatever numpy or Python raises on it, come out as a WireError?"""
    with pytest.raises(wire.WireError):
        wire.decode(data, Opaque)


def test_is_a_malformed_reply_garbled_and_nothing_raised():
    """Does parse_reply turn any malformed reply into a garbled one (no exception of any type)?"""
    request = Request(fn="zero_pad", args=(np.zeros(1), 0))
    for data in ({"status": "returned", "value": {"t": "ndarray", "d": "(,)f8", "s": [], "v": ""}},
                 {"status": "raised", "error": "not a pair"}, {"status": 3}, None, [], "x"):
        assert parse_reply(data, request, Opaque).status == "garbled"


def test_is_a_deeply_nested_question_refused():
    """Does a helper question whose arguments nest 50,000 deep get a refusal, not a RecursionError?"""
    deep = json.loads("[" * 500 + "]" * 500)
    question = {"nonce": "n", "helper": "zero_pad", "args": deep, "kwargs": {"t": "dict", "v": []}}
    reply = answer_question(question, "n", ("zero_pad",), lambda *a: ("returned", 0), Opaque)
    assert reply["status"] == "raised"


def test_are_helpers_judged_before_their_callers_whatever_the_notebook_order():
    """With the test cells in any order, does every function come before the functions whose checks answer its
    calls (zero_pad and conv_single_step before conv_forward, the pooling helpers before pool_backward)?"""
    names = ["pool_backward", "conv_backward", "conv_forward", "distribute_value", "zero_pad", "layer_shapes",
             "create_mask_from_window", "conv_single_step", "pool_forward"]
    graded = [(index, None, name) for index, name in enumerate(names)]
    order = [name for _i, _c, name in judging_order(CHECKS, graded)]
    for caller in ("conv_forward", "conv_backward", "pool_backward"):
        for helper in CHECKS.unit(caller).HELPERS:
            assert order.index(helper) < order.index(caller), (helper, caller, order)
    assert judging_order(CHECKS, [(0, None, "no_such_check")]) == [(0, None, "no_such_check")]


def test_does_an_attempt_change_with_the_notebook_and_only_with_it():
    """Is the attempt digest the same for the same cells and different when any cell's source changes?"""
    nb = nbformat.read(COURSE.master_path, as_version=4)
    same = nbformat.read(COURSE.master_path, as_version=4)
    for cell in same.cells:
        cell.outputs = [] if cell.cell_type == "code" else None
        cell.metadata["seen"] = True
    assert attempt_of(nb) == attempt_of(same)
    same.cells[-1].source += " "
    assert attempt_of(nb) != attempt_of(same)


def test_do_two_attempts_draw_different_hidden_inputs():
    """Do the hidden inputs of one student differ between two attempts, and repeat for the same attempt?"""
    first = CHECKS.cell("zero_pad", "alice", "a").hidden[0].args[0]
    again = CHECKS.cell("zero_pad", "alice", "a").hidden[0].args[0]
    other = CHECKS.cell("zero_pad", "alice", "b").hidden[0].args[0]
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_is_a_students_exception_message_cut_short():
    """Does a verdict show only the first line of a student's exception message, cut at its bound?"""
    assert shown_message("short\nsecond line") == "short"
    assert len(shown_message("x" * 10_000)) <= 160


def test_can_an_answer_file_move_paste_and_delete_cells():
    """Do LAYOUT steps move, paste and delete cells by grade id, and name an unknown one in their error?"""
    nb = nbformat.read(COURSE.master_path, as_version=4)
    ids = lambda: [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]  # noqa: E731
    rearrange(nb, [("move", "test_zero_pad", "after", "test_pool_backward"), ("duplicate", "zero_pad"),
                   ("delete", "test_conv_forward")])
    assert ids().index("test_zero_pad") == ids().index("test_pool_backward") + 1
    assert ids().count("zero_pad") == 2 and "test_conv_forward" not in ids()
    with pytest.raises(AnswerError, match="no_such_cell"):
        rearrange(nb, [("delete", "no_such_cell")])
