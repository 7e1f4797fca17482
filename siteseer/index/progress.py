"""A dependency-free progress bar for ``siteseer index`` (stderr, redrawn in place)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


ETA_AFTER = 0.01  # of the files done
ETA_AFTER_SECONDS = 2.0


class ProgressBar:
    """Callable as ``progress(done, total)``; redraws at most ~10 times a second.

    On a non-terminal stream it prints nothing until ``finish`` so logs stay clean.
    """

    def __init__(self, stream: TextIO | None = None, width: int = 30, label: str = "Indexing"):
        self.stream = stream or sys.stderr
        self.width = width
        self.label = label
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.tty or (done < total and now - self._last_draw < 0.1):
            return
        self._last_draw = now
        self.stream.write("\r" + self.render(done, total, now - self.started))
        self.stream.flush()
        self._drawn = True

    def render(self, done: int, total: int, elapsed: float) -> str:
        frac = done / total if total else 1.0
        filled = int(self.width * frac)
        bar = "#" * filled + "-" * (self.width - filled)
        eta = ""
        # Not from the first file or two: the pool's start-up is in their time ("1/30000 files
        # ~46047s left"); from ETA_AFTER of the files and ETA_AFTER_SECONDS on, it is a rate.
        if 0 < done < total and done >= total * ETA_AFTER and elapsed >= ETA_AFTER_SECONDS:
            eta = f" ~{elapsed * (total - done) / done:.0f}s left"
        return f"{self.label} [{bar}] {done}/{total} files{eta}   "

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
