"""What the coordinator sends its workers besides the submissions (coursekit.grading.batch.bundle)."""
import os

from coursekit.course import Course
from coursekit.grading.batch.bundle import Bundle, export_definitions, source_files


def course_at(folder) -> Course:
    folder.mkdir()
    (folder / "nbgrader_config.py").write_text("c = get_config()  # noqa\n")
    return Course.load(folder)


def test_does_exporting_the_definitions_leave_the_path_alone(tmp_path, monkeypatch):
    """Is the process's PATH the same after export_definitions() as before (nbgrader needs it to run alembic)?

    The batch's coordinator exports them first, then starts workers and nbgrader commands that look for
    bwrap and alembic on PATH.
    """
    monkeypatch.setenv("PATH", os.pathsep.join(["/usr/local/bin", "/usr/bin", "/bin"]))
    before = os.environ["PATH"]
    export_definitions(course_at(tmp_path / "course"), [], tmp_path / "definitions.db")
    after = os.environ.get("PATH")
    assert after == before


def test_are_the_source_files_sent_without_notebooks_or_caches(tmp_path):
    """Does the bundle carry the assignment's source files, but no notebook, checkpoint or bytecode?"""
    course = course_at(tmp_path / "course")
    folder = course.source_dir("hw")
    (folder / "data").mkdir(parents=True)
    (folder / "__pycache__").mkdir()
    for name in ("hw.ipynb", "cnn_checks.py", "data/values.h5", "__pycache__/cnn_checks.cpython-311.pyc"):
        (folder / name).write_bytes(name.encode())
    assert sorted(source_files(course, "hw")) == ["cnn_checks.py", "data/values.h5"]


def test_is_a_bundle_plain_data():
    """Is a bundle the definitions' bytes and the files' bytes, so that it pickles to any worker?"""
    import pickle

    bundle = Bundle(b"sqlite", {"hw": {"cnn_checks.py": b"x"}})
    assert pickle.loads(pickle.dumps(bundle)) == bundle


def test_are_the_definitions_made_without_running_alembic(tmp_path, monkeypatch):
    """Are the definitions exported with the course gradebook's cells and schema version, without running
    the ``alembic`` program (seconds of every batch)?"""
    from nbgrader.api import Gradebook
    from sqlalchemy import text

    from coursekit.build.nbgrader_run import environment, nbgrader_env

    course = course_at(tmp_path / "course")
    with environment(PATH=nbgrader_env()["PATH"]), Gradebook(course.db_url, course.course_id) as gb:
        gb.update_or_create_assignment("hw")
        gb.update_or_create_notebook("hw", "hw")
        gb.update_or_create_grade_cell("check", "hw", "hw", max_score=5, cell_type="code")
        gb.update_or_create_source_cell("check", "hw", "hw", cell_type="code", locked=True,
                                        source="assert True", checksum="abc")
        version = gb.db.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    def no_alembic():
        raise AssertionError("alembic was run")
    monkeypatch.setattr("nbgrader.api.get_alembic_version", no_alembic)
    path = export_definitions(course, ["hw"], tmp_path / "definitions.db")
    with Gradebook(f"sqlite:///{path}", course.course_id) as dst:
        assert dst.db.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == version
        [nb] = dst.find_assignment("hw").notebooks
        assert [(c.name, c.max_score) for c in nb.grade_cells] == [("check", 5)]
        assert [(c.name, c.locked, c.source) for c in nb.source_cells] == [("check", True, "assert True")]
