"""The rate limiter's automatic blocks, written to ``state.db`` by a thread of their own.

The rate limiter decides on the event loop; a write there waited for
``state.db``'s write lock (its busy timeout is 5 s) while every request of the
worker stood still: with another process holding the lock, a scanner's next
request took 5 s and an unrelated client's 4.8 s. And a write that failed
("database is locked") was lost, as the limiter had already marked the
client blocked. So ``submit`` only queues the block; the thread writes it, and
tries again every ``retry_every`` seconds until it is written or would have
ended anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Callable

log = logging.getLogger("siteseer.ratelimit")


class _Pending:
    __slots__ = ("reason", "until", "tries")

    def __init__(self, reason: str, until: float):
        self.reason = reason
        self.until = until  # wall-clock end of the block: a late write does not lengthen it
        self.tries = 0


class BlockWriter:
    """Writes ``source="auto"`` blocks to a ``BlockStore`` off the caller's thread, retrying."""

    def __init__(self, block_store, retry_every: float = 1.0, max_pending: int = 10_000,
                 clock: Callable[[], float] = time.time):
        self.block_store = block_store
        self.retry_every = retry_every
        self.max_pending = max_pending  # a flood of scanners while state.db is locked cannot grow memory
        self.clock = clock
        self.written = 0
        self._pending: OrderedDict[str, _Pending] = OrderedDict()
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def submit(self, network: str, reason: str, minutes: float) -> bool:
        """Queue a block of ``network`` for ``minutes``; never waits. False when the queue is full."""
        with self._wake:
            if self._closed:
                return False
            if network not in self._pending and len(self._pending) >= self.max_pending:
                log.warning("not blocking %s: %d automatic blocks are still waiting to be written",
                            network, len(self._pending))
                return False
            self._pending[network] = _Pending(reason, self.clock() + minutes * 60)
            if self._thread is None:  # started on first use: most workers never block anyone
                self._thread = threading.Thread(target=self._run, name="siteseer-blocks", daemon=True)
                self._thread.start()
            self._wake.notify()
        return True

    @property
    def pending(self) -> int:
        with self._wake:
            return len(self._pending)

    def close(self) -> None:
        """Stop the thread (the worker is stopping); blocks not yet written are dropped."""
        with self._wake:
            self._closed = True
            if self._pending:
                log.warning("%d automatic blocks not written: the worker is stopping", len(self._pending))
            self._pending.clear()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                batch = list(self._pending.items())
            failed = False
            for network, pending in batch:
                failed = not self._write(network, pending) or failed
            if failed:
                with self._wake:  # wait, unless closed meanwhile
                    if not self._closed:
                        self._wake.wait(self.retry_every)

    def _write(self, network: str, pending: _Pending) -> bool:
        """Write one block; True when it is done with (written, or not to be written)."""
        minutes = (pending.until - self.clock()) / 60
        if minutes <= 0:
            log.warning("automatic block of %s not written: it would have ended by now (%s)", network, pending.reason)
        else:
            pending.tries += 1
            try:
                self.block_store.add(network, pending.reason, minutes=minutes, source="auto")
            except ValueError as exc:  # a bad address: no retry makes it good
                log.warning("could not block %s automatically: %s", network, exc)
            except Exception as exc:  # a locked or broken database: try again
                if pending.tries == 1:
                    log.warning("could not block %s automatically yet, will retry: %s", network, exc)
                return False
            else:
                self.written += 1
                log.warning("automatic block of %s for %g minutes%s: %s", network, minutes,
                            f" (written at try {pending.tries})" if pending.tries > 1 else "", pending.reason)
        with self._wake:
            if self._pending.get(network) is pending:  # not replaced by a newer block meanwhile
                del self._pending[network]
        return True
