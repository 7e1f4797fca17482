"""OpenFiles: granian is handed the version of a file that was stat-ed, never a later one."""

from __future__ import annotations

import os

import pytest

from siteseer.files.handles import OpenFiles


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture
def video(tmp_path):
    path = tmp_path / "talk.mp4"
    path.write_bytes(b"A" * 1000)
    return str(path)


def replace(path: str, data: bytes) -> None:
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def test_replaced_file_keeps_sending_the_version_stat_ed(video):
    files = OpenFiles()
    st = os.stat(video)
    first = files.path_for(video, st)
    assert first.startswith("/proc/self/fd/") and read(first) == b"A" * 1000
    replace(video, b"B" * 1500)
    assert read(first) == b"A" * 1000  # what granian opens now: still the old inode
    assert files.path_for(video, st) == first  # headers of the old stat go with the old bytes
    second = files.path_for(video, os.stat(video))
    assert second != first and read(second) == b"B" * 1500
    files.close()


def test_file_replaced_between_stat_and_open_answers_none(video):
    st = os.stat(video)
    replace(video, b"C" * 1000)  # same size, and perhaps the same mtime: a new inode all the same
    assert OpenFiles().path_for(video, st) is None


def test_same_version_reuses_one_descriptor(video):
    files = OpenFiles()
    st = os.stat(video)
    assert files.path_for(video, st) == files.path_for(video, st)
    assert files.open_count == 1
    files.close()
    assert files.open_count == 0


def test_missing_file_and_symlink_swap_answer_none(video, tmp_path):
    files = OpenFiles()
    st = os.stat(video)
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.remove(video)
    assert files.path_for(video, st) is None
    os.symlink(secret, video)  # swapped for a link out of the folder after resolve checked it
    assert files.path_for(video, os.stat(video)) is None
    files.close()


def test_retired_descriptors_close_only_after_the_grace(video, tmp_path):
    files = OpenFiles(grace=3600)
    path = files.path_for(video, os.stat(video))
    fd = int(path.rsplit("/", 1)[1])
    files.forget(video)
    os.fstat(fd)  # still open: granian may not have opened it yet
    files.grace = 0
    files._retired = type(files._retired)((0.0, f) for _, f in files._retired)
    other = tmp_path / "other.bin"
    other.write_bytes(b"x")
    closed = []
    real_close = os.close
    try:
        os.close = lambda n: (closed.append(n), real_close(n))
        files.path_for(str(other), os.stat(other))  # any call closes what is due
    finally:
        os.close = real_close
    assert closed == [fd] and files.open_count == 1
    files.close()


def test_open_descriptors_are_bounded(tmp_path):
    files = OpenFiles(max_open=3, grace=3600)
    for i in range(10):
        p = tmp_path / f"f{i}.bin"
        p.write_bytes(b"x" * i)
        assert files.path_for(str(p), os.stat(p)) is not None
    assert len(files._open) == 3 and files.open_count == 10  # the rest wait out their grace
    files.close()


def test_sweep_lets_go_of_deleted_files(video, tmp_path):
    files = OpenFiles(sweep_every=0, grace=3600)
    files.path_for(video, os.stat(video))
    os.remove(video)
    other = tmp_path / "other.bin"
    other.write_bytes(b"x")
    files.path_for(str(other), os.stat(other))
    assert list(files._open) == [str(other)]
    files.close()


def test_without_proc_the_path_itself(video):
    files = OpenFiles(enabled=False)
    assert files.path_for(video, os.stat(video)) == video
