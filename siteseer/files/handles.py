"""Open files for granian to send: the version that was stat-ed, not whatever the path names later.

granian's file sender takes a *path* and opens it after the handler has
returned. A file replaced in between (``os.replace`` of a new version, as
editors, rsync and deploy scripts do) would then go out with the old
version's Content-Length and ETag but the new version's bytes: a complete
looking, wrong answer. So for files sent by granian, siteseer opens the file
itself, checks with ``fstat`` that the descriptor is the version whose
headers it wrote, and hands granian ``/proc/self/fd/N``, which opens that
same inode whatever happened to the path since.

A descriptor is kept while its file stays unchanged (LRU, ``max_open``; a
sweep every ``sweep_every`` seconds, run by the worker's 1 s timer through
``tick``, lets go of files deleted or replaced, so their disk space is freed)
and closed no sooner than ``grace`` seconds after it was last handed out:
closing it earlier could let the number be reused by another file (or a
socket, or a database) before granian opened it. granian opens the path as
sending starts (its response's ``File::open``, before the status line goes
out), so milliseconds after the handler returns; 10 s leaves a wide margin.

The descriptors kept and retired (let go of, waiting out their grace) are
capped together at ``max_descriptors`` (``descriptor_budget``): with no cap, requests for many
different large files kept one more open each (a 60 s grace then: thousands),
until small-file reads and SQLite failed with EMFILE. At the cap, with every
retired one still within its grace, the path itself is handed out, as when
out of descriptors (only then may a file replaced mid-request go out mixed).

Opening with ``O_NOFOLLOW`` also closes the window in which a file could be
swapped for a symlink out of the folder after ``resolve`` checked it.
"""

from __future__ import annotations

import errno
import os
import time
from collections import OrderedDict, deque
from typing import Callable

__all__ = ["OpenFiles"]

_PROC_FD = "/proc/self/fd"


class _Handle:
    __slots__ = ("fd", "key", "path", "last_used")

    def __init__(self, fd: int, key: tuple, now: float):
        self.fd = fd
        self.key = key
        self.path = f"{_PROC_FD}/{fd}"
        self.last_used = now


def _version(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def descriptor_budget(low: int = 384, high: int = 16384) -> int:
    """The descriptors ``OpenFiles`` may keep: a quarter of the worker's limit on open
    files (``run.raise_open_files_limit`` raised it to the hard one), within ``low`` and
    ``high``. A fixed 384 was reached by a file replaced every millisecond while asked
    for (each version kept through its grace), and the path went out: mixed versions."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return low
    if soft == resource.RLIM_INFINITY:
        return high
    return min(max(soft // 4, low), high)


class OpenFiles:
    def __init__(self, max_open: int = 128, grace: float = 10.0, sweep_every: float = 10.0,
                 enabled: bool | None = None, max_descriptors: int | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.max_open = max_open
        if max_descriptors is None:
            max_descriptors = descriptor_budget()
        self.max_descriptors = max(max_descriptors, max_open + 1)  # room to retire one
        self.grace = grace
        self.sweep_every = sweep_every
        self.clock = clock
        self._next_sweep = clock() + sweep_every
        self.enabled = os.path.isdir(_PROC_FD) if enabled is None else enabled
        self._open: OrderedDict[str, _Handle] = OrderedDict()
        self._retired: deque[tuple[float, int]] = deque()  # (close after, fd), oldest first

    def path_for(self, real: str, st: os.stat_result) -> str | None:
        """The path granian should open to send the version of ``real`` described by ``st``.

        ``None`` when ``real`` is no longer that version (it changed after the
        stat): the caller answers as if it were missing rather than send wrong
        bytes. Without ``/proc`` or descriptors to spare, ``real`` itself.
        """
        if not self.enabled:
            return real
        now = self.clock()
        self._close_retired(now)
        key = _version(st)
        handle = self._open.get(real)
        if handle is not None and handle.key == key:
            handle.last_used = now
            self._open.move_to_end(real)
            return handle.path
        if self.open_count >= self.max_descriptors:
            return real  # every retired one is still within its grace: none to spare
        if handle is not None:
            self._retire(self._open.pop(real), now)
        try:
            fd = os.open(real, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE):
                return real  # out of descriptors: let granian open the path, as before
            return None  # gone, unreadable, or now a symlink
        try:
            same = _version(os.fstat(fd)) == key
        except OSError:
            same = False
        if not same:
            os.close(fd)
            return None
        handle = self._open[real] = _Handle(fd, key, now)
        if len(self._open) > self.max_open:
            _, oldest = self._open.popitem(last=False)
            self._retire(oldest, now)
        return handle.path

    def forget(self, real: str) -> None:
        """Stop keeping ``real`` open (it was deleted or changed)."""
        handle = self._open.pop(real, None)
        if handle is not None:
            self._retire(handle, self.clock())

    def tick(self) -> None:
        """Close what has waited out its grace, and sweep when due: the worker's 1 s timer
        calls this, so a deleted file's space is freed while only small files are asked for."""
        if not self.enabled:
            return
        now = self.clock()
        self._close_retired(now)
        if now >= self._next_sweep:
            self._sweep(now)

    def close(self) -> None:
        """Close every descriptor now (the worker is stopping)."""
        for handle in self._open.values():
            _close(handle.fd)
        self._open.clear()
        while self._retired:
            _close(self._retired.popleft()[1])

    @property
    def open_count(self) -> int:
        return len(self._open) + len(self._retired)

    def _sweep(self, now: float) -> None:
        self._next_sweep = now + self.sweep_every
        for real, handle in list(self._open.items()):
            try:
                current = _version(os.stat(real, follow_symlinks=False))
            except OSError:
                current = None
            if current != handle.key:
                self._retire(self._open.pop(real), now)

    def _retire(self, handle: _Handle, now: float) -> None:
        self._retired.append((max(now, handle.last_used) + self.grace, handle.fd))

    def _close_retired(self, now: float) -> None:
        retired = self._retired
        while retired and retired[0][0] <= now:
            _close(retired.popleft()[1])


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
