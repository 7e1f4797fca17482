"""One access-log line per request: combined log format, or JSON lines.

Lines go to a buffer that is flushed at most every half second (and when it
grows), so writing the log costs a string format and an append on the hot
path, not a system call per request.
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import TextIO

from siteseer.http.dates import MONTHS

_last_second = [-1, ""]
_PLAIN = re.compile(r'[ !#-\[\]-~]*')  # printable ASCII but for " and \


def clf_time(ts: float) -> str:
    second = int(ts)
    if second != _last_second[0]:  # one format per second, not per request
        t = time.gmtime(second)
        _last_second[:] = [second, f"{t.tm_mday:02d}/{MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
                                   f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"]
    return _last_second[1]


def _quoted(value: str | None) -> str:
    if not value:
        return '"-"'
    if _PLAIN.fullmatch(value):
        return '"' + value + '"'
    # Escape what could forge a second log line or break the quoting.
    return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def combined_line(e: dict) -> str:
    """Apache/nginx "combined" format, plus the duration in milliseconds."""
    request = f"{e['method']} {e['target']} HTTP/{e['http_version']}"
    return (
        f"{e['ip']} - - [{clf_time(e['ts'])}] {_quoted(request)} {e['status']} {e['bytes']} "
        f"{_quoted(e.get('referrer'))} {_quoted(e.get('ua'))} {e['duration_ms']:.2f}ms"
    )


# Line breaks to readers that split on more than "\n" (Python's splitlines, some log
# shippers), which JSON leaves raw: escaped, so a user agent cannot forge a record.
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def json_line(e: dict) -> str:
    return json.dumps({
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(e["ts"])) + f".{int(e['ts'] % 1 * 1000):03d}Z",
        "ip": e["ip"], "method": e["method"], "path": e["target"], "status": e["status"],
        "bytes": e["bytes"], "duration_ms": round(e["duration_ms"], 3),
        "referrer": e.get("referrer"), "ua": e.get("ua"), "blocked": e.get("blocked"),
    }, ensure_ascii=False).translate(_LINE_BREAKS)


class AccessLog:
    def __init__(self, fmt: str = "combined", stream: TextIO | None = None, flush_interval: float = 0.5):
        self.format = {"combined": combined_line, "json": json_line}.get(fmt)
        self.stream = stream or sys.stdout
        self.flush_interval = flush_interval
        self._lines: list[str] = []
        self._size = 0
        self._next_flush = 0.0

    @property
    def enabled(self) -> bool:
        return self.format is not None

    def write(self, entry: dict) -> None:
        if self.format is None:
            return
        line = self.format(entry)
        self._lines.append(line)
        self._size += len(line)
        now = time.monotonic()
        if self._size > 65536 or now >= self._next_flush:
            self._next_flush = now + self.flush_interval
            self.flush()

    def flush(self) -> None:
        if not self._lines:
            return
        text = "\n".join(self._lines) + "\n"
        self._lines.clear()
        self._size = 0
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed or full stdout must not take the server down
