"""Peer for the files bench: the least an app on granian's RSGI interface can do.

What siteseer's file serving would cost with nothing of its own: no
gatekeeper, no conditional requests, no access log or traffic records, no
security headers. It answers from the same granian, the same way siteseer
does (files up to 256 KiB from memory, larger ones through
``response_file_range``), so siteseer's ratio to it is what siteseer's own
Python costs, and its ratio to nginx is the most siteseer could reach on this
machine with granian. Folder from $BENCH_ROOT; only what the bench asks
(GET of a whole file, ``Range: bytes=N-``).
"""
import mimetypes
import os

ROOT = os.path.realpath(os.environ["BENCH_ROOT"])
IN_MEMORY = 256 * 1024
_bodies: dict[str, bytes] = {}


async def app(scope, proto):
    path = os.path.realpath(os.path.join(ROOT, scope.path.lstrip("/")))
    if not path.startswith(ROOT + os.sep) or not os.path.isfile(path):
        proto.response_str(404, [("content-type", "text/plain")], "not found")
        return
    ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    size = os.path.getsize(path)
    if size <= IN_MEMORY:
        body = _bodies.get(path)
        if body is None:
            with open(path, "rb") as f:
                body = _bodies[path] = f.read()
        proto.response_bytes(200, [("content-type", ctype)], body)
        return
    start, status, headers = 0, 200, [("content-type", ctype), ("accept-ranges", "bytes")]
    wanted = scope.headers.get("range", "")
    if wanted.startswith("bytes=") and wanted.endswith("-") and wanted[6:-1].isdigit():
        start, status = int(wanted[6:-1]), 206
        headers.append(("content-range", f"bytes {start}-{size - 1}/{size}"))
    headers.append(("content-length", str(size - start)))
    proto.response_file_range(status, headers, path, start, size)
