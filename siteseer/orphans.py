"""Processes that end with the process that started them.

A kill -9 leaves no one to send SIGTERM: an orphaned granian worker keeps
answering on the port, and an orphaned indexer keeps the index's writer
lock, so the next ``siteseer serve`` finds both taken. Each child watches
its parent instead.
"""

from __future__ import annotations

import os
import threading
from typing import Callable

PARENT_POLL = 1.0  # seconds between checks that the parent is still there
ENV_SERVER_PID = "SITESEER_SERVER_PID"  # the pid granian's workers watch


def exit_with_parent(parent_pid: int, on_orphan: Callable[[], None]) -> None:
    """Call ``on_orphan`` (once, from a daemon thread) when ``parent_pid`` is no longer our parent.

    An orphan is re-parented (to init or a subreaper), so ``getppid`` changes;
    comparing with the pid the parent passed also catches a parent that died
    before this process got here.
    """

    def run() -> None:
        while os.getppid() == parent_pid:
            threading.Event().wait(PARENT_POLL)
        on_orphan()

    threading.Thread(target=run, name="siteseer-parent-watch", daemon=True).start()
