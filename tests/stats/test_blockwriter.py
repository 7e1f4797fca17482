"""BlockWriter: the rate limiter's blocks are written off the event loop, and retried until written."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from siteseer.stats.blockwriter import BlockWriter
from tests.conftest import wait_until


class LockedStore:
    """A BlockStore whose database is locked until ``unlock()``; ``fail_with`` says how it fails."""

    def __init__(self, fail_with=sqlite3.OperationalError("database is locked")):
        self.fail_with = fail_with
        self.locked = threading.Event()
        self.locked.set()
        self.tries = 0
        self.added = []

    def add(self, network, reason, minutes=None, source="admin"):
        self.tries += 1
        if self.locked.is_set():
            raise self.fail_with
        self.added.append((network, minutes, source))


def test_a_block_that_could_not_be_written_is_written_once_the_database_is_free():
    store, now = LockedStore(), [1000.0]
    writer = BlockWriter(store, retry_every=0.01, clock=lambda: now[0])
    try:
        assert writer.submit("192.0.2.7", "scanning", minutes=10)  # at once: nothing written here
        wait_until(lambda: store.tries >= 3, timeout=10, message="the writer to try again")
        assert store.added == [] and writer.pending == 1
        now[0] += 240  # four minutes locked: the block still ends when it would have
        store.locked.clear()
        # Taken off the queue a moment after the store has it: waited for, not raced.
        wait_until(lambda: store.added and writer.pending == 0, timeout=10, message="the block to be written")
        assert store.added == [("192.0.2.7", pytest.approx(6.0), "auto")]
        assert writer.written == 1
    finally:
        writer.close()


def test_a_bad_address_or_a_block_already_over_is_not_retried():
    store, now = LockedStore(fail_with=ValueError("not an address")), [1000.0]
    writer = BlockWriter(store, retry_every=0.01, clock=lambda: now[0])
    try:
        writer.submit("nonsense", "scanning", minutes=10)
        wait_until(lambda: writer.pending == 0, timeout=10, message="the bad block to be dropped")
        assert store.tries == 1
        store.fail_with = sqlite3.OperationalError("database is locked")
        writer.submit("192.0.2.8", "scanning", minutes=1)
        wait_until(lambda: store.tries >= 2, timeout=10, message="the second block's first try")
        now[0] += 61  # locked past the block's end: there is nothing left to write
        wait_until(lambda: writer.pending == 0, timeout=10, message="the ended block to be dropped")
        assert store.added == []
    finally:
        writer.close()


def test_the_queue_is_bounded_and_closing_drops_it():
    writer = BlockWriter(LockedStore(), retry_every=60, max_pending=2)
    assert writer.submit("192.0.2.1", "x", 10) and writer.submit("192.0.2.2", "x", 10)
    assert writer.submit("192.0.2.1", "again", 10)  # the same network replaces its block
    assert not writer.submit("192.0.2.3", "x", 10)
    writer.close()
    assert writer.pending == 0 and not writer.submit("192.0.2.4", "x", 10)
