"""Time siteseer's Python request path in-process (no sockets): one GET of a 1 KiB file.

    python bench/tools/inproc_request.py

Builds SiteseerApp with the bench config (everything on) and variants with parts turned off,
calls ``__rsgi__`` with fake scope/proto objects, and prints microseconds per request
(best of 5 runs of 20,000). The recorder's writer thread is flushed inside the timing.
"""
import asyncio
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_files  # noqa: E402
import common  # noqa: E402
from siteseer.config import load_config  # noqa: E402


class Scope:
    proto = "http"; method = "GET"; path = bench_files.SMALL; query_string = ""; scheme = "http"
    http_version = "1.1"; authority = None; client = "127.0.0.1:50000"
    headers = {"host": "127.0.0.1:8000", "user-agent": "wrk"}


class Proto:
    def response_bytes(self, status, headers, body): pass
    def response_file(self, *a): pass
    def response_empty(self, *a): pass


def run(variant: str, n: int = 20000) -> float:
    tmp = common.tempdir("inproc-")
    site = bench_files.make_site(tmp, video=False)
    cfgfile = common.siteseer_config(tmp / "s.toml", tmp / "state", stats=variant != "recording off",
                                     block=[] if variant == "no blocklist" else None,
                                     access_log="off" if variant == "access log off" else "combined")
    text = cfgfile.read_text()
    if variant == "rate limiter off":
        text = text.replace("[ratelimit]\nenabled = true", "[ratelimit]\nenabled = false")
        cfgfile.write_text(text)
    from siteseer.server.app import SiteseerApp
    app = SiteseerApp(load_config(site, cfgfile))
    app.accesslog.stream = io.StringIO()
    scope, proto = Scope(), Proto()
    loop = asyncio.new_event_loop()
    best = float("inf")

    async def many():
        for _ in range(n):
            await app.__rsgi__(scope, proto)

    for _ in range(5):
        t = time.perf_counter()
        loop.run_until_complete(many())
        if app.services.recorder is not None:
            app.services.recorder.flush()
        app.accesslog.stream = io.StringIO()
        best = min(best, (time.perf_counter() - t) / n * 1e6)
    app.services.close()
    return best


if __name__ == "__main__":
    for v in ("everything on", "recording off", "access log off", "rate limiter off", "no blocklist"):
        print(f"{v:18} {run(v):6.1f} us/request", flush=True)
