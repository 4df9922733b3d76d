"""The verdict holds against a determined student, and an honest slip costs its own cell only.

Graded twice, with plain ``nbgrader autograde`` and with ``coursekit grade``
(the command, in a subprocess), each with its address space capped
(RLIMIT_AS), so that an attack on the grader's memory ends in a refusal,
never in a grader that is killed:

- ``untrusted/looks_up_helpers_answered_for_callers``: helper test cells moved
  below their callers', tables filled from the grader's answers;
- ``untrusted/carries_hidden_inputs_out``: hidden inputs and the grader's
  results on them printed in a later cell and in an exception message;
- ``untrusted/asks_for_a_huge_helper_result``: a 16.6 GB helper result asked
  for, and a 99 MB reply that decodes to gigabytes;
- ``untrusted/floods_while_judged``: a thread that floods the output channel
  while a function is judged;
- ``malformed/sends_malformed_replies``: correct functions whose replies reach
  the grader malformed in five ways;
- ``slips/*``: correct notebooks with a pasted, a deleted or a moved cell.

A correct student is graded after all of them, in the same batch.
"""
import copy
import json
import time

import nbformat
import numpy as np
import pytest

from coursekit.grading.verdict.judge import MAX_SHOWN_MESSAGE
from scratch import ANSWERS, COURSE, CORRECT_LOOPS, ScratchCourse, autograded_cells, student_id

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

#: The grader's processes get this much address space each (their kernels lower it to the sandbox's own cap).
MEMORY_CAP = 3 * 2**30
ATTACKS = [ANSWERS / "untrusted" / f"{name}.py" for name in (
    "looks_up_helpers_answered_for_callers", "carries_hidden_inputs_out", "asks_for_a_huge_helper_result",
    "floods_while_judged")]
MALFORMED = ANSWERS / "malformed" / "sends_malformed_replies.py"
SLIPS = sorted((ANSWERS / "slips").glob("*.py"))
#: Graded last: it must get every point whatever came before it.
AFTER = "zz-correct-after"
ENGINES = ["plain", "batch"]


def grade(course: ScratchCourse, engine: str):
    started = time.monotonic()
    proc = course.autograde_limited(MEMORY_CAP) if engine == "plain" else course.grade_limited(MEMORY_CAP)
    return proc, time.monotonic() - started


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    secret = tmp_path_factory.mktemp("secret") / "grader.secret"
    config = f"\nc.TrustedGrading.secret_file = {str(secret)!r}\n"
    out = {}
    for engine in ENGINES:
        course = ScratchCourse(tmp_path_factory.mktemp(engine), ["en"], timeout=6, config=config)
        for path in ATTACKS + [MALFORMED] + SLIPS:
            course.submit(student_id(path), path)
        course.submit(AFTER, CORRECT_LOOPS)
        proc, seconds = grade(course, engine)
        out[engine] = (course, proc, seconds)
    return out


def checks_of(course):
    """The repository course's checks, drawing hidden inputs with *course*'s secret (a scratch copy has the same
    course id and master, so the same inputs; one process imports one master's checks)."""
    from coursekit.grading.verdict.judge import CourseChecks
    from coursekit.grading.verdict.secret import TrustedGrading, load_secret

    checks = copy.copy(CourseChecks.for_course(COURSE))
    checks._secret = load_secret(TrustedGrading(config=course.course.config), course.course.course_id)
    return checks


def earned(course, student):
    scores = course.scores(student)
    return {cell: scores[cell][0] for cell in autograded_cells()}


@pytest.mark.parametrize("engine", ENGINES)
def test_does_the_grader_survive_and_grade_the_student_after_the_attacks(graded, engine):
    """Under a memory cap, does the grader end normally, and does the correct student graded after every
    attack get every point?"""
    course, proc, _ = graded[engine]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert earned(course, AFTER) == autograded_cells()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("attack", [student_id(p) for p in ATTACKS])
def test_does_each_attack_earn_nothing(graded, engine, attack):
    """Does an answer that writes none of the functions, and attacks the grader instead, earn 0 everywhere
    (and is its notebook graded at all)?"""
    course, _, _ = graded[engine]
    assert course.autograded_notebook(attack).exists()
    assert {cell: points for cell, points in earned(course, attack).items() if points} == {}


@pytest.mark.parametrize("engine", ENGINES)
def test_do_helpers_get_judged_before_the_callers_that_the_grader_answers_for(graded, engine):
    """With the helpers' test cells moved below their callers', are zero_pad and distribute_value still judged
    before any call the grader answers with its reference (so their lookup tables are empty)?"""
    course, _, _ = graded[engine]
    nb = nbformat.read(course.autograded_notebook("looks-up-helpers-answered-for-callers"), as_version=4)
    verdicts = {c.metadata.get("nbgrader", {}).get("grade_id"): c.outputs for c in nb.cells if c.cell_type == "code"}
    for cell in ("test_zero_pad", "test_distribute_value"):
        assert [o.get("ename") for o in verdicts[cell]] == ["CheckFailed"], cell


@pytest.mark.parametrize("engine", ENGINES)
def test_can_no_cell_show_what_the_grader_sent(graded, engine):
    """Does the cell that prints every input the helpers were called on show none of their hidden inputs (no cell
    runs after a hidden input has entered the kernel), and does an exception message reach the verdict cut
    short?"""
    from coursekit.grading.verdict.judge import attempt_of

    course, _, _ = graded[engine]
    student = "carries-hidden-inputs-out"
    nb = nbformat.read(course.autograded_notebook(student), as_version=4)
    printed = [line for c in nb.cells for o in c.get("outputs", []) for line in o.get("text", "").splitlines()
               if line.startswith("LEAK:")]
    assert len(printed) == 1
    seen = json.loads(printed[0][len("LEAK:"):])
    assert "zero_pad answers" not in seen
    checks = checks_of(course)
    for helper, calls in seen.items():
        hidden = [np.asarray(case.args[0]).tolist() for case in checks.cell(helper, student, attempt_of(nb)).hidden]
        first_args = [call[0] if helper != "create_mask_from_window" else call for call in calls]
        assert not [args for args in first_args if args in hidden], helper
    verdict = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_conv_forward")
    lines = [line for o in verdict.outputs for line in o.get("traceback", [])]
    assert [line for line in lines if "LEAK:" in line]  # the message was shown, cut short
    assert all(len(line) < MAX_SHOWN_MESSAGE + 120 for line in lines)


@pytest.mark.parametrize("engine", ENGINES)
def test_does_a_malformed_reply_cost_its_own_function_only(graded, engine):
    """Does each malformed reply (an unreadable dtype, an overflowing scalar, a malformed dict) cost the one
    function it answers for, while a question nested 50,000 deep, a string where output data should be and a
    re-sent signed message cost nothing?"""
    course, _, _ = graded[engine]
    lost = {cell for cell, points in earned(course, "sends-malformed-replies").items()
            if points < autograded_cells()[cell]}
    assert lost == {"test_zero_pad", "test_conv_single_step", "test_create_mask_from_window", "test_edge_output"}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("slip", [student_id(p) for p in SLIPS])
def test_does_an_honest_slip_keep_every_point(graded, engine, slip):
    """Does a correct notebook with a pasted, a deleted or a moved cell get every point, with what happened
    recorded as an incident?"""
    course, _, _ = graded[engine]
    assert earned(course, slip) == autograded_cells()
    nb = json.loads(course.autograded_notebook(slip).read_text())
    kinds = {i["kind"] for i in nb["metadata"].get("coursekit", {}).get("incidents", [])}
    if "pastes" in slip:
        assert "duplicated" in kinds
    if "deletes" in slip:
        assert {"duplicated", "tampered"} <= kinds


def test_does_a_flood_end_at_the_deadline(graded):
    """Does a thread that floods the output channel while a function is judged hold the grader no longer than
    the call's deadline, a grace and a new kernel (not for as long as the flood runs)?

    The flood ends in one of two ways, depending on how fast the grader reads: a call that cannot finish
    before its deadline (a timeout), or a kernel that dies under the flood (its sandbox caps its memory)."""
    course, _, _ = graded["plain"]
    nb = json.loads(course.autograded_notebook("floods-while-judged").read_text())
    kinds = {i["kind"] for i in nb["metadata"].get("coursekit", {}).get("incidents", [])}
    assert kinds & {"timeout", "kernel_died"}
    seconds = {}
    for student in ("floods-while-judged", AFTER):
        started = time.monotonic()
        course.autograde("en", f"--student={student}")
        seconds[student] = time.monotonic() - started
    deadline, grace, new_kernel = 6, 5, 20
    assert seconds["floods-while-judged"] - seconds[AFTER] < deadline + grace + new_kernel, seconds


# --- inputs per attempt -----------------------------------------------------------------------------------
LOOKUP = '''BASED_ON = {based_on!r}


def zero_pad(X, pad):
    import hashlib
    import numpy as np
    table = {table!r}
    key = hashlib.sha1(np.ascontiguousarray(X, dtype=float).tobytes() + bytes([pad])).hexdigest()
    if key in table:
        shape, flat = table[key]
        return np.array(flat).reshape(shape)
    return X
'''


def lookup_answer(checks, student, attempt) -> str:
    """An answer whose zero_pad knows, by heart, the grader's results on the published case and on the hidden
    inputs that *student* got in *attempt*: what a perfect leak of that attempt would allow."""
    import hashlib

    import numpy as np

    from hidden_checks.references import zero_pad

    cell = checks.cell("zero_pad", student, attempt)
    table = {}
    for case in cell.published + cell.hidden:
        X, pad = case.args
        key = hashlib.sha1(np.ascontiguousarray(X, dtype=float).tobytes() + bytes([pad])).hexdigest()
        table[key] = (zero_pad(X, pad).shape, zero_pad(X, pad).reshape(-1).tolist())
    return LOOKUP.format(based_on=str(ANSWERS / "untrusted" / "wrong_everywhere.py"), table=table)


def test_does_a_resubmission_get_new_hidden_inputs(tmp_path):
    """Does a resubmission get hidden inputs of its own, so that a lookup table of the first attempt's inputs
    (a perfect leak) earns nothing, while a re-run of the same submission gets the same inputs and grade?"""
    from coursekit.grading.verdict.judge import attempt_of
    from coursekit.grading.verdict.local import namespace_of, verdict_here

    secret = tmp_path / "grader.secret"
    course = ScratchCourse(tmp_path / "course", ["en"], timeout=6,
                           config=f"\nc.TrustedGrading.secret_file = {str(secret)!r}\n")
    student = "resubmits"
    course.submit(student, ANSWERS / "untrusted" / "carries_hidden_inputs_out.py")
    course.autograde()
    first = attempt_of(nbformat.read(course.autograded_notebook(student), as_version=4))
    checks = checks_of(course)

    answer = tmp_path / "lookup.py"
    answer.write_text(lookup_answer(checks, student, first))
    namespace = namespace_of(answer.read_text().split("\n", 1)[1])
    # The table does hold the first attempt's answers: with that attempt's inputs it would pass.
    assert verdict_here(checks.cell("zero_pad", student, first), namespace).passed

    course.submit(student, answer)
    course.autograde()
    second = attempt_of(nbformat.read(course.autograded_notebook(student), as_version=4))
    assert second != first
    assert course.scores(student)["test_zero_pad"][0] == 0
    assert not verdict_here(checks.cell("zero_pad", student, second), namespace).passed

    course.autograde()  # the same submission again: the same inputs, the same grade
    assert attempt_of(nbformat.read(course.autograded_notebook(student), as_version=4)) == second
    assert course.scores(student)["test_zero_pad"][0] == 0
