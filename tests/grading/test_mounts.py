"""What the sandbox sees and the one bubblewrap command line (sandbox.mounts, sandbox.command): no sandbox started.

The mount plan, the checks that keep the course out and the command builder
serve the cold kernel and the warm sandbox alike; here they are called on
plain folders of tmp_path and their results read.
"""
import json
import os
import sys
from pathlib import Path

import pytest

from coursekit.grading.sandbox.command import bwrap_argv, confinement, identity_files, sandbox_env
from coursekit.grading.sandbox.facts import SandboxFacts
from coursekit.grading.sandbox.mounts import MountPlan, Protected, base_plan, check_kernel_cwd, kit_package_dir
from coursekit.grading.sandbox.options import SOCKET_DIR, SandboxError, SandboxKernel


def pairs(args, flag):
    """The (source, destination) of every *flag* option (--ro-bind, --symlink) of a bwrap argv."""
    return [(args[i + 1], args[i + 2]) for i, a in enumerate(args) if a == flag]


def dirs_made(args):
    """{folder: mode} of every --dir that bwrap is told to make (each comes after its --perms)."""
    return {args[i + 1]: args[i - 1] for i, a in enumerate(args) if a == "--dir" and args[i - 2] == "--perms"}


# --- the mount plan ------------------------------------------------------------------------

def test_is_an_exposed_folder_bound_at_its_own_path(tmp_path):
    """Does exposing a folder give one read-only identity bind of it?"""
    plan = MountPlan()
    plan.expose(tmp_path)
    assert plan.binds == {str(tmp_path)}


def test_is_a_symlink_on_the_way_recreated_and_its_target_bound(tmp_path):
    """Does exposing a path through a symlink bind the real folder and recreate the link, so both paths resolve?"""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    plan = MountPlan()
    plan.expose(tmp_path / "link")
    assert plan.binds == {str(tmp_path / "real")}
    assert plan.links == {str(tmp_path / "link"): "real"}


def test_does_exposing_a_missing_path_fail(tmp_path):
    """Does exposing a path that does not exist raise a SandboxError naming it?"""
    with pytest.raises(SandboxError, match="does not exist"):
        MountPlan().expose(tmp_path / "missing")


def test_does_a_symlink_loop_fail(tmp_path):
    """Does a symlink loop on the way raise a SandboxError instead of recursing forever?"""
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(SandboxError, match="too many levels"):
        MountPlan().expose(tmp_path / "a")


def test_is_a_bind_inside_another_bind_left_out(tmp_path):
    """Does the argv bind a folder once, not again below an exposed parent?"""
    (tmp_path / "inner").mkdir()
    plan = MountPlan()
    plan.expose(tmp_path)
    plan.expose(tmp_path / "inner")
    assert pairs(plan.args(tmp_size=1, private_files={}), "--ro-bind") == [(str(tmp_path), str(tmp_path))]


def test_does_the_plan_refuse_to_cover_the_sandboxs_own_mounts():
    """Does a bind that would cover /tmp (or /proc, /dev, the socket folder) raise a SandboxError?"""
    plan = MountPlan()
    plan.binds.add("/")
    with pytest.raises(SandboxError, match="would cover"):
        plan.args(tmp_size=1, private_files={})


def test_are_missing_parents_made_traversable(tmp_path):
    """Are the folders leading to a private file made 0755, so that the unprivileged user can reach it?"""
    args = MountPlan().args(tmp_size=1, private_files={"/run/submission/deep/file": str(tmp_path)})
    assert dirs_made(args)["/run/submission"] == "0755"
    assert dirs_made(args)["/run/submission/deep"] == "0755"


def test_are_tmp_and_the_socket_folder_private_tmpfs_of_the_given_size():
    """Are /tmp (of the configured size) and the kernel's socket folder fresh tmpfs, world-writable and sticky?"""
    args = MountPlan().args(tmp_size=12345, private_files={})
    tmpfs = [args[i - 4:i + 2] for i, a in enumerate(args) if a == "--tmpfs"]
    assert ["--perms", "1777", "--size", "12345", "--tmpfs", "/tmp"] in tmpfs
    assert ["--perms", "1777", "--size", str(2**20), "--tmpfs", SOCKET_DIR] in tmpfs


def test_does_the_base_plan_show_python_the_kit_and_the_extras(tmp_path):
    """Does every sandbox see the interpreter, the kit's package and c.SandboxKernel.extra_readonly_paths?"""
    plan = base_plan(SandboxKernel(extra_readonly_paths=[str(tmp_path)]))
    resolved = {os.path.realpath(p) for p in plan.binds}
    for wanted in (sys.executable, kit_package_dir(), str(tmp_path)):
        real = os.path.realpath(wanted)
        assert any(real == b or real.startswith(b.rstrip("/") + "/") for b in resolved), wanted


# --- what no sandbox may show ---------------------------------------------------------------

def test_may_a_bind_contain_the_course_root(tmp_path):
    """Does Protected refuse a bind of a folder that holds the course root?"""
    with pytest.raises(SandboxError, match="contains"):
        Protected(roots=[tmp_path / "course"]).check([str(tmp_path)])


def test_may_a_bind_lie_inside_the_course_root(tmp_path):
    """Does Protected allow a bind inside the course root (the submission's own folder)?"""
    Protected(roots=[tmp_path]).check([str(tmp_path / "autograded" / "alice" / "hw")])


def test_may_a_bind_lie_inside_a_secret(tmp_path):
    """Does Protected refuse a bind inside a secret (the grader's hidden checks), where a root would allow it?"""
    with pytest.raises(SandboxError, match="inside"):
        Protected(secrets=[tmp_path / "hidden_checks"]).check([str(tmp_path / "hidden_checks" / "sub")])


def test_does_a_symlink_hide_a_protected_path(tmp_path):
    """Does Protected see through a symlink to the course root?"""
    (tmp_path / "course").mkdir()
    (tmp_path / "innocent").symlink_to(tmp_path)
    with pytest.raises(SandboxError):
        Protected(roots=[tmp_path / "course"]).check([str(tmp_path / "innocent")])


def test_is_the_course_root_refused_as_the_kernels_folder(tmp_path):
    """Does check_kernel_cwd() refuse the course root, or a folder above it, as a kernel's working folder?"""
    for cwd in (tmp_path / "course", tmp_path):
        (tmp_path / "course").mkdir(exist_ok=True)
        with pytest.raises(SandboxError, match="course root"):
            check_kernel_cwd(cwd, SandboxFacts(root=str(tmp_path / "course")))


def test_is_a_folder_with_a_course_config_refused(tmp_path):
    """Does check_kernel_cwd() refuse a folder holding nbgrader_config.py (another course's root)?"""
    (tmp_path / "nbgrader_config.py").write_text("")
    with pytest.raises(SandboxError):
        check_kernel_cwd(tmp_path, SandboxFacts())


def test_is_a_submission_folder_with_a_planted_config_accepted(tmp_path):
    """Does check_kernel_cwd() accept a submission folder in which a student put nbgrader_config.py?"""
    hw = tmp_path / "course" / "autograded" / "alice" / "hw"
    hw.mkdir(parents=True)
    (hw / "nbgrader_config.py").write_text("")
    check_kernel_cwd(hw, SandboxFacts(root=str(tmp_path / "course")))


def test_is_a_batch_workers_copy_with_a_planted_config_accepted(tmp_path):
    """Does check_kernel_cwd() accept the copy of a submission a batch worker grades in (inside the course, in no
    student folder) when the student put nbgrader_config.py in it, and still refuse such a folder elsewhere?"""
    copy = tmp_path / "course" / ".grading" / "worker-1" / "alice" / "hw"
    copy.mkdir(parents=True)
    (copy / "nbgrader_config.py").write_text("")
    check_kernel_cwd(copy, SandboxFacts(root=str(tmp_path / "course")))
    elsewhere = tmp_path / "other" / "alice" / "hw"
    elsewhere.mkdir(parents=True)
    (elsewhere / "nbgrader_config.py").write_text("")
    with pytest.raises(SandboxError):
        check_kernel_cwd(elsewhere, SandboxFacts(root=str(tmp_path / "course")))


# --- the bubblewrap command -------------------------------------------------------------------

def command(tmp_path, privileged=False, protected=None, plan=None, **options):
    settings = SandboxKernel(**options)
    plan = plan or MountPlan()
    private = identity_files(str(tmp_path), settings)
    return bwrap_argv(settings, bwrap="/usr/bin/bwrap", plan=plan, private_files=private,
                      protected=protected or Protected(), chdir="/run/submission", privileged=privileged,
                      program="coursekit.grading.sandbox.prelude", spec=confinement(settings, argv=["k"]), status_fd=7)


def test_does_the_command_unshare_every_namespace_and_die_with_its_parent(tmp_path):
    """Does the command ask for new pid, network, ipc, uts and cgroup namespaces, and --die-with-parent?"""
    argv = command(tmp_path)
    for flag in ("--die-with-parent", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--unshare-cgroup-try"):
        assert flag in argv, flag


def test_does_an_unprivileged_grader_map_the_sandbox_user(tmp_path):
    """Without root, does bwrap make a user namespace with the configured uid and gid, and no nested ones?"""
    argv = command(tmp_path, sandbox_uid=4242, sandbox_gid=4343)
    assert "--unshare-user" in argv and "--disable-userns" in argv
    assert argv[argv.index("--uid") + 1] == "4242" and argv[argv.index("--gid") + 1] == "4343"


def test_does_a_privileged_grader_keep_only_the_capabilities_to_drop_privileges(tmp_path):
    """As root, does bwrap drop every capability but the three the prelude needs to become the sandbox user?"""
    argv = command(tmp_path, privileged=True)
    kept = [argv[i + 1] for i, a in enumerate(argv) if a == "--cap-add"]
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert sorted(kept) == ["CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID"]
    assert "--unshare-user" not in argv


def test_does_the_command_run_the_program_isolated_with_its_spec(tmp_path):
    """Does the command end with `python -I -m <program> <spec as JSON>`, after `--`?"""
    argv = command(tmp_path, memory_limit_mb=100)
    tail = argv[argv.index("--") + 1:]
    assert tail[:4] == [sys.executable, "-I", "-m", "coursekit.grading.sandbox.prelude"]
    assert json.loads(tail[4])["limits"]["RLIMIT_AS"] == [100 * 2**20, 100 * 2**20]


def test_is_the_root_read_only_and_the_folder_the_one_given(tmp_path):
    """Does the command remount / read-only and change to the given folder?"""
    argv = command(tmp_path)
    assert argv[argv.index("--remount-ro") + 1] == "/"
    assert argv[argv.index("--chdir") + 1] == "/run/submission"


def test_does_the_command_give_the_sandbox_its_own_identity_files(tmp_path):
    """Are passwd, group and hosts the sandbox's own, naming the sandbox user, bound read-only on /etc?"""
    argv = command(tmp_path, sandbox_uid=4242)
    bound = {dest: src for src, dest in pairs(argv, "--ro-bind")}
    assert {"/etc/passwd", "/etc/group", "/etc/hosts"} <= set(bound)
    assert Path(bound["/etc/passwd"]).read_text().startswith("student:x:4242:")


def test_does_the_command_refuse_a_plan_that_shows_the_course(tmp_path):
    """Does the command builder refuse a plan whose binds would show the course root?"""
    plan = MountPlan()
    plan.expose(tmp_path)
    with pytest.raises(SandboxError):
        command(tmp_path, plan=plan, protected=Protected(roots=[tmp_path / "course"]))


def test_does_the_command_report_its_status_on_the_given_descriptor(tmp_path):
    """Is bwrap asked to write its JSON status (the sandbox's pid) to the given descriptor?"""
    argv = command(tmp_path)
    assert argv[argv.index("--json-status-fd") + 1] == "7"


def test_is_the_sandbox_environment_made_of_the_sandboxs_own_folders(monkeypatch):
    """Does every process in the sandbox get HOME and the caches in /tmp, and the grader's locale but not its PATH?"""
    monkeypatch.setenv("LC_ALL", "tr_TR.UTF-8")
    monkeypatch.setenv("PATH", "/home/grader/bin")
    env = sandbox_env()
    assert env["HOME"].startswith("/tmp/") and env["MPLCONFIGDIR"].startswith("/tmp/")
    assert env["LC_ALL"] == "tr_TR.UTF-8"
    assert env["PATH"] == "/usr/local/bin:/usr/bin:/bin"
