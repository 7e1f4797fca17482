"""Peer for the files bench: WhiteNoise (served by gunicorn). Folder from $BENCH_ROOT."""
import os

from whitenoise import WhiteNoise


def not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
    return [b"not found\n"]


application = WhiteNoise(not_found, root=os.environ["BENCH_ROOT"], autorefresh=False, max_age=60)
