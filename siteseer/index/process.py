"""The indexer as its own process beside the server: full scan, then watch.

It is started with the *spawn* context: the server's workers are forked by
granian, and a fork of a process with threads (tantivy's, watchdog's) is
not safe. SIGTERM sets a stop flag; work already committed stays, and the
next start continues from the catalog. It also stops when the server that
started it is gone (kill -9 leaves no one to send SIGTERM): an orphan would
keep the index's writer lock and lock out the next server's indexer.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time

from siteseer.config import Config
from siteseer.orphans import exit_with_parent

log = logging.getLogger("siteseer.index")


def start_indexer(config: Config) -> multiprocessing.Process:
    """Start and return the indexer process (not a daemon: it has its own workers)."""
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=main, args=(config.to_json(), os.getpid()), name="siteseer-indexer")
    proc.start()
    return proc


class IndexerSupervisor:
    """The indexer process, started again when it dies.

    A kill -9, the kernel's OOM killer or a crash in a C library ended
    indexing for good before: nothing said so, new files were never indexed,
    and the dead process, never waited for, stayed a zombie that the status
    reported as "indexing" forever. Waiting for it here reaps it; it is
    started again after ``retry_delay`` (the waits grow while it keeps dying,
    and start over once it has run for ``STEADY_SECONDS``). An exit with
    status 0 is an end, not a death: a server with ``watch = false`` indexes once.
    """

    STEADY_SECONDS = 60.0

    def __init__(self, config: Config):
        self.config = config
        self.process: multiprocessing.Process | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # no new process once stop() has begun
        self._thread = threading.Thread(target=self._watch, name="siteseer-indexer-watch", daemon=True)

    def start(self) -> "IndexerSupervisor":
        self.process = start_indexer(self.config)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.is_alive():
            process.terminate()
            process.join(timeout=timeout)

    def _watch(self) -> None:
        failures = 0
        while True:
            process = self.process
            started = time.monotonic()
            process.join()
            if self._stopping.is_set() or process.exitcode == 0:
                return
            failures = 1 if time.monotonic() - started >= self.STEADY_SECONDS else failures + 1
            delay = retry_delay(failures)
            log.error("the indexer process ended (exit code %s); starting it again in %g s", process.exitcode, delay)
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self.process = start_indexer(self.config)


RETRY_SECONDS = 3.0  # the first wait after a failure; doubled each time it fails again
MAX_RETRY_SECONDS = 60.0  # a disk that stays full logs a line a minute, not twenty


def retry_delay(failures: int) -> float:
    """Seconds to wait after the ``failures``-th failure in a row."""
    return min(MAX_RETRY_SECONDS, RETRY_SECONDS * 2 ** min(failures - 1, 16))


def pool_worker_init(parent_pid: int) -> None:
    """Extraction pool initializer: a worker whose indexer was killed exits at once."""
    exit_with_parent(parent_pid, lambda: os._exit(1))


def main(config_json: str, parent_pid: int | None = None) -> None:
    from .indexer import IndexBusy, Indexer, format_summary
    from .watcher import watch

    config = Config.from_json(config_json)
    # A spawned process starts with no logging set up: same format as the workers.
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s] %(name)s: %(message)s")
    stop = threading.Event()

    def on_term(signum: int, frame: object) -> None:
        stop.set()
        raise SystemExit(0)  # leave a long scan promptly; the catalog stays consistent

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl-C handling terminates us
    if parent_pid is not None:  # the server died without stopping us: stop as on SIGTERM
        exit_with_parent(parent_pid, lambda: os.kill(os.getpid(), signal.SIGTERM))
    failures = 0
    while not stop.is_set():
        try:
            with Indexer(config) as indexer:
                summary = indexer.sync("")
                print(format_summary(summary), file=sys.stderr, flush=True)
                failures = 0
                if config.index.watch:
                    watch(indexer, stop)
            return
        except SystemExit:
            return
        except Exception as exc:
            # A full disk or a locked file must not end indexing for good: say
            # why, then reopen and resume from the catalog (every step is
            # idempotent), as often as it takes. The server keeps serving.
            failures += 1
            delay = retry_delay(failures)
            if isinstance(exc, IndexBusy):  # not a fault to trace: another server on the same state folder
                log.error("%s; this server serves that index, and tries again in %g s", exc, delay)
            elif failures == 1:
                log.exception("indexing failed; retrying in %g s", delay)
            else:
                log.error("indexing failed again (%s): %s; retrying in %g s", failures, exc, delay)
            try:
                stop.wait(delay)
            except SystemExit:
                return
