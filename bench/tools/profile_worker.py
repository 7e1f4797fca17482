"""Profile one siteseer worker under wrk load with py-spy (pip install py-spy).

    python bench/tools/profile_worker.py [--path /page-1k.html] [--seconds 15] [--stats on|off]
           [--connections 32] [--workers 2] [--corpus] [--lua FILE]

Starts siteseer (everything on, as in the files bench) on a generated folder
(or the real corpus with --corpus), loads it with wrk for ``seconds`` and
records a worker with ``py-spy record --format raw`` (collapsed stacks) into
bench/out/profile-*.txt, then prints the top functions by own time and by
total time (percent of samples in that worker).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_files  # noqa: E402
import common  # noqa: E402


def summarize(raw: Path, top: int = 30) -> str:
    own: collections.Counter = collections.Counter()
    total: collections.Counter = collections.Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if f]
        if not frames:
            continue
        samples += n
        own[frames[-1]] += n
        for f in set(frames):
            total[f] += n
    out = [f"{samples} samples", "", "own time:"]
    out += [f"  {n / samples * 100:5.1f}%  {f}" for f, n in own.most_common(top)]
    out += ["", "total time (inclusive):"]
    out += [f"  {n / samples * 100:5.1f}%  {f}" for f, n in total.most_common(top)]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--path", default=bench_files.SMALL)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--stats", default="on")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--corpus", action="store_true")
    ap.add_argument("--lua", type=Path)
    ap.add_argument("--native", action="store_true", help="py-spy --native (C frames too)")
    args = ap.parse_args()
    tmp = common.tempdir("profile-")
    if args.corpus:
        site, state = common.corpus_site()
    else:
        site, state = bench_files.make_site(tmp, video=True), tmp / "state"
    config = common.siteseer_config(tmp / "s.toml", state, workers=args.workers, stats=args.stats == "on")
    raw = common.OUT_DIR / f"profile-{Path(args.path).name or 'root'}-{args.stats}.txt"
    with common.Servers() as servers:
        server = servers.start(common.siteseer_server("siteseer", site, config, workers=args.workers,
                                                      log_path=tmp / "siteseer.log"))
        common.wrk(server.base + args.path, connections=args.connections, duration=2)
        pid = server.worker_pids()[0]
        result: dict = {}
        script = args.lua.read_text() if args.lua else None
        load = threading.Thread(target=lambda: result.update(common.wrk(
            server.base + args.path, connections=args.connections, duration=args.seconds + 3, script=script)))
        load.start()
        spy = ["py-spy", "record", "--pid", str(pid), "--duration", str(args.seconds), "--rate", "250",
               "--format", "raw", "--output", str(raw), "--nonblocking"]
        if args.native:
            spy.append("--native")
        subprocess.run(spy, check=True, capture_output=True)
        load.join()
    print(f"wrk: {result['req_s']:.0f} req/s, p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms "
          f"(profiled worker {pid}; raw stacks in {raw})")
    print(summarize(raw))


if __name__ == "__main__":
    main()
