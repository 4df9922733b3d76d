"""The warm sandbox's file handling from outside it (coursekit.grading.sandbox.files, warm): no sandbox started.

The grader walks below the sandbox's root one component at a time and never
follows a link the submission made; these tests play the submission with
plain folders, symlinks and sockets.
"""
import os
import socket
import stat

import pytest

from coursekit.grading.sandbox.files import copy_submission_files, open_beneath, socket_fd, wipe_beneath


@pytest.fixture
def fake_root(tmp_path):
    """A folder playing the sandbox's root, with /run/kernel in it, and a socket of the host outside it."""
    host = socket.socket(socket.AF_UNIX)
    host.bind(str(tmp_path / "host.sock"))
    host.listen()
    root = tmp_path / "root"
    (root / "run" / "kernel").mkdir(parents=True)
    (root / "elsewhere").mkdir()
    fd = os.open(root, os.O_PATH | os.O_DIRECTORY)
    yield root, fd
    os.close(fd)
    host.close()


def test_does_the_grader_refuse_a_socket_that_is_a_symlink(fake_root, tmp_path):
    """Does socket_fd() refuse a kernel socket that is a symlink to a socket of the host?"""
    root, fd = fake_root
    (root / "run" / "kernel" / "k-1").symlink_to(tmp_path / "host.sock")
    with pytest.raises(OSError):
        socket_fd(fd, "run/kernel/k-1")


def test_does_the_grader_refuse_a_socket_reached_through_a_symlinked_folder(fake_root, tmp_path):
    """Does socket_fd() refuse a socket whose path goes through a symlinked folder?"""
    root, fd = fake_root
    os.symlink(tmp_path / "host.sock", root / "elsewhere" / "k-2")
    (root / "run" / "linked").symlink_to(root / "elsewhere")
    with pytest.raises(OSError):
        socket_fd(fd, "run/linked/k-2")


def test_does_the_grader_refuse_a_file_that_is_no_socket(fake_root):
    """Does socket_fd() refuse a regular file where the kernel's socket should be?"""
    root, fd = fake_root
    (root / "run" / "kernel" / "k-4").write_text("not a socket")
    with pytest.raises(OSError):
        socket_fd(fd, "run/kernel/k-4")


def test_does_the_grader_accept_the_kernels_own_socket(fake_root):
    """Does socket_fd() give a descriptor of a real socket inode in the kernel's folder?"""
    root, fd = fake_root
    with socket.socket(socket.AF_UNIX) as real:
        real.bind(str(root / "run" / "kernel" / "k-3"))
        real.listen()
        found = socket_fd(fd, "run/kernel/k-3")
        try:
            assert stat.S_ISSOCK(os.fstat(found).st_mode)
        finally:
            os.close(found)


def test_does_open_beneath_refuse_a_symlink_on_the_way(fake_root, tmp_path):
    """Does open_beneath() refuse a path whose last component is a symlink, even to a harmless file?"""
    root, fd = fake_root
    (tmp_path / "outside.txt").write_text("host")
    (root / "run" / "link.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(OSError):
        os.close(open_beneath(fd, "run/link.txt", os.O_RDONLY))


def test_does_wiping_leave_the_target_of_a_planted_symlink_alone(fake_root, tmp_path):
    """Does wipe_beneath() empty /tmp of the sandbox, deleting a planted symlink but not the host file it names?"""
    root, fd = fake_root
    (root / "tmp" / "deep").mkdir(parents=True)
    (root / "tmp" / "deep" / "file").write_text("x")
    (tmp_path / "precious.txt").write_text("host")
    (root / "tmp" / "link").symlink_to(tmp_path / "precious.txt")
    wipe_beneath(fd, "tmp")
    assert list((root / "tmp").iterdir()) == []
    assert (tmp_path / "precious.txt").read_text() == "host"


def test_is_the_notebook_copied_as_an_empty_unreadable_file(tmp_path):
    """Does the submission copy hold an empty, mode-0 file in place of each notebook?"""
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    dest.mkdir()
    (src / "hw.ipynb").write_text('{"cells": ["hidden tests"]}')
    copy_submission_files(src, dest)
    placeholder = dest / "hw.ipynb"
    assert (placeholder.stat().st_size, stat.S_IMODE(placeholder.stat().st_mode)) == (0, 0)


def test_are_files_folders_and_symlinks_copied_readable(tmp_path):
    """Are the other files copied 0644, folders 0755, and symlinks as symlinks (never followed)?"""
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "data").mkdir(parents=True)
    dest.mkdir()
    (src / "data" / "values.txt").write_text("alice's data")
    (src / "data" / "values.txt").chmod(0o600)
    (src / "shortcut").symlink_to("/etc/passwd")
    copied = copy_submission_files(src, dest)
    assert sorted(copied) == ["data", "data/values.txt", "shortcut"]
    assert stat.S_IMODE((dest / "data").stat().st_mode) == 0o755
    assert stat.S_IMODE((dest / "data" / "values.txt").stat().st_mode) == 0o644
    assert os.readlink(dest / "shortcut") == "/etc/passwd"

