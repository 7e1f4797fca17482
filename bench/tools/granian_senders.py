"""Could siteseer send large files faster than granian's file sender? Not safely, yet.

    python bench/tools/granian_senders.py [--rounds 3] [--seconds 8] [--size-mib 20] [--slow-body-mib 1024]

1. Throughput, side by side (alternated, wrk 8 connections, 2 workers): a large
   file through granian's ``response_file_range`` (what siteseer and the files
   bench's floor use), through a Python loop of ``os.pread`` chunks handed to
   ``response_stream``, and from nginx (sendfile) as the limit.
2. Memory: one answer of 1 GiB (the file sent over and over) streamed from Python
   to a client that reads 5 MB/s. A sender with backpressure waits for the
   client, and its worker stays small; without, the worker holds what the
   client has not read yet.

Measured with granian 2.8.9 (bench/RESULTS.md's machine; 3 rounds): the Python
stream 0.93x nginx against 0.75x for granian's file sender, but its worker grew
from 28 MiB to 1,021 MiB for a client reading 20 MB/s: ``send_bytes`` queues without
limit (granian issue 885). So siteseer keeps granian's file sender; rerun this
after a granian upgrade, and switch when the second table says "yes".
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_files  # noqa: E402
import common  # noqa: E402

PEERS = Path(__file__).resolve().parent.parent / "peers"
WORKERS = 2
SLOW_CLIENT_RATE = "5M"  # curl --limit-rate: bytes a second
SLOW_SECONDS = 4


def granian(name: str, file: Path, *, sender: str, chunk: int = 256 * 1024, repeat: int = 1,
            workers: int = WORKERS) -> common.Server:
    port = common.free_port()
    argv = [sys.executable, "-m", "granian", "--interface", "rsgi", "--workers", str(workers), "--loop", "uvloop",
            "--no-ws", "--http", "1", "--host", common.HOST, "--port", str(port), "--working-dir", str(PEERS),
            "granian_senders:app"]
    env = {"BENCH_FILE": str(file), "SENDER": sender, "CHUNK": str(chunk), "REPEAT": str(repeat)}
    return common.Server(name, argv, port, env=env, workers=workers, ready_path="/ready")


def throughput(file: Path, tmp: Path, rounds: int, seconds: float) -> list[dict]:
    makers = {
        "granian file sender (response_file_range)": lambda: granian("range", file, sender="range"),
        "Python stream, 256 KiB chunks (response_stream)": lambda: granian("stream", file, sender="stream"),
    }
    if shutil.which("nginx"):
        makers["nginx (sendfile)"] = lambda: bench_files.nginx_server(file.parent, tmp)
    url_path = "/" + file.name

    def measure(name: str, _round: int) -> dict:
        with makers[name]().start() as server:
            common.wrk(server.base + url_path, connections=8, duration=2)  # warm-up
            return common.measure_with_cpu(server, server.base + url_path, connections=8, duration=seconds)

    samples = common.alternate(list(makers), rounds, measure)
    nginx = "nginx (sendfile)" if "nginx (sendfile)" in samples else None
    rows = []
    for name, runs in samples.items():
        row = {"bench": "senders", "table": f"{file.stat().st_size >> 20} MiB file, 8 connections", "sender": name,
               "rounds": len(runs), "MB/s": common.median(r["mb_s"] for r in runs),
               "CPU s/GB": common.median(r["cpu_s_per_gb"] for r in runs)}
        if nginx:
            row["x nginx"] = common.paired_ratio(samples, name, nginx, "mb_s")
        rows.append(row)
    return rows


def slow_client_memory(file: Path, body_mib: int) -> dict:
    """Worker RSS while one slow client reads a long streamed answer (``body_mib``, the file over and over)."""
    repeat = max(1, (body_mib << 20) // file.stat().st_size)
    with granian("stream", file, sender="stream", repeat=repeat, workers=1).start() as server:
        idle = max(server.rss())
        client = subprocess.Popen(["curl", "-s", "--limit-rate", SLOW_CLIENT_RATE, "-o", "/dev/null",
                                   server.base + "/"], stdin=subprocess.DEVNULL)
        peak = idle
        try:
            deadline = time.monotonic() + SLOW_SECONDS
            while time.monotonic() < deadline:
                peak = max(peak, *server.rss())
                time.sleep(0.2)  # sampling interval
        finally:
            client.kill()
            client.wait()
    body = file.stat().st_size * repeat
    # The client reads ~20 MB meanwhile; a sender that waits for it holds a few chunks and
    # socket buffers. A worker that grew by a quarter of the answer or more is queueing it.
    held = peak - idle
    return {"bench": "senders", "table": f"memory: one client reading {SLOW_CLIENT_RATE}B/s, {SLOW_SECONDS} s, "
            "of a long streamed answer",
            "worker RSS idle MiB": idle / 2**20, "worker RSS peak MiB": peak / 2**20,
            "answer MiB": body / 2**20, "backpressure": "yes" if held < body / 4 else "no"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--size-mib", type=int, default=20)
    ap.add_argument("--slow-body-mib", type=int, default=1024, help="the memory check's answer")
    args = ap.parse_args()
    tmp = common.tempdir("senders")
    file = common.make_file(tmp / "site" / "video.mp4", args.size_mib << 20, "bin")
    rows = throughput(file, tmp, args.rounds, args.seconds)
    rows.append(slow_client_memory(file, args.slow_body_mib))
    print(common.text_tables(rows))


if __name__ == "__main__":
    main()
