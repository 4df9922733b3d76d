"""The grade is decided outside the student's kernel: no answer can inflate it, and nothing of the grader leaks.

Every answer of ``tests/answers/untrusted/`` is wrong on every function and
leaves the exercises blank, and tampers with the grading in its own way
(rebinding the visible checks, swallowing errors, forging the grader's
replies, replaying published results, ignoring interrupts...).  Each must earn
0 autograded points, under ``coursekit grade`` and under plain
``nbgrader autograde`` alike.
"""
import json
from pathlib import Path

import nbformat
import pytest

from coursekit.grading.batch import run_batch
from coursekit.grading.verdict.secret import TrustedGrading, secret_path
from scratch import ANSWERS, REPO, ScratchCourse, autograded_cells, student_id

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

UNTRUSTED = sorted((ANSWERS / "untrusted").glob("*.py"))
#: Lines only the grader's hidden checks have; none may appear in what a kernel printed.
GRADER_ONLY = sorted({line.strip() for path in (REPO / "hidden_checks").glob("*.py")
                      for line in path.read_text().splitlines()
                      if len(line.strip()) > 30 and not line.strip().startswith(("#", '"', "import", "from"))})

LEAKS = '''# GRADED FUNCTION: zero_pad
import json, os, sys
_found = {{"paths": {{}}, "modules": []}}
for _path in {paths!r}:
    _found["paths"][_path] = os.path.exists(_path)
for _name, _module in list(sys.modules.items()):
    if "hidden" in _name or "coursekit_probe" in _name:
        _found["modules"].append(_name)
print(json.dumps(_found))
print(In)
print(Out)
print(sorted(globals()))
for _module in list(sys.modules.values()):
    _file = getattr(_module, "__file__", None) or ""
    if _file.endswith(".py") and "site-packages" not in _file and "python3" not in _file:
        print(_file, open(_file).read())


def zero_pad(X, pad):
    return X
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every untrusted answer, graded by the batch in one course and by plain nbgrader in another."""
    secret = tmp_path_factory.mktemp("secret") / "grader.secret"
    config = f"\nc.TrustedGrading.secret_file = {str(secret)!r}\n"
    batch = ScratchCourse(tmp_path_factory.mktemp("batch"), ["en"], timeout=6, config=config)
    plain = ScratchCourse(tmp_path_factory.mktemp("plain"), ["en"], timeout=6, config=config)
    settings = TrustedGrading(config=batch.course.config)
    leaks = tmp_path_factory.mktemp("answers") / "prints_the_grader.py"
    protected = [str(batch.root / "hidden_checks"), str(secret_path(settings, batch.course.course_id)),
                 str(batch.root / "source"), str(batch.root / "gradebook.db")]
    leaks.write_text(f"BASED_ON = {str(ANSWERS / 'untrusted' / 'wrong_everywhere.py')!r}\n"
                     f"CELLS = {{'zero_pad': {LEAKS.format(paths=protected)!r}}}\n")
    answers = {student_id(p): p for p in UNTRUSTED + [leaks]}
    for student, path in answers.items():
        batch.submit(student, path)
        plain.submit(student, path)
    run_batch(batch.course, workers=2, progress=False)
    plain.autograde()
    return batch, plain, answers


@pytest.mark.parametrize("engine", ["batch", "plain"])
@pytest.mark.parametrize("answer", [student_id(p) for p in UNTRUSTED])
def test_does_tampering_earn_no_point(graded, engine, answer):
    """Does an answer that is wrong everywhere and tampers with the grading earn 0 on every autograded cell?"""
    batch, plain, _ = graded
    course = batch if engine == "batch" else plain
    scores = course.scores(answer)
    earned = {cell: scores[cell][0] for cell in autograded_cells() if scores[cell][0]}
    assert earned == {}


@pytest.mark.parametrize("engine", ["batch", "plain"])
def test_can_a_kernel_reach_or_print_anything_of_the_grader(graded, engine):
    """Does an answer that prints its history, its globals and every module it can read show no grader-only
    line, and can it see neither the hidden checks, the grader's secret, the course's sources nor its gradebook?"""
    batch, plain, _ = graded
    course = batch if engine == "batch" else plain
    nb = nbformat.read(course.autograded_notebook("prints-the-grader"), as_version=4)
    printed = "\n".join(json.dumps(cell.get("outputs", [])) for cell in nb.cells)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "zero_pad")
    found = json.loads(next(line for line in cell.outputs[0].text.splitlines() if line.startswith("{")))
    assert found["paths"] == {path: False for path in found["paths"]}
    assert found["modules"] == []
    assert [line for line in GRADER_ONLY if line in printed] == []
    assert course.scores("prints-the-grader")["test_zero_pad"][0] == 0
