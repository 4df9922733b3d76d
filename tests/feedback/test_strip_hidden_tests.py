"""StripHiddenTests: feedback keeps each check's message and loses what only graders see.

As nbgrader tests its preprocessors: build the cells, run the stage, read the
cells.  No grading happens: the outputs are written here as an autograded
notebook would hold them.
"""
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursekit.feedback.strip_hidden_tests import StripHiddenTests

HIDDEN_LINE = "check.hidden_case(conv_backward, seed=1234567)"
TEST_SOURCE = f"""# Checks conv_backward on the published case.
check.conv_backward(conv_backward)
### BEGIN HIDDEN TESTS
{HIDDEN_LINE}
### END HIDDEN TESTS"""
QUESTION = """**Question 1.** Why does the gradient flow back through the max only?
=== BEGIN MARK SCHEME ===
**Model answer.** Only the max entry influenced the output.
=== END MARK SCHEME ==="""


def graded(*outputs, source=TEST_SOURCE):
    """A graded test cell with *outputs*, in a notebook with a written question."""
    meta = {"nbgrader": {"grade": True, "grade_id": "test_conv_backward", "locked": True, "points": 20,
                         "solution": False, "schema_version": 3}}
    task = {"nbgrader": {"grade": False, "task": True, "grade_id": "question_pooling", "locked": True, "points": 0,
                         "solution": False, "schema_version": 3}}
    return new_notebook(cells=[new_markdown_cell(QUESTION, metadata=task),
                               new_code_cell(source, metadata=meta, outputs=list(outputs))])


def strip(nb):
    return StripHiddenTests().preprocess(nb, {})[0]


def test_is_the_hidden_region_cut_out(tmp_path):
    """Does the feedback's test cell lose the hidden region, its markers included?"""
    source = strip(graded()).cells[1].source
    assert HIDDEN_LINE not in source and "BEGIN HIDDEN TESTS" not in source and "END HIDDEN TESTS" not in source


def test_does_a_placeholder_stand_where_the_region_was():
    """Do the visible lines stay, with the placeholder line where the hidden region began?"""
    assert strip(graded()).cells[1].source.split("\n") == [
        "# Checks conv_backward on the published case.", "check.conv_backward(conv_backward)",
        StripHiddenTests().placeholder]


def test_is_a_cell_without_hidden_tests_left_alone():
    """Is a test cell with no hidden region kept exactly?"""
    source = "check.zero_pad(zero_pad)"
    assert strip(graded(source=source)).cells[1].source == source


def test_is_a_failed_check_cut_to_its_message():
    """Does a failed check keep only its message, the verdict written for the student, with no traceback?"""
    error = new_output("error", ename="CheckFailed", evalue="conv_backward: 1 of 3 hidden checks failed.",
                       traceback=["Traceback (most recent call last)", f"  {HIDDEN_LINE}", "CheckFailed: ..."])
    [out] = strip(graded(error)).cells[1].outputs
    assert out["traceback"] == ["conv_backward: 1 of 3 hidden checks failed."]


def test_is_another_error_cut_to_its_last_line():
    """Does any other error keep only `ExceptionName: message`, none of the frames that led to it?"""
    error = new_output("error", ename="IndexError", evalue="index 3 is out of bounds",
                       traceback=["Traceback (most recent call last)", f"  {HIDDEN_LINE}", "IndexError: ..."])
    [out] = strip(graded(error)).cells[1].outputs
    assert out["traceback"] == ["IndexError: index 3 is out of bounds"]


def test_is_an_output_line_that_quotes_the_hidden_tests_redacted():
    """Is a printed line that quotes a hidden line (an answer that printed the running cell) replaced?"""
    stream = new_output("stream", name="stdout", text=f"my debugging:\n{HIDDEN_LINE}\ndone\n")
    [out] = strip(graded(stream)).cells[1].outputs
    assert out["text"] == f"my debugging:\n{StripHiddenTests().redacted}\ndone\n"


def test_is_an_error_message_that_quotes_the_hidden_tests_redacted():
    """Is a line of an error message that quotes a hidden line replaced too?"""
    error = new_output("error", ename="NameError", evalue=f"in {HIDDEN_LINE}", traceback=[])
    [out] = strip(graded(error)).cells[1].outputs
    assert out["evalue"] == StripHiddenTests().redacted


def test_is_rich_output_that_quotes_the_hidden_tests_redacted():
    """Is a text/plain or text/html result that quotes a hidden line replaced?"""
    result = new_output("execute_result", data={"text/plain": repr(HIDDEN_LINE)}, execution_count=1)
    [out] = strip(graded(result)).cells[1].outputs
    assert out["data"]["text/plain"] == StripHiddenTests().redacted


def test_is_a_short_common_line_kept():
    """Is an output line that merely contains a short hidden line (under 16 characters, like `pass`) kept?"""
    source = TEST_SOURCE.replace(HIDDEN_LINE, HIDDEN_LINE + "\npass")
    stream = new_output("stream", name="stdout", text="pass\n")
    [out] = strip(graded(stream, source=source)).cells[1].outputs
    assert out["text"] == "pass\n"


def test_is_the_mark_scheme_cut_from_the_question():
    """Does a written question keep its text and lose its mark scheme (model answer and marks)?"""
    source = strip(graded()).cells[0].source
    assert source.startswith("**Question 1.** Why does the gradient")
    assert "MARK SCHEME" not in source and "Model answer" not in source
