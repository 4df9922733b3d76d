"""A course whose nbgrader folders are renamed, graded under plain ``nbgrader autograde`` and ``coursekit grade``:
the sandbox hides what the Course holds under whatever names the course gives its folders, and no config file a
student plants in a submission is ever run.

The class: ``a-victim`` (a correct notebook, graded in the same run), ``b-earlier`` (no submission this time;
an earlier run left work of theirs in the graded and returned folders), and ``z-prober``
(``hostile/lists_what_it_can_reach``: a correct notebook that lists and reads every file it can reach, with
config files planted beside the notebook and one folder above it, each of which would leave a canary file
and mark the environment if it ran).
"""
import json

import pytest
from nbgrader.api import Gradebook

from scratch import ANSWERS, CORRECT_LOOPS, ScratchCourse, autograded_cells

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

RENAMED = {"submitted_directory": "inbox", "autograded_directory": "graded", "feedback_directory": "returned"}
#: Config files of nbgrader, IPython and Jupyter, as a student could plant them.
PLANTED = ("nbgrader_config.py", "ipython_config.py", "ipython_kernel_config.py", "jupyter_config.py",
           "jupyter_nbconvert_config.py")
PROBER, VICTIM, EARLIER = "z-prober", "a-victim", "b-earlier"
ENGINES = ["plain", "batch"]
#: The test cells of the assignment's functions (the paper exercises' numbers may differ per student).
FUNCTIONS = {name for name in autograded_cells() if name.startswith("test_") and name[5:] in {
    "zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward", "create_mask_from_window",
    "distribute_value", "pool_backward"}}


def plant(folder, canaries):
    for name in PLANTED:
        (folder / name).write_text(
            "import os, pathlib\n"
            f"pathlib.Path({str(canaries)!r}, {folder.name + '-' + name!r}).write_text('ran')\n"
            f"os.environ['PLANTED_CONFIG_RAN'] = {name!r}\n")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = {}
    for engine in ENGINES:
        canaries = tmp_path_factory.mktemp(f"canaries-{engine}")
        config = "".join(f"\nc.CourseDirectory.{key} = {value!r}" for key, value in RENAMED.items()) + "\n"
        course = ScratchCourse(tmp_path_factory.mktemp(engine), ["en"], timeout=30, config=config)
        assignment = course.course.assignment_for("en")
        course.submit(VICTIM, CORRECT_LOOPS)
        submission = course.submit(PROBER, ANSWERS / "hostile" / "lists_what_it_can_reach.py")
        plant(submission, canaries)
        plant(submission.parent, canaries)
        for folder in (course.course.autograded_dir(EARLIER, assignment), course.course.feedback_dir(EARLIER, assignment)):
            folder.mkdir(parents=True)
            (folder / "earlier-work.txt").write_text("b-earlier's work")
        if engine == "plain":
            course.autograde()
        else:
            course.grade()
        out[engine] = (course, canaries)
    return out


def reached(course) -> dict:
    nb = course.course.autograded_notebook(PROBER, course.course.assignment_for("en"))
    lines = [line for cell in json.loads(nb.read_text())["cells"] for o in cell.get("outputs", [])
             for line in "".join(o.get("text", "")).splitlines() if line.startswith("REACHED:")]
    assert len(lines) == 1, "the prober's cell printed its findings once"
    return json.loads(lines[0][len("REACHED:"):])


def function_scores(course, student) -> dict:
    """``{grade_id: (score, max)}`` of the cells that test the assignment's functions."""
    with Gradebook(course.course.db_url, course.course.course_id) as gb:
        notebook = gb.find_submission_notebook(course.course.notebook, course.course.assignment_for("en"), student)
        return {g.name: (g.score, g.max_score) for g in notebook.grades if g.name in FUNCTIONS}


@pytest.mark.parametrize("engine", ENGINES)
def test_does_a_course_with_renamed_folders_build_and_grade(graded, engine):
    """Are the renamed folders the ones used, and do the correct notebooks (the prober's is one) get every
    point the autograder gives?"""
    course, _ = graded[engine]
    root, assignment = course.root, course.course.assignment_for("en")
    assert sorted(course.course.student_trees) == sorted(RENAMED.values())
    assert (root / "graded" / VICTIM / assignment).is_dir() and not (root / "autograded").exists()
    full = {name: (points, points) for name, points in autograded_cells().items() if name in FUNCTIONS}
    assert len(full) == 8
    assert function_scores(course, VICTIM) == function_scores(course, PROBER) == full


@pytest.mark.parametrize("engine", ENGINES)
def test_can_a_submission_reach_the_renamed_folders_of_others(graded, engine):
    """Does a submission that lists and reads what it can reach find nothing of the course but its own folder:
    no other student's work in inbox/, graded/ or returned/, no gradebook, no master, no hidden checks?"""
    course, _ = graded[engine]
    found = reached(course)
    assert any(path.endswith("cnn_checks.py") for path in found["read"]), "the prober saw its own files"
    root = str(course.root.resolve())
    own = str(course.course.autograded_dir(PROBER, course.course.assignment_for("en")).resolve())
    inside_course = [path for path in found["paths"] if path.startswith(root + "/") or path == root]
    assert [path for path in inside_course if not (own.startswith(path) or path.startswith(own + "/"))] == []
    for word in ("inbox", "returned", VICTIM, EARLIER, "gradebook", "hidden_checks", ".secret"):
        assert [path for path in found["paths"] if word in path.split("/")[-1] or f"/{word}/" in path] == [], word


@pytest.mark.parametrize("engine", ENGINES)
def test_is_a_config_file_planted_in_a_submission_never_run(graded, engine):
    """Config files planted beside the notebook and one folder above it: does no canary appear, and did none
    of them run in the student's kernel?"""
    course, canaries = graded[engine]
    assert sorted(p.name for p in canaries.iterdir()) == []
    assert reached(course)["planted"] is None
    submission = course.course.submitted_dir(PROBER, course.course.assignment_for("en"))
    assert (submission / "nbgrader_config.py").is_file() and (submission.parent / "nbgrader_config.py").is_file()
