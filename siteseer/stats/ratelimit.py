"""Per-client token buckets, and automatic temporary blocks for abusers.

Each client IP (an IPv6 client: its /64, one subscriber's network, as the
login throttle counts it; else each next address in it was a new client)
has a bucket of ``burst`` tokens refilled at ``rate`` per second; a request takes one token or is answered 429 with the time until
the next token as ``Retry-After``. State lives in an ``OrderedDict`` kept in
least-recently-seen order, so a lookup, the idle eviction and the size cap
are all O(1) per request, and a flood of new addresses cannot grow memory
past ``max_clients``.

The limits are per worker process (granian hands each connection to one
worker), so with N workers a client spread over many connections can get
up to N × ``rate``.

Automatic blocks (``ratelimit.auto_block_minutes`` > 0) go to the shared
``BlockStore`` with ``source="auto"``, so every worker refuses the client:
* a client refused ``burst`` times within a minute (it ignores 429s);
* a client with more than ``max_404_per_minute`` 404s in a minute (a scanner).

The limiter decides on the event loop; the block is written by a
``BlockWriter`` in a thread of its own (retried until written), so a locked
``state.db`` never holds the worker's requests.

The machine itself (a loopback address) is never blocked automatically, as
fail2ban leaves it out by default: it is the administrator's own load test
(who would then be refused even the dashboard that lifts blocks), or a
reverse proxy on the same host that was not listed in
``access.trusted_proxies``, behind which one scanner would shut out every
visitor. Its requests are still rate limited.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Callable

from siteseer.gatekeeper.access import parse_ip
from siteseer.stats.blockwriter import BlockWriter
from siteseer.stats.throttle import throttle_key

log = logging.getLogger("siteseer.ratelimit")

WINDOW = 60.0


class _Client:
    __slots__ = ("tokens", "last", "refused", "refused_since", "missing", "missing_since", "blocked_until")

    def __init__(self, tokens: float, now: float):
        self.tokens = tokens
        self.last = now
        self.refused = 0
        self.refused_since = now
        self.missing = 0
        self.missing_since = now
        self.blocked_until = 0.0


class RateLimiter:
    def __init__(self, config, block_store=None, max_clients: int = 100_000,
                 clock: Callable[[], float] = time.monotonic, writer=None):
        rl = config.ratelimit
        self.rate = float(rl.rate)
        self.burst = float(rl.burst)
        self.auto_block_minutes = float(rl.auto_block_minutes)
        self.max_404 = int(rl.max_404_per_minute)
        # What writes the automatic blocks: anything with submit(network, reason, minutes).
        self.writer = writer if writer is not None else BlockWriter(block_store) if block_store is not None else None
        self.max_clients = max_clients
        self.clock = clock
        # A client idle this long has a full bucket again: forgetting it changes nothing.
        self.idle_after = max(self.burst / self.rate, WINDOW)
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self.auto_blocks = 0

    def close(self) -> None:
        if self.writer is not None and hasattr(self.writer, "close"):
            self.writer.close()

    def __len__(self) -> int:
        return len(self._clients)

    def _client(self, ip: str, now: float) -> _Client:
        key = _key(ip)
        clients = self._clients
        client = clients.get(key)
        if client is None:
            client = clients[key] = _Client(self.burst, now)
            self._evict(now)
        else:
            clients.move_to_end(key)
        return client

    def _evict(self, now: float) -> None:
        clients = self._clients
        # The least recently seen is first: drop idle ones, and the oldest past the cap.
        for _ in range(2):
            ip, oldest = next(iter(clients.items()))
            if now - oldest.last >= self.idle_after or len(clients) > self.max_clients:
                del clients[ip]
            else:
                break

    def check(self, ip: str, now: float | None = None) -> float | None:
        """None if ``ip`` may go ahead (a token is taken), else the seconds to wait."""
        now = self.clock() if now is None else now
        client = self._client(ip, now)
        tokens = client.tokens + (now - client.last) * self.rate
        if tokens > self.burst:
            tokens = self.burst
        client.last = now
        if tokens >= 0.999999999:  # float refill sums land a hair below 1.0
            client.tokens = max(tokens - 1.0, 0.0)
            return None
        client.tokens = tokens
        if now - client.refused_since > WINDOW:
            client.refused, client.refused_since = 0, now
        client.refused += 1
        if client.refused >= self.burst:
            self._auto_block(ip, client, now, f"ignored rate limiting: {client.refused} requests refused within a minute")
        return (1.0 - tokens) / self.rate

    def note_status(self, ip: str, status: int, now: float | None = None) -> None:
        """Count 404s per client; a client past ``max_404_per_minute`` is blocked for a while."""
        if status != 404:
            return
        now = self.clock() if now is None else now
        client = self._client(ip, now)
        if now - client.missing_since > WINDOW:
            client.missing, client.missing_since = 0, now
        client.missing += 1
        if client.missing > self.max_404:
            self._auto_block(ip, client, now, f"scanning: more than {self.max_404} 404s within a minute")

    def _auto_block(self, ip: str, client: _Client, now: float, reason: str) -> None:
        if now < client.blocked_until or self.writer is None or self.auto_block_minutes <= 0:
            return
        # Once per block: the blocklist refuses the client from here on (the writer
        # retries until it is written).
        client.blocked_until = now + self.auto_block_minutes * 60
        client.refused = client.missing = 0
        if _is_loopback(ip):
            log.warning("not blocking %s automatically, it is this machine (%s); if a proxy on this host "
                        "forwards every visitor, list it in access.trusted_proxies", ip, reason)
            return
        network = _key(ip)  # an IPv6 client's whole /64
        if self.writer.submit(network, reason, self.auto_block_minutes):
            self.auto_blocks += 1
        else:
            client.blocked_until = 0.0  # not queued: the client's next offence asks again


def _key(ip: str) -> str:
    """Whose bucket ``ip`` takes from (``throttle_key``); an IPv4 address is its own, without parsing it."""
    return ip if ":" not in ip else throttle_key(ip)


def _is_loopback(ip: str) -> bool:
    address = parse_ip(ip)  # ::ffff:127.0.0.1 comes back as 127.0.0.1
    return address is not None and address.is_loopback
