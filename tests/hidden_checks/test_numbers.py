"""Each student's numbers for the exercises on paper: the draw, and the grader's checks over many students.

No kernel and no nbgrader: the master's solutions and the draw are trusted code, run here, and the
grader's verdicts are made from what they give, through the wire format (``verdict.local``).
"""
import numpy as np
import pytest

from coursekit.grading.verdict.local import namespace_of, verdict_here
from test_hidden_checks import CHECKS, COURSE, master_solutions, numbers_source

NUMBERS = CHECKS.check.numbers
#: The exercises on paper: {hidden check: its key in the numbers}.
EXERCISES = {name: CHECKS.unit(name).NUMBERS for name in CHECKS.hidden.CHECKS
             if hasattr(CHECKS.unit(name), "NUMBERS")}
#: As many students as a large class: every variant they get is drawn, solved and checked.
CLASS = [f"s{2026000 + i}" for i in range(500)]
SALT = COURSE.numbers_salt


def draw(student):
    return NUMBERS.draw(student, SALT)


def solved(student, solutions=None):
    """The namespace of the master's solutions run for *student*'s numbers."""
    return namespace_of(f"numbers = {numbers_source(student)}\n" + (solutions or master_solutions()))


def test_are_the_six_exercises_the_ones_with_numbers():
    """Does every exercise on paper, and only they, take its numbers from the draw?"""
    assert EXERCISES == {"edge_output": "edge", "layer_shapes": "network", "layer_parameters": "network",
                         "one_by_one": "one_by_one", "gap_backprop": "gap", "pooling_by_hand": "pooling"}
    assert set(EXERCISES.values()) == set(NUMBERS.DRAWS)


def test_does_every_release_carry_the_courses_salt():
    """Does each language's release hold the course's public salt beside its notebook, where its numbers read it,
    so that students see the numbers that the grader judges?"""
    assert SALT.strip()
    for lang in COURSE.languages:
        path = COURSE.release_dir(COURSE.assignment_for(lang)) / "data" / "numbers_salt"
        assert path.read_text(encoding="utf-8").splitlines()[-1] == SALT, lang


def test_do_two_students_get_different_numbers():
    """Do two students get different numbers in every exercise, and so different right answers?"""
    alice, bob = draw("alice"), draw("bob")
    for key in NUMBERS.DRAWS:
        assert NUMBERS.code_of(alice[key]) != NUMBERS.code_of(bob[key]), key
    assert NUMBERS.code_of(alice) != NUMBERS.code_of(bob)


def test_is_the_draw_the_same_every_time_and_for_the_salt_only():
    """Are a student's numbers the same on every draw, pinned for a given salt, and new under a new salt?"""
    assert NUMBERS.code_of(draw("alice")) == NUMBERS.code_of(draw("alice")) == NUMBERS.code_of(draw(" alice "))
    # Pinned: a change of the draw would give every student of a running term other numbers.
    assert NUMBERS.code_of(NUMBERS.draw("alice", "cnn-step-by-step 2026")) == "11df433df9"
    assert NUMBERS.code_of(NUMBERS.draw("alice", "another term")) != NUMBERS.code_of(draw("alice"))
    assert NUMBERS.code_of(NUMBERS.draw(1234567, SALT)) == NUMBERS.code_of(NUMBERS.draw("1234567", SALT))


def test_is_every_variant_well_posed():
    """Over a class of 500, are the sizes whole, the values small and every answer in a sensible range?"""
    for student in CLASS:
        numbers = draw(student)
        X, K = numbers["edge"]["X"], numbers["edge"]["K"]
        assert 4 <= X.shape[0] <= 8 and 5 <= X.shape[1] <= 9 and K.shape == (3, 3)
        column = np.flatnonzero(X[0])
        assert len(column) == 1 and 0 < column[0] < X.shape[1] - 1 and 2 <= X[0, column[0]] <= 20
        net = numbers["network"]
        assert (net["size"] + 2 * net["pad"] - net["f"]) % net["stride"] == 0, student
        conv = (net["size"] + 2 * net["pad"] - net["f"]) // net["stride"] + 1
        assert (conv - net["pool_f"]) % net["pool_stride"] == 0, student
        pool = (conv - net["pool_f"]) // net["pool_stride"] + 1
        assert 2 <= pool <= conv <= 66 and net["pad"] < net["f"]
        assert pool * pool * net["filters"] * net["fc1"] <= 5_000_000  # FC1's weights, as many as in real networks
        one = numbers["one_by_one"]
        assert 7 <= one["height"] <= 64 and one["filters"] < one["channels"]
        X, F = numbers["gap"]["X"], numbers["gap"]["F"]
        assert X.shape == (3, 3) and F.shape == (2, 2) and np.abs(X).max() <= 3 and np.abs(F).max() <= 2
        assert not np.array_equal(F, F[::-1, ::-1])
        A = numbers["pooling"]["A"]
        assert A.shape[0] in (4, 6) and A.shape[1] in (4, 6) and A.min() >= 0 and A.max() <= 9
        for value in (numbers["edge"]["X"], numbers["gap"]["X"], numbers["pooling"]["A"]):
            assert value.dtype.kind == "i"


def test_are_the_variants_many():
    """Over a class of 500, are the numbers of each exercise nearly all different, and does a classmate taken
    at random have the same numbers as you in fewer than 1 exercise in 1000?"""
    codes = {key: [NUMBERS.code_of(draw(s)[key]) for s in CLASS] for key in NUMBERS.DRAWS}
    pairs = len(CLASS) * (len(CLASS) - 1) // 2
    for key, seen in codes.items():
        assert len(set(seen)) >= 0.9 * len(CLASS), (key, len(set(seen)))
        same = sum(n * (n - 1) // 2 for n in np.unique(seen, return_counts=True)[1])
        assert same / pairs < 1e-3, (key, same)
    assert len({NUMBERS.code_of(draw(s)) for s in CLASS}) == len(CLASS)


def verdicts(student, namespace):
    return {name: verdict_here(CHECKS.cell(name, student), namespace) for name in EXERCISES}


def test_does_the_grader_accept_the_reference_answers_of_every_variant():
    """For each of 500 students, do the master's answers for their numbers pass every exercise's checks?"""
    solutions = master_solutions()
    for student in CLASS:
        failed = {name: v.text for name, v in verdicts(student, solved(student, solutions)).items() if not v.passed}
        assert failed == {}, (student, failed)


def test_does_a_classmates_answers_score_nothing_on_the_exercises():
    """Do a classmate's right answers, handed in under another id, fail each exercise whose numbers differ?"""
    solutions = master_solutions()
    copied = 0
    for student, classmate in zip(CLASS[:100], CLASS[1:101]):
        theirs = solved(classmate, solutions)
        for name, verdict in verdicts(student, theirs).items():
            same = NUMBERS.code_of(draw(student)[EXERCISES[name]]) == NUMBERS.code_of(draw(classmate)[EXERCISES[name]])
            assert verdict.passed == same, (student, classmate, name)
            copied += verdict.passed
    assert copied <= 5  # numbers that happen to be the same: rare


def test_is_a_student_graded_again_graded_the_same():
    """Does judging the same answers of the same student twice give the same verdicts, word for word?"""
    namespace = solved("bob")
    namespace["edge_output"] = namespace["edge_output"] + 1
    first, second = verdicts("bob", namespace), verdicts("bob", namespace)
    assert {n: (v.passed, v.text) for n, v in first.items()} == {n: (v.passed, v.text) for n, v in second.items()}
    assert not first["edge_output"].passed and all(v.passed for n, v in first.items() if n != "edge_output")


def test_does_the_notebook_show_every_number():
    """Does the text your_numbers shows hold every row of the largest arrays, none cut short with '...'?"""
    biggest = max(CLASS[:200], key=lambda s: draw(s)["edge"]["X"].size)
    numbers = draw(biggest)
    text = NUMBERS.describe(biggest, numbers, NUMBERS.code_of(numbers))
    assert "..." not in text and numbers["edge"]["X"].size == 8 * 9
    assert text.count("\n [") + text.count("\n[[") >= sum(len(numbers[k][n]) for k, n in
                                                         (("edge", "X"), ("edge", "K"), ("gap", "X"), ("gap", "F"),
                                                          ("pooling", "A")))


def test_does_a_missing_id_say_what_to_type(monkeypatch):
    """Off JupyterHub, does your_numbers(None) ask for the id the course gave, and take the hub's user there?"""
    monkeypatch.delenv(NUMBERS.PLATFORM_USER, raising=False)
    with pytest.raises(CHECKS.check.CheckFailed, match="replace None with the id the course gave you"):
        NUMBERS.your_numbers(None)
    with pytest.raises(CHECKS.check.CheckFailed, match="in quotes"):
        NUMBERS.your_numbers("   ")
    monkeypatch.setenv(NUMBERS.PLATFORM_USER, "carol")
    assert NUMBERS.identity(None) == "carol" and NUMBERS.identity("dave") == "dave"
