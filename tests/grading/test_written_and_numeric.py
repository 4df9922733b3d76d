"""The exercises on paper and the written questions, graded with real nbgrader.

Exercises 9-14 are answered with numbers and autograded: a visible check of the
answer's form, hidden checks of its values.  Questions 1-5 are answered in
prose and scored by a grader: each question is an nbgrader task cell whose
mark scheme (model answer and marks) is cut from the release, restored from
the gradebook for autograding, shown in formgrader and cut again from the
feedback.
"""
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import nbformat
import numpy as np
import pytest
from nbgrader.api import Gradebook

from coursekit.build.nbgrader_run import nbgrader_env, run_nbgrader
from coursekit.demo.answers import load_answers
from scratch import ANSWERS, COURSE, autograded_cells, load_beside, student_id

EXERCISES = ANSWERS / "exercises"
CORRECT = EXERCISES / "correct.py"
MISTAKES = sorted((EXERCISES / "mistakes").glob("*.py"))
#: Mistakes in the form of the answer, which the visible check is there to catch.
FORM_MISTAKES = {"edge_output__a_list_not_an_array", "layer_shapes__left_unanswered"}

#: The autograded exercises on paper and their points.
PAPER = {"test_edge_output": 4, "test_layer_shapes": 3, "test_layer_parameters": 3, "test_one_by_one": 2,
         "test_gap_backprop": 6, "test_pooling_by_hand": 2}
#: The written questions: task cell (question and mark scheme) -> answer cell, and the answer's points.
WRITTEN = {"question_conv_backprop": ("answer_conv_backprop", 6), "question_symmetry": ("answer_symmetry", 3),
           "question_pooling": ("answer_pooling", 4), "question_loss": ("answer_loss", 4),
           "question_leaky_relu": ("answer_leaky_relu", 3)}
MS_BEGIN, MS_END = "BEGIN MARK SCHEME", "END MARK SCHEME"
EN = COURSE.assignment_for("en")
NOTEBOOK = COURSE.notebook


def master():
    return nbformat.read(COURSE.master_path, as_version=4)


def cell_by_id(nb, cell_id):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def mark_scheme(source):
    """(the question, the lines of its mark scheme) of a task cell's source."""
    before, _, rest = source.partition(MS_BEGIN)
    inside = rest.partition(MS_END)[0]
    question = before.rsplit("\n", 1)[0].strip()
    return question, [line.strip() for line in inside.split("\n")[1:] if len(line.strip()) > 20]


def without_mark_schemes(source):
    return re.sub(rf"[^\n]*{MS_BEGIN}.*?{MS_END}[^\n]*", "", source, flags=re.S)


def distinctive_phrases(nb, question):
    """Runs of plain words from the question's mark scheme that stand nowhere else in the master."""
    elsewhere = "\n".join(without_mark_schemes(c.source) for c in nb.cells)
    _asked, scheme = mark_scheme(cell_by_id(nb, question).source)
    runs = [run.strip() for line in scheme for run in re.findall(r"[A-Za-z][A-Za-z ,;]{24,}", line)]
    return [run for run in runs if run not in elsewhere]


def lost(scores):
    """The autograded cells that did not get full marks."""
    return {cell for cell, (score, max_score) in scores.items()
            if cell in autograded_cells() and score < max_score}


def grades(course, student):
    """``{grade_id: Grade as a dict}`` of one submission, from the gradebook."""
    with Gradebook(course.course.db_url) as gb:
        notebook = gb.find_submission_notebook(NOTEBOOK, EN, student)
        return {g.name: g.to_dict() for g in notebook.grades}


@pytest.fixture(scope="module")
def paper(english_course, tmp_path_factory):
    """The correct answers, every catalogued mistake and a blank submission, autograded once."""
    blank = tmp_path_factory.mktemp("blank") / "blank.py"
    blank.write_text("", encoding="utf-8")
    students = {"paper-correct": CORRECT, "paper-blank": blank}
    students.update({f"paper-{student_id(path)}": path for path in MISTAKES})
    for student, path in students.items():
        english_course.submit(student, path)
    english_course.autograde("en", "--student=paper-*")
    return english_course


# --- the notebook ----------------------------------------------------------------

def test_are_the_new_cells_worth_the_points_stated():
    """Are the exercises and the answers worth their points, the questions 0, and the total 140?"""
    nb = master()
    meta = {c.get("id"): c.metadata.get("nbgrader", {}) for c in nb.cells}
    for test, points in PAPER.items():
        assert meta[test]["grade"] and meta[test]["locked"] and meta[test]["points"] == points, test
    for question, (answer, points) in WRITTEN.items():
        assert meta[question]["task"] and meta[question]["locked"] and meta[question]["points"] == 0, question
        assert cell_by_id(nb, question).cell_type == cell_by_id(nb, answer).cell_type == "markdown"
        assert meta[answer]["solution"] and meta[answer]["grade"] and meta[answer]["points"] == points, answer
    total = sum(m.get("points", 0) for m in meta.values() if m.get("grade") or m.get("task"))
    assert (total, sum(autograded_cells().values())) == (140, 120)


def test_does_every_question_have_a_model_answer_and_marks_adding_up():
    """Does every mark scheme hold a model answer, and do its marks add up to the answer's points?"""
    nb = master()
    for question, (_answer, points) in WRITTEN.items():
        source = cell_by_id(nb, question).source
        assert source.count(MS_BEGIN) == source.count(MS_END) == 1, question
        _text, lines = mark_scheme(source)
        assert any(line.startswith("**Model answer.**") for line in lines), question
        scheme = source.partition(MS_BEGIN)[2]
        assert f"**Marks ({points}).**" in scheme, question
        marks = [int(m) for m in re.findall(r"^- (\d) points?:", scheme, re.M)]
        assert sum(marks) == points, (question, marks)


def _solution_values(nb):
    """The answer key: the variables that the master's solution cells of the exercises define."""
    namespace = {"np": np}
    for test in PAPER:
        exec(cell_by_id(nb, test.removeprefix("test_")).source, namespace)
    return namespace


def _matrices(source):
    """``{name: array}`` for every ``NAME = \\begin{bmatrix} ... \\end{bmatrix}`` of a markdown cell."""
    found = {}
    for name, body in re.findall(r"(\w+) = \\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", source):
        found[name] = np.array([[float(x) for x in row.split("&")] for row in body.split(r"\\")])
    return found


def _correlate(image, kernel):
    """Valid cross-correlation, stride 1, written with loops (the convention of conv_single_step)."""
    f1, f2 = kernel.shape
    return np.array([[np.sum(image[i:i + f1, j:j + f2] * kernel) for j in range(image.shape[1] - f2 + 1)]
                     for i in range(image.shape[0] - f1 + 1)])


def test_do_the_published_matrices_give_the_answer_key():
    """Do the matrices printed in the exercises, recomputed here, give the master's answers?"""
    nb = master()
    key = _solution_values(nb)

    edge = _matrices(cell_by_id(nb, "edge-exercise").source)
    np.testing.assert_array_equal(key["edge_output"], _correlate(edge["X"], edge["K"]))
    np.testing.assert_array_equal(key["edge_output"], [[-30, 0, 30, 0]] * 3)

    gap = _matrices(cell_by_id(nb, "gap-exercise").source)
    X, F = gap["X"], gap["F"]
    loss = lambda: _correlate(X, F).mean()  # noqa: E731
    np.testing.assert_array_equal(key["gap_O"], _correlate(X, F))
    assert key["gap_L"] == loss() == 3.5
    for analytic, variable in ((key["gap_dF"], F), (key["gap_dX"], X)):
        numeric = np.zeros(variable.shape)
        for index in np.ndindex(variable.shape):
            old = variable[index]
            variable[index] = old + 1e-4
            plus = loss()
            variable[index] = old - 1e-4
            numeric[index] = (plus - loss()) / 2e-4
            variable[index] = old
        np.testing.assert_allclose(analytic, numeric, atol=1e-9)
    # the formulas of section 5.1 with dZ = 1/4 everywhere
    np.testing.assert_array_equal(key["gap_dF"], _correlate(X, np.full((2, 2), 0.25)))
    np.testing.assert_array_equal(key["gap_dX"], _correlate(np.pad(np.full((2, 2), 0.25), 1), F[::-1, ::-1]))

    pooled = _matrices(cell_by_id(nb, "pooling-by-hand-exercise").source)["A"]
    blocks = pooled.reshape(2, 2, 2, 2).swapaxes(1, 2)
    np.testing.assert_array_equal(key["max_pooled"], blocks.max(axis=(2, 3)))
    np.testing.assert_array_equal(key["average_pooled"], blocks.mean(axis=(2, 3)))
    assert key["average_pooled"][1, 0] == (8 + 2 + 1 + 3) / 4 == 3.5


def test_are_the_sizes_and_counts_of_the_network_right():
    """Do the answer key's shapes and parameter counts follow from the layer formulas?"""
    key = _solution_values(master())
    conv = (28 + 2 * 1 - 3) // 1 + 1
    pool = (conv - 2) // 2 + 1
    assert (conv, pool) == (28, 14)
    assert key["layer_shapes"] == {"conv": (28, 28, 16), "pool": (14, 14, 16), "flatten": 3136, "fc1": 32, "fc2": 5}
    weights = {"conv": 3 * 3 * 1 * 16, "fc1": pool * pool * 16 * 32, "fc2": 32 * 5}
    assert key["layer_parameters"] == {"conv": (weights["conv"], 16), "pool": (0, 0), "flatten": (0, 0),
                                       "fc1": (weights["fc1"], 32), "fc2": (weights["fc2"], 5)}
    assert [sum(key["layer_parameters"][k]) for k in ("conv", "fc1", "fc2")] == [160, 100384, 165]
    assert (key["one_by_one_shape"], key["one_by_one_reason"]) == ((28, 28, 32), 2)


# --- the visible checks look at the form only --------------------------------------

@pytest.fixture(scope="module")
def checks():
    """cnn_checks as students import it, from the master's folder (its library, cnn_checklib, beside it)."""
    return load_beside(COURSE.master_dir / "cnn_checks.py", "cnn_checks_paper")



def _visible_check(nb, test):
    """The visible call of a test cell, e.g. ('edge_output', ['edge_output'])."""
    fn, args = re.search(r"^check\.(\w+)\((.*)\)$", cell_by_id(nb, test).source, re.M).groups()
    return fn, [a.strip() for a in args.split(",")]


def _answers_namespace(path):
    namespace = {"np": np}
    answers = load_answers(path)
    for test in PAPER:
        exec(answers[test.removeprefix("test_")], namespace)
    return namespace


@pytest.mark.parametrize("path", MISTAKES, ids=lambda p: p.stem)
def test_does_the_visible_check_keep_the_values_to_itself(checks, path):
    """Does the visible check let a wrong value of the right form pass, and stop a wrong form?"""
    nb = master()
    fn, args = _visible_check(nb, "test_" + path.stem.split("__")[0])
    namespace = _answers_namespace(path)
    values = [namespace[a] for a in args]
    if path.stem in FORM_MISTAKES:
        with pytest.raises(checks.library.CheckFailed):
            getattr(checks, fn)(*values)
    else:
        getattr(checks, fn)(*values)


def test_does_the_visible_check_say_that_it_checked_the_form_only(checks, capsys):
    """Does a passing visible check say that the values are checked at grading, not that they are right?"""
    namespace = _answers_namespace(CORRECT)
    fn, args = _visible_check(master(), "test_gap_backprop")
    getattr(checks, fn)(*[namespace[a] for a in args])
    printed = capsys.readouterr().out
    assert "right form" in printed and "checked when your work is graded" in printed
    assert "passed" not in printed


def test_does_an_unanswered_exercise_say_what_to_do(checks):
    """Does the visible check of a released, unanswered exercise ask to replace None?"""
    with pytest.raises(checks.library.CheckFailed, match="replace None with your answer"):
        checks.one_by_one(None, None)


# --- autograding: one mistake, one exercise ------------------------------------------

@pytest.mark.slow
def test_does_a_correct_submission_get_every_autograded_point(paper):
    """Do correct answers, in other forms than the key's, get every autograded point, 120 in all?"""
    scores = paper.scores("paper-correct")
    assert lost(scores) == set()
    assert {cell: scores[cell] for cell in PAPER} == {cell: (p, p) for cell, p in PAPER.items()}
    assert sum(s for cell, (s, _m) in scores.items() if cell in autograded_cells()) == 120


def test_is_the_catalogue_of_mistakes_large_enough():
    """Does the catalogue hold at least two realistic mistakes for every exercise on paper?"""
    for test in PAPER:
        assert len([p for p in MISTAKES if p.stem.startswith(test.removeprefix("test_") + "__")]) >= 2, test


@pytest.mark.slow
@pytest.mark.parametrize("path", MISTAKES, ids=lambda p: p.stem)
def test_does_a_mistake_cost_its_own_exercise_only(paper, path):
    """Does each catalogued mistake lose its own exercise's points and nothing else?"""
    exercise = "test_" + path.stem.split("__")[0]
    scores = paper.scores(f"paper-{student_id(path)}")
    assert lost(scores) == {exercise}
    assert scores[exercise][0] == 0


@pytest.mark.slow
def test_does_a_blank_submission_score_nothing_without_waiting_for_a_grader(paper):
    """Does a submission that answers nothing get 0 everywhere, its written answers marked unanswered?"""
    record = grades(paper, "paper-blank")
    for _question, (answer, _points) in WRITTEN.items():
        assert (record[answer]["auto_score"], record[answer]["needs_manual_grade"]) == (0, False), answer
    assert all(paper.scores("paper-blank")[test][0] == 0 for test in PAPER)


# --- the mark schemes: out of the release, in formgrader, out of the feedback ----------

@pytest.mark.slow
def test_are_the_mark_schemes_and_model_answers_absent_from_the_release(paper):
    """Does the release keep each question but none of its mark scheme, nor the answers to the exercises?"""
    path = paper.course.release_notebook(EN)
    raw = path.read_text(encoding="utf-8")
    release = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in release.cells)
    nb = master()
    for question in WRITTEN:
        asked, scheme = mark_scheme(cell_by_id(nb, question).source)
        assert cell_by_id(release, question).source.strip() == asked
        assert len(scheme) >= 4, question
        assert [line for line in scheme if line in text] == [], question
    for test in PAPER:
        before, _, rest = cell_by_id(nb, test.removeprefix("test_")).source.partition("### BEGIN SOLUTION\n")
        key, _, after = rest.partition("### END SOLUTION")
        scaffold = {line.strip() for line in (before + after).split("\n")}
        key_lines = [line.strip() for line in key.split("\n") if len(line.strip()) > 12 and line.strip() not in scaffold]
        assert key_lines and [line for line in key_lines if line in text] == [], test
    for phrase in ("MARK SCHEME", "Model answer", "Marks (", "For graders only"):
        assert phrase not in raw, phrase


@pytest.mark.slow
def test_do_graders_get_the_mark_schemes_back_in_the_autograded_notebook(paper):
    """Does autograding restore each question's mark scheme from the gradebook, word for word?"""
    nb = master()
    graded = nbformat.read(paper.autograded_notebook("paper-correct"), as_version=4)
    for question in WRITTEN:
        assert cell_by_id(graded, question).source == cell_by_id(nb, question).source, question


@pytest.mark.slow
def test_are_written_answers_left_for_a_grader_after_autograding(paper):
    """After autograding, do the written answers (and only they, with their questions) wait for a grader?"""
    record = grades(paper, "paper-correct")
    waiting = {name for name, g in record.items() if g["needs_manual_grade"]}
    assert waiting == set(WRITTEN) | {answer for answer, _p in WRITTEN.values()}
    for answer, points in WRITTEN.values():
        assert (record[answer]["auto_score"], record[answer]["max_score"]) == (None, points)
    for question in WRITTEN:
        assert record[question]["max_score"] == 0


def _score_like_formgrader(grade, manual_score):
    """What formgrader's ``PUT /formgrader/api/grade/<id>`` does to a grade."""
    grade.manual_score = manual_score
    grade.extra_credit = None
    grade.needs_manual_grade = grade.manual_score is None and grade.auto_score is None


@pytest.mark.slow
def test_does_a_grader_score_add_to_the_total_through_the_gradebook(paper):
    """Does a grader's score for each written answer, set as formgrader sets it, count in the total?"""
    student = "paper-one-by-one-keeps-the-channels"
    given = {"answer_conv_backprop": 5, "answer_symmetry": 3, "answer_pooling": 2.5, "answer_loss": 4,
             "answer_leaky_relu": 1}
    with Gradebook(paper.course.db_url) as gb:
        before = gb.find_submission_notebook(NOTEBOOK, EN, student)
        autograded, waiting = before.score, before.needs_manual_grade
        for question, (answer, _points) in WRITTEN.items():
            _score_like_formgrader(gb.find_grade(answer, NOTEBOOK, EN, student), given[answer])
            _score_like_formgrader(gb.find_grade(question, NOTEBOOK, EN, student), 0)
        gb.db.commit()
        after = gb.find_submission_notebook(NOTEBOOK, EN, student)
        assert (autograded, waiting) == (118, True)
        assert (after.score, after.max_score, after.needs_manual_grade) == (118 + 15.5, 140, False)


# --- formgrader itself, over HTTP --------------------------------------------------------

class Formgrader:
    """``jupyter server`` with nbgrader's formgrader, on a free loopback port, in a course folder."""

    def __init__(self, root, tmp_path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.token = secrets.token_hex(16)
        env = nbgrader_env()
        env.update(JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
        cmd = [sys.executable, "-m", "jupyter", "server", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", "--ServerApp.open_browser=False",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = tmp_path / "server.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                return self.request("GET", "/formgrader/api/status")
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        raise AssertionError(f"formgrader did not start:\n{self.log.read_text()[-3000:]}")

    def request(self, method, path, body=None):
        """(status, text) of one request; errors are returned, not raised."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")

    def json(self, path, method="GET", body=None):
        status, text = self.request(method, path, body)
        assert status == 200, f"{method} {path}: {status}\n{self.log.read_text()[-3000:]}"
        return json.loads(text)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def formgrader(paper, tmp_path_factory):
    server = Formgrader(paper.root, tmp_path_factory.mktemp("formgrader"))
    try:
        server.wait()
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_does_formgrader_show_graders_the_mark_scheme_and_take_their_scores(paper, formgrader):
    """In formgrader, does a grader see each mark scheme and the student's answer, and do the scores count?"""
    student = "paper-pooling-by-hand-sums-the-windows"
    submission = formgrader.json(f"/formgrader/api/submission/{EN}/{student}")
    assert (submission["score"], submission["max_written_score"], submission["needs_manual_grade"]) == (118, 20, True)
    notebook = next(n for n in formgrader.json(f"/formgrader/api/submitted_notebooks/{EN}/{NOTEBOOK}")
                    if n["student"] == student)

    status, page = formgrader.request("GET", f"/formgrader/submissions/{notebook['id']}/")
    assert status == 200, f"the grading page failed ({status}):\n{formgrader.log.read_text()[-3000:]}"
    nb = master()
    for question in WRITTEN:
        phrases = distinctive_phrases(nb, question)
        assert len(phrases) >= 3 and [p for p in phrases if p not in page] == [], question
    assert page.count("Model answer.") == len(WRITTEN)
    assert "With equal weights every unit computes the same output" in page  # the student's answer

    given = {"answer_conv_backprop": 6, "answer_symmetry": 2, "answer_pooling": 4, "answer_loss": 3,
             "answer_leaky_relu": 2.5}
    for grade in formgrader.json(f"/formgrader/api/grades?submission_id={notebook['id']}"):
        if grade["name"] in given or grade["name"] in WRITTEN:
            score = given.get(grade["name"], 0)
            saved = formgrader.json(f"/formgrader/api/grade/{grade['id']}", "PUT", {"manual_score": score})
            assert (saved["manual_score"], saved["needs_manual_grade"]) == (score, False)
    submission = formgrader.json(f"/formgrader/api/submission/{EN}/{student}")
    assert (submission["score"], submission["written_score"], submission["needs_manual_grade"]) == (135.5, 17.5, False)


@pytest.mark.slow
def test_does_feedback_leave_the_mark_schemes_out(paper):
    """Does the students' feedback show the questions and their answers, but no mark scheme?"""
    run_nbgrader(["generate_feedback", EN, "--force", "--student=paper-correct"], paper.root)
    html = (paper.course.feedback_dir("paper-correct", EN) / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
    nb = master()
    assert "With equal weights every unit computes the same output" in html
    for question in WRITTEN:
        asked, _scheme = mark_scheme(cell_by_id(nb, question).source)
        assert asked.split("**")[1] in html, question
        phrases = distinctive_phrases(nb, question)
        assert len(phrases) >= 3 and [p for p in phrases if p in html] == [], question
    for phrase in ("MARK SCHEME", "Model answer", "For graders only"):
        assert phrase not in html, phrase
