"""Which code is compared: the answer cells, by grade id, in every language."""
import nbformat

from coursekit.course import Course
from coursekit.similarity.extract import answer_cells, class_submissions, extract, release_answer_cells

from helpers import REPO, labelled_set, scratch_course, write_class


def test_are_only_the_code_cells_marked_as_solutions_taken():
    """Are the answer cells the code cells nbgrader marks solution: true, keyed by grade id, and no prose?"""
    nb = nbformat.read(REPO / "release" / "cnn_step_by_step_en" / "cnn_step_by_step.ipynb", as_version=4)
    cells = answer_cells(nb)
    assert {"zero_pad", "conv_forward", "pool_backward", "layer_shapes"} <= set(cells)
    assert not any(key.startswith("answer_") for key in cells)  # the written answers are markdown
    solution_code = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
    assert len(cells) == len(solution_code)


def test_are_the_grade_ids_the_same_in_every_language():
    """Does every language's release have the same answer cells, so that cells are compared one to one?"""
    course = Course.load(REPO)
    ids = {lang: list(answer_cells(nbformat.read(course.release_notebook(course.assignment_for(lang)),
                                                 as_version=4)))
           for lang in course.languages}
    assert ids["fa"] == ids["en"] == ids["tr"]
    sources, order = release_answer_cells(course)
    assert order == ids["en"] and len(sources) == 3 * len(order)


def test_are_the_submissions_of_every_language_read(tmp_path):
    """Are the submissions of cnn_step_by_step_en, _fa and _tr all read, each with its student and language?"""
    course = scratch_course(tmp_path / "course")
    people = labelled_set(6, 0)
    write_class(course, people, tmp_path / "answers")
    skipped = []
    subs = class_submissions(course, skipped)
    assert not skipped
    assert {(s.student, s.language) for s in subs} == {(p.name, p.language) for p in people}
    assert all(s.cells["conv_forward"].strip() for s in subs)


def test_is_an_unreadable_notebook_named_and_left_out(tmp_path):
    """Is a submission whose notebook is not JSON named in the skipped list instead of stopping the report?"""
    course = scratch_course(tmp_path / "course")
    write_class(course, labelled_set(2, 0), tmp_path / "answers")
    bad = course.submitted_dir("broken", course.assignment_for("fa"))
    bad.mkdir(parents=True)
    (bad / "cnn_step_by_step.ipynb").write_text("{not json", encoding="utf-8")
    extracted = extract(course)
    assert len(extracted.submissions) == 2
    assert len(extracted.skipped) == 1 and "broken" in extracted.skipped[0]
