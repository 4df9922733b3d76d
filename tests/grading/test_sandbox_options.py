"""The sandbox's options, its kernelspec, and how a kernel finds its course: no kernel started."""
import sys

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from coursekit.grading.sandbox.kernelspec import install_kernelspec
from coursekit.grading.sandbox.options import (COURSE_ROOT_ENV, DISPLAY_NAME, KERNEL_NAME, SandboxError,
                                               SandboxKernel, find_course_root, load_settings, student_controlled)
from sandbox_course import alice, make_course


@pytest.fixture(autouse=True)
def _no_course_root_env(no_course_root_env):
    pass


def test_does_install_kernelspec_write_a_findable_spec(tmp_path, monkeypatch):
    """Does install_kernelspec() put cnn-sandbox where jupyter looks (sys.prefix), starting the launcher with -P?"""
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    assert install_kernelspec() == KERNEL_NAME
    kernels = tmp_path / "venv" / "share" / "jupyter" / "kernels"
    spec = KernelSpecManager(kernel_dirs=[str(kernels)]).get_kernel_spec(KERNEL_NAME)
    assert spec.display_name == DISPLAY_NAME == "Python 3 (grading sandbox)"
    assert spec.argv == [sys.executable, "-P", "-m", "coursekit.grading.sandbox.launcher", "-f", "{connection_file}"]
    assert spec.interrupt_mode == "message"


def test_are_the_options_read_from_nbgrader_config(tmp_path):
    """Are SandboxKernel options read from the course's nbgrader_config.py, others keeping their defaults?"""
    root = make_course(tmp_path / "course", cpu_time_limit_s=7, extra_readonly_paths=["/opt"])
    settings = load_settings(find_course_root(alice(root)))
    assert (settings.memory_limit_mb, settings.cpu_time_limit_s, settings.extra_readonly_paths) == (512, 7, ["/opt"])
    assert settings.allow_unsandboxed is False


def test_is_a_course_inside_a_folder_named_like_an_nbgrader_tree_found(tmp_path):
    """Is a course that itself lies in a folder named feedback/ found from its submission's folder?"""
    (tmp_path / "feedback").mkdir()
    nested = make_course(tmp_path / "feedback" / "course")
    assert find_course_root(alice(nested)) == nested.resolve()


def test_is_a_config_file_in_a_students_folder_skipped(tmp_path):
    """Is a nbgrader_config.py planted in autograded/<student>/<assignment>/ passed over for the course's own?"""
    root = make_course(tmp_path / "course")
    (alice(root) / "nbgrader_config.py").write_text("c = get_config()\n")
    assert find_course_root(alice(root)) == root.resolve()


def test_does_the_environment_name_the_course(tmp_path, monkeypatch):
    """Does $COURSEKIT_COURSE_ROOT win over the folders above the kernel's?"""
    root = make_course(tmp_path / "course")
    other = make_course(tmp_path / "other", cpu_time_limit_s=9)
    monkeypatch.setenv(COURSE_ROOT_ENV, str(other))
    assert find_course_root(alice(root)) == other.resolve()
    assert load_settings(find_course_root(alice(root))).cpu_time_limit_s == 9


def test_does_the_environment_fail_loudly_when_it_names_no_course(tmp_path, monkeypatch):
    """Does a $COURSEKIT_COURSE_ROOT without nbgrader_config.py raise a SandboxError naming it?"""
    monkeypatch.setenv(COURSE_ROOT_ENV, str(tmp_path))
    with pytest.raises(SandboxError, match=COURSE_ROOT_ENV):
        find_course_root(tmp_path)


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
    assert student_controlled(f"/srv/{folder}") is expected


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
