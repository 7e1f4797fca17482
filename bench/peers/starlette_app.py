"""Peer for the files bench: Starlette's StaticFiles (served by uvicorn). Folder from $BENCH_ROOT."""
import os

from starlette.staticfiles import StaticFiles

app = StaticFiles(directory=os.environ["BENCH_ROOT"], html=False)
