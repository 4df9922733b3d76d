"""The sandbox's options, its kernelspec, and the course facts the grader hands a launcher: no kernel started."""
import sys

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from coursekit.grading.sandbox.kernelspec import install_kernelspec
from coursekit.course import Course
from coursekit.grading.sandbox.facts import FACTS_ARG, SandboxFacts, facts_argument, facts_of, take_facts
from coursekit.grading.sandbox.options import DISPLAY_NAME, KERNEL_NAME, SandboxError, SandboxKernel
from sandbox_course import make_course


def test_does_install_kernelspec_write_a_findable_spec(tmp_path, monkeypatch):
    """Does install_kernelspec() put cnn-sandbox where jupyter looks (sys.prefix), starting the launcher with -P?"""
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    assert install_kernelspec() == KERNEL_NAME
    kernels = tmp_path / "venv" / "share" / "jupyter" / "kernels"
    spec = KernelSpecManager(kernel_dirs=[str(kernels)]).get_kernel_spec(KERNEL_NAME)
    assert spec.display_name == DISPLAY_NAME == "Python 3 (grading sandbox)"
    assert spec.argv == [sys.executable, "-P", "-m", "coursekit.grading.sandbox.launcher", "-f", "{connection_file}"]
    assert spec.interrupt_mode == "message"


def test_are_the_options_those_of_the_course_facts(tmp_path):
    """Do the facts the grader hands a launcher carry the course's SandboxKernel options, others keeping their
    defaults, and its root, student folders, hidden checks and secret?"""
    root = make_course(tmp_path / "course", cpu_time_limit_s=7, extra_readonly_paths=["/opt"])
    facts = facts_of(Course.load(root))
    settings = facts.settings()
    assert (settings.memory_limit_mb, settings.cpu_time_limit_s, settings.extra_readonly_paths) == (512, 7, ["/opt"])
    assert settings.allow_unsandboxed is False
    assert facts.root == str(root.resolve())
    assert set(facts.student_trees) == {"submitted", "autograded", "feedback"}
    assert str(root.resolve() / "hidden_checks") in facts.secrets


def test_do_the_facts_cross_as_data_and_come_back_the_same(tmp_path):
    """Does a facts file written by the grader read back as the same facts, and the argument leave the others?"""
    facts = facts_of(Course.load(make_course(tmp_path / "course", cpu_time_limit_s=9)))
    argument = facts_argument(facts)
    assert argument.startswith(FACTS_ARG)
    read, rest = take_facts(["--foo", argument, "--bar"])
    assert read == facts and rest == ["--foo", "--bar"]
    assert take_facts(["--foo"]) == (SandboxFacts(), ["--foo"])


@pytest.mark.parametrize("text", ["not json", "[]", '{"root": "/x", "code": "import os"}',
                                  '{"options": {"memory_limit_mb": "lots"}}'])
def test_is_a_malformed_facts_file_refused(tmp_path, text):
    """Is a facts file that is not the grader's JSON refused with a SandboxError naming the file?"""
    path = tmp_path / "facts.json"
    path.write_text(text)
    with pytest.raises(SandboxError, match="facts.json"):
        take_facts([FACTS_ARG + str(path)])


def test_do_renamed_student_folders_count_as_students_folders(tmp_path):
    """With nbgrader's folders renamed (submitted_directory = "inbox" ...), are those the folders the sandbox
    treats as students' (and the default names no longer)?"""
    root = make_course(tmp_path / "course")
    with open(root / "nbgrader_config.py", "a") as file:
        file.write('c.CourseDirectory.submitted_directory = "inbox"\n'
                   'c.CourseDirectory.autograded_directory = "marked"\n'
                   'c.CourseDirectory.feedback_directory = "returned"\n')
    facts = facts_of(Course.load(root))
    assert set(facts.student_trees) == {"inbox", "marked", "returned"}
    assert facts.student_controlled(root / "inbox" / "bob" / "hw")
    assert not facts.student_controlled(root / "submitted" / "bob" / "hw")


@pytest.mark.parametrize("folder, expected", [
    ("course/autograded/alice/hw", True),
    ("course/autograded/alice/hw/data", True),
    ("course/submitted/bob/hw", True),
    ("course/feedback/bob/hw", True),
    ("course/autograded/alice", False),
    ("course/autograded", False),
    ("course/source/hw", False),
    ("course", False),
])
def test_may_the_folder_hold_a_students_files(folder, expected):
    """Is a folder taken as student-controlled exactly when it is <tree>/<student>/<assignment>/ or below?"""
    assert SandboxFacts().student_controlled(f"/srv/{folder}") is expected


def test_are_the_limits_the_options(tmp_path):
    """Do the resource limits follow the options: MiB as bytes, a CPU hard limit one second above the soft one?"""
    settings = SandboxKernel(memory_limit_mb=512, cpu_time_limit_s=7, max_processes=99)
    assert settings.limits() == {"RLIMIT_CORE": (0, 0), "RLIMIT_AS": (512 * 2**20, 512 * 2**20),
                                 "RLIMIT_CPU": (7, 8), "RLIMIT_NPROC": (99, 99)}


def test_does_zero_mean_no_limit():
    """Does 0 leave out the memory, CPU and process limits (the core dump limit stays)?"""
    settings = SandboxKernel(memory_limit_mb=0, cpu_time_limit_s=0, max_processes=0)
    assert settings.limits() == {"RLIMIT_CORE": (0, 0)}


def test_does_a_missing_bwrap_name_the_option_and_the_package(tmp_path):
    """Does resolve_bwrap() raise a SandboxError naming c.SandboxKernel.bwrap_path and the package to install?"""
    with pytest.raises(SandboxError, match=r"bwrap_path = '/nonexistent/bwrap'.*apt-get install bubblewrap"):
        SandboxKernel(bwrap_path="/nonexistent/bwrap").resolve_bwrap()


def test_does_a_bwrap_that_cannot_run_fail(tmp_path):
    """Does resolve_bwrap() refuse a bubblewrap file that is not executable?"""
    fake = tmp_path / "bwrap"
    fake.write_text("")
    fake.chmod(0o644)
    with pytest.raises(SandboxError, match="not executable"):
        SandboxKernel(bwrap_path=str(fake)).resolve_bwrap()
