"""A locked ``state.db`` (another process writing) never holds a worker's requests.

The automatic block a scanner earns is written by a thread of its own and lands
once the lock is gone; the blocklist the event loop reads once a second is read
through its own connection, past the writers' lock.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

from siteseer.stats.blocks import BlockStore
from tests.conftest import wait_until
from tests.server.test_gatekeeper_order import ask, make_app, site  # noqa: F401 (a fixture)

SCANNER = "192.0.2.66"
# A request takes milliseconds; the old code waited out state.db's 5 s busy timeout.
PROMPT = 2.0


def test_requests_are_answered_while_state_db_is_locked_and_the_block_lands_after(site):  # noqa: F811
    app = make_app(site, '[access]\ntrusted_proxies = ["127.0.0.1"]\n'
                         '[ratelimit]\nmax_404_per_minute = 5\nauto_block_minutes = 10\n')
    state_db = app.config.state_dir / "state.db"
    holder = sqlite3.connect(state_db, isolation_level=None)
    pool = ThreadPoolExecutor(max_workers=1)

    def status(path: str, client: str) -> int:
        return pool.submit(ask, app, path, client).result(timeout=PROMPT).status

    try:
        holder.execute("BEGIN IMMEDIATE")  # another process writing: the write lock is taken
        assert [status("/missing", SCANNER) for _ in range(6)] == [404] * 6  # the sixth earns a block
        app.services.access._next_check = 0.0  # the blocklist is read during the lock too
        assert status("/a.txt", "198.51.100.1") == 200  # an unrelated client, answered promptly
        assert status("/a.txt", SCANNER) == 200  # not refused yet: its block is not written
        holder.execute("ROLLBACK")

        def refused() -> bool:
            app.services.access._next_check = 0.0
            return status("/a.txt", SCANNER) == 403

        wait_until(refused, timeout=15, message="the scanner's block to be written and read")
        assert [(b.network, b.source) for b in BlockStore(app.config.state_dir).active()] == [(f"{SCANNER}/32", "auto")]
        assert status("/a.txt", "198.51.100.1") == 200
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
        pool.shutdown(wait=True)
        app.services.close()
