"""What counts as shared: never the release's code; disguised copies across languages; reference solutions."""
import random

import nbformat
import pytest

from coursekit.demo.answers import fill, load_answers
from coursekit.similarity.extract import CodeSubmission, Extracted, answer_cells, extract, release_answer_cells
from coursekit.similarity.fingerprint import Settings, common_hashes, fingerprint
from coursekit.similarity.rank import rank

from helpers import labelled_set, release_submission, scratch_course, similarity_set, write_class


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return scratch_course(tmp_path_factory.mktemp("similarity") / "course")


def _extracted(course, subs, refs=()):
    release, order = release_answer_cells(course)
    return Extracted(course.master, list(subs), list(refs), release, order)


def test_does_the_release_never_count_as_shared_code(course):
    """Do two blank submissions, the release as handed out in English and in Persian, share nothing?"""
    blank = [release_submission(course, "en", "ann"), release_submission(course, "fa", "bo"),
             release_submission(course, "tr", "cy")]
    result = rank(_extracted(course, blank))
    assert result.pairs == []


def test_do_the_given_lines_stay_unshared_when_the_answers_differ(course):
    """Do two answers written into the release's cells (its docstring and given lines kept) share little when
    the students' own lines differ?"""
    en = release_submission(course, "en", "ann")
    fa = release_submission(course, "fa", "bo")
    en.cells["conv_forward"] = en.cells["conv_forward"].replace(
        "raise NotImplementedError()", "(m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape", 1)
    fa.cells["conv_forward"] = fa.cells["conv_forward"].replace(
        "raise NotImplementedError()", "f = W.shape[0]; pad = hparameters['pad']; stride = hparameters['stride']", 1)
    result = rank(_extracted(course, [en, fa]), threshold=0.0)
    assert all(p.score < 0.2 for p in result.pairs)


def test_is_a_disguised_copy_found_in_another_language(course):
    """Is a copy that was renamed, reordered, reformatted, commented in Persian and handed in in Persian found
    against its English original, and is an independent author not?"""
    rng = random.Random(3)
    pool, exercises = similarity_set.solution_pool(), similarity_set.exercise_pool()
    taken = []
    original = similarity_set.independent_author(rng, 0, pool, exercises, taken)
    other = similarity_set.independent_author(rng, 1, pool, exercises, taken)
    original.language, other.language = "en", "tr"
    copy = similarity_set.disguised_copy(original, rng, 2)
    copy.language = "fa"
    copy.functions = {name: similarity_set.disguise_function(source, rng, "fa")
                      for name, source in original.functions.items()}
    assert copy.functions["conv_forward"] != original.functions["conv_forward"]
    subs = []
    for person in (original, other, copy):
        path = course.root / f"{person.name}.py"
        path.write_text(person.answer_file(), encoding="utf-8")
        nb = fill(nbformat.read(course.release_notebook(course.assignment_for(person.language)), as_version=4),
                  load_answers(path))
        subs.append(CodeSubmission(person.name, course.assignment_for(person.language), person.language,
                                   answer_cells(nb), path, student=person.name))
    result = rank(_extracted(course, subs))
    flagged = {frozenset((p.left.name, p.right.name)) for p in result.flagged}
    assert frozenset((original.name, copy.name)) in flagged
    assert frozenset((original.name, other.name)) not in flagged


def test_are_two_languages_of_one_student_not_compared(course):
    """Is a student who handed in the English and the Persian version not listed as similar to themself?"""
    en, fa = release_submission(course, "en", "ann"), release_submission(course, "fa", "ann")
    en.cells["zero_pad"] = fa.cells["zero_pad"] = (
        "def zero_pad(X, pad):\n    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='constant')\n"
        "    return X_pad\n")
    assert rank(_extracted(course, [en, fa]), threshold=0.0).pairs == []


def test_is_common_code_discounted_only_in_a_class_large_enough():
    """Is a fingerprint that most of the class has discounted, and nothing discounted in a class of three?"""
    settings = Settings(common_fraction=0.5, common_min_class=10)
    shared = "for i in range(m):\n    for h in range(n_H):\n        total = total + A[i, h] * 2\n"
    own = [f"value_{n} = np.arange({n}).reshape({n}, 1) @ np.ones((1, {n + 1}))\n" for n in range(12)]
    docs = [[fingerprint(shared + own[n], settings)] for n in range(12)]
    common = common_hashes(docs, settings)
    assert common and common <= fingerprint(shared, settings).hashes | docs[0][0].hashes
    assert not common & fingerprint(own[0], settings).hashes - fingerprint(shared, settings).hashes
    assert common_hashes(docs[:3], settings) == set()


def test_is_a_solution_from_a_reference_folder_found(tmp_path):
    """Does a submission copied, disguised, from a solution in a reference folder match that reference, and an
    independent one not?"""
    course = scratch_course(tmp_path / "course")
    people = labelled_set(6, 0)
    reference = people[0]
    copy = similarity_set.disguised_copy(reference, random.Random(5), 99)
    copy.name = "zed"
    write_class(course, people[1:] + [copy], tmp_path / "answers")
    folder = course.root / "references" / "online"
    folder.mkdir(parents=True)
    (folder / "found_online.py").write_text(reference.answer_file(), encoding="utf-8")
    result = rank(extract(course, ["references/online"]))
    assert [(p.left.name, p.right.name) for p in result.flagged_references] == [("zed", "online/found_online.py")]
    assert all(p.right.reference for p in result.references)
    assert not any(p.left.reference or p.right.reference for p in result.pairs)  # references are not the class


def test_does_the_benchmark_meet_its_targets_on_a_small_class():
    """On a small labelled class (30 independent authors, 10 disguised copies), are at least 90% of the copies
    flagged against their original and at most 2% of the independent pairs flagged?"""
    import similarity as benchmark

    people, result, _ = benchmark.measure(30, 10)
    copies, independent = benchmark.scores(people, result)
    figures = benchmark.figures(copies, independent, result.threshold)
    assert figures["copies"] == 10 and figures["independent"] == 40 * 39 // 2 - 10
    assert figures["recall"] >= 0.9, figures
    assert figures["independent_flagged"] <= 0.02, figures
    languages = {p.name: p.language for p in people}
    origin = {p.name: p.origin for p in people}
    found = [p for p in result.flagged if origin[p.left.name] == origin[p.right.name]]
    assert any(languages[p.left.name] != languages[p.right.name] for p in found), "no cross-language copy found"


def test_are_the_scores_the_same_in_every_run(tmp_path):
    """Does a second process give the same scores to the same class (no per-process hash salt)?"""
    import json
    import subprocess
    import sys

    course = scratch_course(tmp_path / "course")
    write_class(course, labelled_set(6, 2), tmp_path / "answers")
    script = ("import json, sys; from coursekit.course import Course; from coursekit.similarity.page import "
              "compare_class; r = compare_class(Course.load(sys.argv[1])); "
              "print(json.dumps([[p.left.name, p.right.name, round(p.score, 9)] for p in r.pairs]))")
    runs = [json.loads(subprocess.run([sys.executable, "-c", script, str(course.root)], capture_output=True,
                                      text=True, check=True, timeout=120).stdout) for _ in range(2)]
    assert runs[0] and runs[0] == runs[1]
