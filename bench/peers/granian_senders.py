"""Peer for bench/tools/granian_senders.py: one large file sent three ways on granian's RSGI.

``SENDER`` (environment) picks how: ``range`` is granian's own file sender
(``response_file_range``, what siteseer uses), ``stream`` reads the file in
Python, ``CHUNK`` bytes at a time (``os.pread``), and hands each chunk to
``response_stream``. ``REPEAT`` sends the file that many times in one
answer (the memory check wants a long body). File from $BENCH_FILE;
``/ready`` answers "ok".
"""
import os

PATH = os.environ["BENCH_FILE"]
SENDER = os.environ.get("SENDER", "range")
CHUNK = int(os.environ.get("CHUNK", str(256 * 1024)))
REPEAT = int(os.environ.get("REPEAT", "1"))
SIZE = os.path.getsize(PATH)


async def app(scope, proto):
    if scope.path == "/ready":  # the harness's readiness poll: not a whole (long) answer
        proto.response_bytes(200, [("content-type", "text/plain")], b"ok")
        return
    headers = [("content-type", "application/octet-stream"), ("content-length", str(SIZE * REPEAT))]
    if SENDER == "range":
        proto.response_file_range(200, headers, PATH, 0, SIZE)
        return
    transport = proto.response_stream(200, headers)
    fd = os.open(PATH, os.O_RDONLY)
    try:
        for _ in range(REPEAT):
            offset = 0
            while offset < SIZE:
                chunk = os.pread(fd, min(CHUNK, SIZE - offset), offset)
                if not chunk:
                    return
                offset += len(chunk)
                await transport.send_bytes(chunk)
    except Exception:  # the client went away
        return
    finally:
        os.close(fd)
