"""BlockStore: validation, IPv4-mapped addresses, expiry and the version number workers poll."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3

import pytest

from siteseer.stats.blocks import BlockStore, normalize_network


def test_add_list_remove(tmp_path):
    store = BlockStore(tmp_path)
    block = store.add("203.0.113.7", "scraping", minutes=None)
    assert block.network == "203.0.113.7/32" and block.expires is None and block.source == "admin"
    store.add("2001:db8::/48", "bad net", minutes=5)
    assert {b.network for b in store.active()} == {"203.0.113.7/32", "2001:db8::/48"}
    assert store.remove("203.0.113.7") is True
    assert store.remove("203.0.113.7") is False
    assert [b.network for b in store.active()] == ["2001:db8::/48"]


@pytest.mark.parametrize("text, expected", [
    ("::ffff:192.0.2.1", "192.0.2.1/32"),
    ("::ffff:192.0.2.0/120", "192.0.2.0/24"),
    ("10.1.2.3/8", "10.0.0.0/8"),
    (" 2001:DB8::1 ", "2001:db8::1/128"),
])
def test_normalize(text, expected):
    assert normalize_network(text) == expected


@pytest.mark.parametrize("bad", ["", "example.com", "300.1.1.1", "1.2.3.4/33", "1.2.3.4; DROP TABLE"])
def test_bad_networks_raise(tmp_path, bad):
    with pytest.raises(ValueError):
        BlockStore(tmp_path).add(bad, "x")


def test_ipv4_mapped_is_the_same_block(tmp_path):
    store = BlockStore(tmp_path)
    store.add("::ffff:198.51.100.9", "mapped")
    assert [b.network for b in store.active()] == ["198.51.100.9/32"]
    assert store.remove("198.51.100.9")


def test_bad_minutes_and_source(tmp_path):
    store = BlockStore(tmp_path)
    with pytest.raises(ValueError):
        store.add("192.0.2.1", "x", minutes=0)
    with pytest.raises(ValueError):
        store.add("192.0.2.1", "x", source="nobody")


def test_version_changes_on_add_remove_and_expiry(tmp_path):
    store = BlockStore(tmp_path)
    v0 = store.version()
    assert store.version() == v0  # stable while nothing happens
    block = store.add("192.0.2.1", "short", minutes=1)
    v1 = store.version()
    assert v1 != v0
    # Expiry involves no write, but the version must still move at that moment.
    assert store.version(now=block.expires - 1) == v1
    after = store.version(now=block.expires + 1)
    assert after != v1
    assert store.active(now=block.expires + 1) == []
    store.remove("192.0.2.1")
    assert store.version() not in (v0, v1)


def test_version_seen_by_another_connection(tmp_path):
    writer, reader = BlockStore(tmp_path), BlockStore(tmp_path)
    before = reader.version()
    writer.add("192.0.2.5", "from another worker")
    assert reader.version() != before
    assert [b.network for b in reader.active()] == ["192.0.2.5/32"]


def test_auto_block_does_not_shorten_a_permanent_one(tmp_path):
    store = BlockStore(tmp_path)
    store.add("192.0.2.1", "admin says so", minutes=None)
    store.add("192.0.2.1", "scanner", minutes=10, source="auto")
    (block,) = store.active()
    assert block.expires is None and block.reason == "admin says so"
    # The admin, though, may replace any block.
    store.add("192.0.2.1", "relaxed", minutes=10, source="admin")
    (block,) = store.active()
    assert block.expires is not None and block.reason == "relaxed"


def _add_many(state_dir: str, start: int) -> None:
    store = BlockStore(state_dir)
    for i in range(start, start + 20):
        store.add(f"10.0.0.{i}", "proc")


def test_several_processes_write(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_add_many, args=(str(tmp_path), n * 20)) for n in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(BlockStore(tmp_path).active()) == 60


def test_reason_is_bounded(tmp_path):
    block = BlockStore(tmp_path).add("192.0.2.1", "x" * 5000)
    assert len(block.reason) == 500



def test_a_damaged_state_db_is_set_aside_and_a_new_one_begun(tmp_path, caplog):
    """No worker started ("file is not a database" from the blocklist's reader), or the
    admin login answered 500, until the file was removed by hand."""
    damaged = os.urandom(40_000)
    (tmp_path / "state.db").write_bytes(damaged)
    store = BlockStore(tmp_path)
    with caplog.at_level("ERROR", logger="siteseer.stats"):
        reader = store.reader()
        assert reader.active() == [] and store.active() == []
    store.add("192.0.2.1", "after")
    assert [b.network for b in reader.active()] == ["192.0.2.1/32"]
    aside = [p.name for p in tmp_path.glob("state.db.damaged-*")]
    assert len(aside) == 1 and (tmp_path / aside[0]).read_bytes() == damaged, aside
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "is damaged (file is not a database)" in lines[0] and aside[0] in lines[0]
    assert "the blocks in it" in lines[0] and "logged-out sessions are lost" in lines[0]  # what it costs


def test_a_worker_started_while_the_served_folder_is_away_does_not_make_it(tmp_path):
    """The blocklist's reader made ``site/.siteseer`` (and so the site) again as the worker
    started; a raise there instead would stop the worker: it reads once the folder is back."""
    state = tmp_path / "site" / ".siteseer"
    store = BlockStore(state)
    reader = store.reader()
    assert not (tmp_path / "site").exists()
    with pytest.raises(sqlite3.Error):
        reader.version()
    state.parent.mkdir()  # back (without its state folder: a new build)
    assert reader.active() == [] and reader.version() == 0
    store.add("192.0.2.1", "x")
    assert [b.network for b in reader.active()] == ["192.0.2.1/32"]
