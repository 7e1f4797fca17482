"""RateLimiter: token-bucket arithmetic with an injected clock, eviction, automatic blocks."""

from __future__ import annotations

import pytest

from siteseer.config import Config
from siteseer.stats.ratelimit import RateLimiter


class FakeWriter:
    """Takes the limiter's blocks as its BlockWriter would (tests/stats/test_blockwriter.py), at once."""

    def __init__(self):
        self.added = []

    def submit(self, network, reason, minutes):
        self.added.append((network, reason, minutes))
        return True


def limiter(rate=10.0, burst=5, auto=10.0, max_404=3, **kw):
    cfg = Config()
    cfg.ratelimit.rate, cfg.ratelimit.burst = rate, burst
    cfg.ratelimit.auto_block_minutes, cfg.ratelimit.max_404_per_minute = auto, max_404
    blocks = FakeWriter()
    return RateLimiter(cfg, writer=blocks, **kw), blocks


def test_burst_then_refill():
    rl, _ = limiter(rate=10, burst=5)
    assert all(rl.check("a", now=100.0) is None for _ in range(5))
    wait = rl.check("a", now=100.0)
    assert wait == pytest.approx(0.1)  # one token takes 1/rate seconds
    assert rl.check("a", now=100.05) == pytest.approx(0.05, abs=1e-9)  # refused requests take nothing
    assert rl.check("a", now=100.1) is None
    # After a long pause the bucket is full again, but never fuller than burst.
    assert all(rl.check("a", now=1000.0) is None for _ in range(5))
    assert rl.check("a", now=1000.0) is not None


def test_clients_are_independent():
    rl, _ = limiter(rate=1, burst=1)
    assert rl.check("a", now=0.0) is None
    assert rl.check("a", now=0.0) is not None
    assert rl.check("b", now=0.0) is None


def test_an_ipv6_client_is_its_64_as_the_login_throttle_counts_it():
    # Each next address of a /64 was a new client: a scanner rotating through its own
    # network was never limited or blocked.
    rl, blocks = limiter(rate=1, burst=5, auto=10, max_404=3)
    statuses = [rl.check(f"2001:db8:1:2::{i:x}", now=0.0) for i in range(1, 8)]
    assert statuses[:5] == [None] * 5 and statuses[5] is not None
    assert rl.check("2001:db8:1:3::1", now=0.0) is None  # another /64: another client
    assert rl.check("::ffff:192.0.2.1", now=0.0) is None and rl.check("192.0.2.2", now=0.0) is None
    for i in range(4):
        rl.note_status(f"2001:db8:9:9::{i + 1}", 404, now=0.0)
    assert blocks.added[0][0] == "2001:db8:9:9::/64" and "404" in blocks.added[0][1]  # the whole /64


def test_steady_rate_is_allowed():
    rl, _ = limiter(rate=10, burst=1)
    assert all(rl.check("a", now=i * 0.1) is None for i in range(100))


def test_memory_is_bounded():
    rl, _ = limiter(max_clients=100)
    for i in range(10_000):
        rl.check(f"10.0.{i // 256}.{i % 256}", now=float(i) * 1e-6)
    assert len(rl) <= 101


def test_idle_clients_are_forgotten():
    rl, _ = limiter(rate=10, burst=5)
    for i in range(50):
        rl.check(f"c{i}", now=0.0)
    assert len(rl) == 50
    rl.check("late", now=1000.0)
    rl.check("later", now=1000.0)
    assert len(rl) < 50  # each new client evicts idle ones from the old end


def test_ignoring_429_gets_an_auto_block():
    rl, blocks = limiter(rate=1, burst=5, auto=10)
    for _ in range(5 + 5):  # the burst, then `burst` refusals within a minute
        rl.check("192.0.2.9", now=0.0)
    assert blocks.added == [("192.0.2.9", blocks.added[0][1], 10.0)]
    for _ in range(20):
        rl.check("192.0.2.9", now=1.0)
    assert len(blocks.added) == 1  # once per block, not per request


def test_scanner_404s_get_an_auto_block():
    rl, blocks = limiter(max_404=3)
    for _ in range(3):
        rl.note_status("192.0.2.8", 404, now=0.0)
    assert blocks.added == []
    rl.note_status("192.0.2.8", 200, now=0.0)
    rl.note_status("192.0.2.8", 404, now=1.0)
    assert blocks.added and blocks.added[0][0] == "192.0.2.8" and "404" in blocks.added[0][1]


def test_404_window_resets():
    rl, blocks = limiter(max_404=3)
    for minute in range(10):
        for _ in range(3):
            rl.note_status("192.0.2.8", 404, now=minute * 61.0)
    assert blocks.added == []


def test_auto_block_off_when_minutes_is_zero():
    rl, blocks = limiter(max_404=1, auto=0)
    for _ in range(10):
        rl.note_status("192.0.2.8", 404, now=0.0)
    assert blocks.added == []


def test_a_block_the_writer_could_not_queue_is_tried_again():
    rl, blocks = limiter(max_404=1)
    blocks.submit = lambda *args: blocks.added.append(args) and False  # the queue is full
    for _ in range(4):
        rl.note_status("192.0.2.8", 404, now=0.0)
    assert len(blocks.added) == 2 and rl.auto_blocks == 0  # not marked blocked: the next offence asks again


def test_this_machine_is_never_blocked_automatically_but_still_limited():
    rl, blocks = limiter(rate=1, burst=5, auto=10, max_404=3)
    for ip in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"):
        for _ in range(5 + 5):
            rl.check(ip, now=0.0)
        for _ in range(10):
            rl.note_status(ip, 404, now=0.0)
        assert rl.check(ip, now=0.0) is not None  # refused (429), not blocked
    assert blocks.added == []
    for _ in range(10):  # a neighbour on the network is
        rl.note_status("192.168.1.20", 404, now=0.0)
    assert [b[0] for b in blocks.added] == ["192.168.1.20"]
