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


def held_deleted_files() -> list[str]:
    """What this process's descriptors hold that was deleted (its disk space not yet freed)."""
    held = []
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue  # the listing's own descriptor, closed by now
        if target.endswith(" (deleted)"):
            held.append(target)
    return held


def test_the_timer_lets_go_of_deleted_files_without_requests(video):
    # The sweep ran only inside path_for: while only small files were asked for,
    # a deleted large file's descriptor, and its disk space, were held.
    now = [100.0]
    files = OpenFiles(sweep_every=10, grace=5, clock=lambda: now[0])
    files.path_for(video, os.stat(video))
    os.remove(video)
    now[0] += 10
    files.tick()  # the sweep: retired, within its grace still
    assert not files._open and files.open_count == 1 and any("talk.mp4" in t for t in held_deleted_files())
    now[0] += 5
    files.tick()
    assert files.open_count == 0 and not any("talk.mp4" in t for t in held_deleted_files())


def test_descriptors_kept_and_retired_are_capped(tmp_path):
    # Each request for another large file kept one more descriptor for 60 s, with no cap:
    # past RLIMIT_NOFILE small files answered 404 and SQLite failed.
    now = [100.0]
    files = OpenFiles(max_open=2, max_descriptors=5, grace=10, clock=lambda: now[0])
    paths = []
    for i in range(8):
        p = tmp_path / f"f{i}.bin"
        p.write_bytes(b"x" * i)
        paths.append((str(p), files.path_for(str(p), os.stat(p))))
    assert all(given.startswith("/proc/self/fd/") for _, given in paths[:5])
    assert [given for _, given in paths[5:]] == [real for real, _ in paths[5:]]  # none to spare: the path
    assert files.open_count == 5 and len(files._open) == 2
    now[0] += 10  # the retired ones have waited out their grace
    files.tick()
    assert files.open_count == 2
    assert files.path_for(paths[6][0], os.stat(paths[6][0])).startswith("/proc/self/fd/")
    files.close()


def test_without_proc_the_path_itself(video):
    files = OpenFiles(enabled=False)
    assert files.path_for(video, os.stat(video)) == video


def test_the_descriptor_budget_is_a_quarter_of_the_limit(monkeypatch):
    # A fixed 384 was reached by a file replaced every millisecond while asked for:
    # each version's descriptor waits out its grace, then the path went out, mixed.
    import resource

    from siteseer.files.handles import descriptor_budget

    for soft, want in ((1024, 384), (20000, 5000), (1 << 20, 16384), (resource.RLIM_INFINITY, 16384)):
        monkeypatch.setattr(resource, "getrlimit", lambda which, soft=soft: (soft, soft))
        assert descriptor_budget() == want
    assert OpenFiles().max_descriptors == 16384
