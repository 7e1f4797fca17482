"""TrafficRecorder: cheap record(), background batches, bounded buffer, failures swallowed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time

import pytest

from siteseer.stats.aggregate import TrafficStats
from siteseer.stats.recorder import TrafficRecorder
from synth import entry


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)  # polling with a deadline
    return False


def test_background_thread_writes_batches(config):
    rec = TrafficRecorder(config, interval=0.05)
    now = time.time()
    for i in range(100):
        rec.record(entry(now, path=f"/p{i % 3}"))
    stats = TrafficStats(config.state_dir)
    assert wait_for(lambda: rec.written == 100)
    assert stats.summary(now - 60, now + 60)["n"] == 100
    rec.close()


def test_close_flushes(config):
    rec = TrafficRecorder(config, interval=3600)
    now = time.time()
    for _ in range(10):
        rec.record(entry(now))
    assert rec.pending == 10
    rec.close()
    assert TrafficStats(config.state_dir).summary(now - 60, now + 60)["n"] == 10


def test_buffer_is_bounded(config):
    rec = TrafficRecorder(config, interval=3600, max_buffer=50)
    for _ in range(80):
        rec.record(entry(time.time()))
    assert rec.pending == 50 and rec.dropped == 30
    rec.close()


def test_write_failure_drops_and_counts(config, monkeypatch):
    rec = TrafficRecorder(config, interval=3600)

    def broken(conn, batch, keep_raw=True):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("siteseer.stats.store.write_batch", broken)
    for _ in range(7):
        rec.record(entry(time.time()))
    rec.flush()  # must not raise
    assert rec.dropped == 7 and rec.pending == 0
    rec.close()


def test_locked_database_does_not_block_record(config):
    rec = TrafficRecorder(config, interval=0.05)
    rec.record(entry(time.time()))
    assert wait_for(lambda: rec.written == 1)
    blocker = sqlite3.connect(config.state_dir / "traffic.db", timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
    try:
        started = time.perf_counter()
        for _ in range(1000):
            rec.record(entry(time.time()))
        assert time.perf_counter() - started < 0.5  # record() never waits for the database
    finally:
        blocker.rollback()
        blocker.close()
    assert wait_for(lambda: rec.written + rec.dropped == 1001, timeout=20)
    rec.close()


def test_disabled_recorder_has_no_thread(config):
    config.stats.enabled = False
    rec = TrafficRecorder(config)
    assert rec._thread is None
    rec.close()


def test_record_is_cheap(config):
    """The request-path cost: a few hundred nanoseconds, nowhere near a request's cost."""
    rec = TrafficRecorder(config, interval=3600, max_buffer=1_000_000)
    e = entry(time.time())
    n = 100_000
    started = time.perf_counter()
    for _ in range(n):
        rec.record(e)
    per_call = (time.perf_counter() - started) / n
    rec._buffer.clear()
    rec.close()
    print(f"record(): {per_call * 1e9:.0f} ns per call")
    assert per_call < 5e-6


def test_the_writer_hands_the_gil_back_while_it_counts(config, monkeypatch):
    """Every CEDE_EVERY entries the writer sleeps(0), so the event loop never waits a whole switch interval."""
    from siteseer.stats import recorder

    rec = TrafficRecorder(config, interval=3600)
    now = time.time()
    n = recorder.CEDE_EVERY * 3 + 5
    for i in range(n):
        rec.record(entry(now, path=f"/p{i % 7}"))
    sleeps = []
    real_sleep = time.sleep
    monkeypatch.setattr(recorder.time, "sleep", lambda s: sleeps.append(s) or real_sleep(s))
    rec.flush()
    monkeypatch.undo()
    assert sleeps == [0, 0, 0]
    assert rec.written == n  # every entry still counted
    assert TrafficStats(config.state_dir).summary(now - 60, now + 60)["n"] == n
    rec.close()


def test_a_state_folder_deleted_under_it_is_made_again(config, caplog):
    """Records went on into the deleted file, lost without a word, until a restart."""
    rec = TrafficRecorder(config, interval=3600)
    now = time.time()
    rec.record(entry(now))
    rec.flush()
    shutil.rmtree(config.state_dir)
    with caplog.at_level("WARNING", logger="siteseer.stats"):
        for _ in range(5):
            rec.record(entry(now))
        rec.flush()
    rec.close()
    assert "removed or replaced" in caplog.text
    assert TrafficStats(config.state_dir).summary(now - 60, now + 60)["n"] == 5


def test_a_damaged_traffic_db_is_set_aside_and_a_new_one_begun(config, caplog):
    """Every batch failed "file is not a database", once a minute, forever."""
    config.state_dir.mkdir()
    damaged = os.urandom(400_000)
    (config.state_dir / "traffic.db").write_bytes(damaged)
    rec = TrafficRecorder(config, interval=3600)
    now = time.time()
    with caplog.at_level("ERROR", logger="siteseer.stats"):
        for _ in range(3):
            rec.record(entry(now))
        rec.flush()
    rec.close()
    assert rec.written == 3 and rec.dropped == 0
    aside = [p.name for p in config.state_dir.glob("traffic.db.damaged-*")]
    assert len(aside) == 1 and (config.state_dir / aside[0]).read_bytes() == damaged, aside
    lines = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(lines) == 1 and "is damaged (file is not a database)" in lines[0] and aside[0] in lines[0], lines
    assert TrafficStats(config.state_dir).summary(now - 60, now + 60)["n"] == 3


def test_a_damaged_traffic_db_is_set_aside_once_by_many_writers(config, caplog):
    """Workers find the damage together: only the damaged file goes, never a new one."""
    import threading

    config.state_dir.mkdir()
    (config.state_dir / "traffic.db").write_bytes(os.urandom(40_000))
    recorders = [TrafficRecorder(config, interval=3600) for _ in range(6)]
    now = time.time()
    for rec in recorders:
        rec.record(entry(now))
    start = threading.Barrier(len(recorders))
    threads = [threading.Thread(target=lambda r=rec: (start.wait(), r.flush())) for rec in recorders]
    with caplog.at_level("ERROR", logger="siteseer.stats"):
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    for rec in recorders:
        rec.close()
    assert len(list(config.state_dir.glob("traffic.db.damaged-*[0-9]"))) == 1
    assert sum("is damaged" in r.getMessage() for r in caplog.records) == 1
    # Each in the new file: one, opened as the damaged one went, was written through the new
    # one's -wal into the damaged file; another failed "disk I/O error"; one made the new
    # file WAL while others had it open, "database is locked".
    assert [rec.written for rec in recorders] == [1] * 6
    assert TrafficStats(config.state_dir).summary(now - 60, now + 60)["n"] == 6


def test_the_served_folder_moved_away_is_not_made_again(tmp_path, caplog):
    """``mv site site.away``: the recorder made ``site/.siteseer/traffic.db`` again 0.1 s later,
    so the site could not come back (``mv site.away site`` put it inside the new one)."""
    from siteseer.config import Config

    root = tmp_path / "site"
    root.mkdir()
    config = Config()
    config.root = root  # the state folder inside it: .siteseer
    rec = TrafficRecorder(config, interval=3600)
    now = time.time()
    rec.record(entry(now))
    rec.flush()
    root.rename(tmp_path / "site.away")
    with caplog.at_level("WARNING", logger="siteseer.stats"):
        for _ in range(3):
            rec.record(entry(now))
            rec.flush()
        rec._maintain()
        assert not root.exists()
        assert rec.pending == 3 and rec.dropped == 0  # held, not dropped
        (tmp_path / "site.away").rename(root)
        rec.flush()
    rec.close()
    assert rec.written == 4 and rec.pending == 0 and rec.dropped == 0
    assert TrafficStats(config.state_dir).summary(now - 60, now + 60)["n"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 2, said  # one line when it goes, one when it is back
    assert f"{root} is missing" in said[0] and "held until it is back" in said[0]
    assert f"{root} is back" in said[1] and "3 held traffic records are written" in said[1]


@pytest.mark.parametrize("where", ["elsewhere", "../beside"])
def test_a_state_folder_outside_the_served_folder_is_made_again_whole(tmp_path, where):
    """Outside the served folder (configured elsewhere, or the cache folder) nothing is the
    site's: the state folder is made again with the folders above it."""
    from siteseer.config import Config

    config = Config()
    config.root = tmp_path / "site"
    config.root.mkdir()
    config.index.state_dir = str(tmp_path / "cache" / "siteseer" / "x") if where == "elsewhere" else where
    rec = TrafficRecorder(config, interval=3600)
    rec.record(entry(time.time()))
    rec.flush()
    shutil.rmtree(tmp_path / ("cache" if where == "elsewhere" else "beside"))
    rec.record(entry(time.time()))
    rec.flush()
    rec.close()
    assert rec.written == 2 and (config.state_dir / "traffic.db").exists()
