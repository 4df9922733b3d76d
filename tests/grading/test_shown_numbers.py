"""The numbers a submission shows for the exercises on paper: its own, or flagged for the report.

The fast tests run the stage on small notebooks whose ``your_numbers`` cell holds an output as the
notebook writes it; the slow test grades real submissions with nbgrader, one of them with another id.
"""
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from traitlets.config import Config

from coursekit.grading.incidents import incidents_of
from coursekit.grading.shown_numbers import CheckShownNumbers
from coursekit.grading.verdict.judge import CourseChecks
from coursekit.report import page
from scratch import COURSE, CORRECT_LOOPS

CHECKS = CourseChecks.for_course(COURSE)
NUMBERS = CHECKS.check.numbers


def shown_by(student, code=None):
    """A notebook whose your_numbers cell shows *student*'s numbers (or the *code* given)."""
    code = code or NUMBERS.code_of(CHECKS.numbers(student))
    cell = new_code_cell("numbers = check.your_numbers(my_id)",
                         metadata={"nbgrader": {"grade_id": "your_numbers", "locked": True}})
    cell.outputs = [new_output("display_data", data={"text/plain": f"Your numbers, for the id {student}",
                                                     NUMBERS.MIME_TYPE: {"id": student, "code": code}})]
    return new_notebook(cells=[cell])


def checked(nb, student):
    config = Config(COURSE.config)
    resources = {"nbgrader": {"student": student, "assignment": COURSE.assignment_for("en")}}
    CheckShownNumbers(config=config).preprocess(nb, resources)
    return incidents_of(nb)


def test_is_a_notebook_showing_its_own_numbers_left_alone():
    """Does a submission that shows the numbers of its own student id record no incident?"""
    assert checked(shown_by("alice"), "alice") == []


def test_is_a_notebook_showing_a_classmates_numbers_flagged():
    """Is a submission of alice that shows bob's numbers flagged, naming bob's id and the cell?"""
    [incident] = checked(shown_by("bob"), "alice")
    assert incident["kind"] == "other_numbers" and incident["cell"] == "your_numbers"
    assert "those of the id 'bob'" in incident["message"] and "graded with 'alice'" in incident["message"]


def test_are_numbers_of_another_salt_flagged():
    """Is a submission that shows its own id with numbers not drawn with the course's salt flagged?"""
    other = NUMBERS.code_of(NUMBERS.draw("alice", "last term"))
    [incident] = checked(shown_by("alice", code=other), "alice")
    assert "not the course's" in incident["message"]


def test_is_an_unreadable_claim_flagged_and_nothing_shown_left_alone():
    """Is an output with a broken numbers part flagged, and a notebook that never showed numbers not?"""
    nb = shown_by("alice")
    nb.cells[0].outputs[0]["data"][NUMBERS.MIME_TYPE] = ["not", "a", "dict"]
    [incident] = checked(nb, "alice")
    assert "cannot be read" in incident["message"]
    assert checked(new_notebook(cells=[new_code_cell("numbers = check.your_numbers(my_id)")]), "alice") == []


def test_does_the_stage_run_before_the_outputs_are_cleared_and_after_the_graded_run():
    """Is the stage in the course's sanitizing stages before ClearOutput, and again after ContainedExecute?"""
    sanitize = list(COURSE.config.Autograde.sanitize_preprocessors)
    grading = list(COURSE.config.Autograde.autograde_preprocessors)
    stage = "coursekit.grading.shown_numbers.CheckShownNumbers"
    assert sanitize.index(stage) < sanitize.index("nbgrader.preprocessors.ClearOutput")
    assert grading.index(stage) == grading.index("coursekit.grading.contained_execute.ContainedExecute") + 1


# --- graded with nbgrader ---------------------------------------------------------------

def typed_id(tmp_path, student):
    """The demo's correct answers, with *student* typed as the id."""
    path = tmp_path / f"types_{student}.py"
    path.write_text(f'BASED_ON = {str(CORRECT_LOOPS)!r}\nCELLS = {{"my_id": "my_id = {student!r}\\n"}}\n',
                    encoding="utf-8")
    return path


PAPER = ("test_edge_output", "test_layer_shapes", "test_layer_parameters", "test_one_by_one", "test_gap_backprop",
         "test_pooling_by_hand")


@pytest.mark.slow
def test_are_the_exercises_graded_with_the_numbers_of_the_submissions_id(english_course, tmp_path):
    """Graded with nbgrader: do two students' right answers get every point, a submission on a classmate's
    numbers get none and a flag in the report's incidents, and a second grading the same scores?"""
    course = english_course
    course.submit("var-ann", CORRECT_LOOPS)          # my_id = None: the grader names the student
    course.submit("var-ben", typed_id(tmp_path, "var-ben"))
    course.submit("var-cat", typed_id(tmp_path, "var-ann"))  # ann's id typed: ann's numbers, ann's answers
    course.autograde("en", "--student=var-*")
    scores = {s: course.scores(s) for s in ("var-ann", "var-ben", "var-cat")}
    for student in ("var-ann", "var-ben"):
        assert {t: scores[student][t][0] for t in PAPER} == {t: scores[student][t][1] for t in PAPER}, student
    assert {t: scores["var-cat"][t][0] for t in PAPER} == dict.fromkeys(PAPER, 0)

    def incidents(student):
        nb = nbformat.read(course.autograded_notebook(student), as_version=4)
        return [i for i in incidents_of(nb) if i["kind"] == "other_numbers"]

    assert incidents("var-ann") == incidents("var-ben") == []
    [flag] = incidents("var-cat")
    assert "those of the id 'var-ann'" in flag["message"]
    shown = nbformat.read(course.autograded_notebook("var-ann"), as_version=4)
    cell = next(c for c in shown.cells if c.get("id") == "your_numbers")
    assert "for the id var-ann" in "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)

    course.autograde("en", "--student=var-cat")
    assert course.scores("var-cat") == scores["var-cat"]
    assert len(incidents("var-cat")) == 1

    # the report's incidents: cat's row, and none for ann or ben
    html = page.write_report(course.course, tmp_path / "report").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>(.*?)</tr>", html.partition('id="attention"')[2], re.S)
    flagged = [re.sub(r"<[^>]+>", " ", row) for row in rows if "Another id" in row]
    assert len(flagged) == 1 and "var-cat" in flagged[0] and "var-ann" in flagged[0]
