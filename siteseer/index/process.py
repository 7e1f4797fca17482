"""The indexer as its own process beside the server: full scan, then watch.

It is started with the *spawn* context: the server's workers are forked by
granian, and a fork of a process with threads (tantivy's, watchdog's) is
not safe. SIGTERM sets a stop flag; work already committed stays, and the
next start continues from the catalog.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sys
import threading

from siteseer.config import Config

log = logging.getLogger("siteseer.index")


def start_indexer(config: Config) -> multiprocessing.Process:
    """Start and return the indexer process (not a daemon: it has its own workers)."""
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=main, args=(config.to_json(),), name="siteseer-indexer")
    proc.start()
    return proc


def main(config_json: str) -> None:
    from .indexer import Indexer, format_summary
    from .watcher import watch

    config = Config.from_json(config_json)
    stop = threading.Event()

    def on_term(signum: int, frame: object) -> None:
        stop.set()
        raise SystemExit(0)  # leave a long scan promptly; the catalog stays consistent

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl-C handling terminates us
    try:
        with Indexer(config) as indexer:
            summary = indexer.sync("")
            print(format_summary(summary), file=sys.stderr, flush=True)
            if config.index.watch:
                watch(indexer, stop)
    except SystemExit:
        pass
    except Exception:  # never take the server down with us; say why
        log.exception("the indexer stopped")
        raise
