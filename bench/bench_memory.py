"""Memory: RSS of each siteseer worker idle, under load, and after 100,000 requests.

siteseer (2 workers, everything on) serves the real corpus with its index
(``--quick``: a tiny generated site). wrk sends a mix at 32 connections:
40% files of the corpus, 15% 404s for paths never asked before (5% of them
as a browser, ``Accept: text/html``, which renders the not-found page), 45%
``/api/search`` with varied queries and pages. The load runs in bounded wrk
runs until 100,000 requests have been answered.

RSS per worker (``/proc/<pid>/statm``): right after start (idle), after a
10,000-request warm-up, the peak while loaded, and after 100,000 requests.
Growth = after 100,000 / after warm-up - 1 (caches fill during the warm-up;
the target is that nothing grows after that); growth from idle is shown too.
"""

from __future__ import annotations

import json
import os
import random
import stat
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import RssSampler, Servers, log  # noqa: E402

QUERIES = [
    "lighthouse", "debian", "package", "python", "string", "function", "table", "index", "commit", "branch",
    "merge", "install", "network", "kernel", "server", "client", "query", "database", "select", "backup",
    "security", "module", "thread", "socket", "unicode", "format", "config", "repository", "release",
    "upgrade", "apt", "dpkg", "systemd", "firewall", "mail", "printer", "user", "group", "permission",
    "directory", "process", "signal", "memory", "error", "exception", "class", "object", "list", "dict",
    "import", "async", "transaction", "vacuum", "replication", "trigger", "schema", "postgresql+configuration",
    "git+rebase", "list+comprehension", "debian+handbook", "subtitle", "json+schema", "pdf", "harbour",
    "keeper", "sql", "regular+expression", "encoding", "locale", "ssh", "cron", "logging", "http", "proxy",
]
MIX_LUA = r"""
local files = %(files)s
local queries = %(queries)s
local n = 0
local tag = 0
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) %% 100000)
  tag = math.random(1, 1000000000)
  n = math.random(1, 1000)
end
request = function()
  n = n + 1
  local k = n %% 20
  if k < 8 then
    return wrk.format(nil, files[n %% #files + 1])
  elseif k < 10 then
    return wrk.format(nil, "/no/such/" .. tag .. "-" .. n .. ".html")
  elseif k < 11 then
    return wrk.format(nil, "/missing/" .. tag .. "-" .. n, {["Accept"] = "text/html"})
  else
    return wrk.format(nil, "/api/search?q=" .. queries[n %% #queries + 1] .. "&page=" .. (n %% 3 + 1))
  end
end
"""


def pick_files(site: Path, count: int = 300, max_bytes: int = 256 << 10) -> list[str]:
    rng = random.Random(3)
    paths = []
    for dirpath, dirnames, filenames in os.walk(site):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            full = Path(dirpath) / name
            try:
                st = full.stat()  # follows symlinks; a dangling one is skipped
            except OSError:
                continue
            if not name.startswith(".") and stat.S_ISREG(st.st_mode) and st.st_size <= max_bytes:
                paths.append("/" + full.relative_to(site).as_posix())
    paths.sort()
    rng.shuffle(paths)
    from urllib.parse import quote

    return [quote(p) for p in paths[:count]]


def warmed_up(checkpoints: list[tuple[int, list[int], list[float]]], warmup: int) -> list[int]:
    """Each worker's RSS once it alone has done its share of the warm-up.

    A fixed request count is no warm-up for every worker: the 32 connections
    of one wrk run may all be accepted by one worker, and the other then
    starts its growth later (seen: 109 MiB "after warm-up", 192 at the end,
    like its peer). A worker's share is the CPU time all workers used up to
    ``warmup`` requests, divided among them; its RSS is taken at the first
    checkpoint where its own CPU time reaches that (or at the last one).
    """
    first = next((c for c in checkpoints if c[0] >= warmup), checkpoints[-1])
    share = sum(first[2]) / len(first[2])
    out = []
    for i in range(len(first[1])):
        at = next((c for c in checkpoints if c[2][i] >= share), checkpoints[-1])
        out.append(at[1][i])
    return out


def mib(values: list[int]) -> str:
    return ", ".join(f"{v / 2**20:.0f}" for v in values)


def main(quick: bool = False) -> list[dict]:
    total = int(os.environ.get("BENCH_MEMORY_REQUESTS") or (3_000 if quick else 100_000))
    warmup = max(total // 10, 1)
    chunk = float(os.environ.get("BENCH_DURATION") or (1 if quick else 5)) * (1 if quick else 2)
    time_cap = 60 if quick else 600
    site, state = common.tiny_search_site() if quick else common.corpus_site()
    tmp = common.tempdir("memory-")
    config = common.siteseer_config(tmp / "siteseer.toml", state, workers=2)
    files = pick_files(site)
    script = MIX_LUA % {"files": "{" + ",".join(json.dumps(f) for f in files) + "}",
                        "queries": "{" + ",".join(json.dumps(q) for q in QUERIES) + "}"}
    rows: list[dict] = []
    with Servers() as servers:
        server = servers.start(common.siteseer_server("siteseer", site, config, workers=2,
                                                      log_path=tmp / "siteseer.log"))
        workers = server.worker_pids()
        idle = [common.rss_bytes(p) for p in workers]
        cpu_idle = [common.cpu_seconds(p) for p in workers]
        done = 0
        statuses = {"non2xx": 0, "socket_errors": 0}
        peak = list(idle)
        checkpoints = []
        deadline = time.monotonic() + time_cap
        log(f"memory: {total:,} mixed requests at 32 connections (files, 404s, searches)")
        with RssSampler(server) as sampler:
            while done < total and time.monotonic() < deadline:
                run = common.wrk(server.base + "/", connections=32, duration=chunk, script=script)
                done += run["requests"]
                statuses["non2xx"] += run["non2xx"]
                statuses["socket_errors"] += run["socket_errors"]
                now = [common.rss_bytes(p) for p in workers]
                cpu = [common.cpu_seconds(p) - c0 for p, c0 in zip(workers, cpu_idle)]
                checkpoints.append((done, now, cpu))
        for sample in sampler.samples:
            if len(sample) == len(peak):
                peak = [max(a, b) for a, b in zip(peak, sample)]
        if server.worker_pids() != workers:
            raise RuntimeError("a siteseer worker was replaced during the memory bench (crash?)")
        final = [common.rss_bytes(p) for p in workers]
        after_warmup = warmed_up(checkpoints, warmup)

    growth = [f / w - 1 for f, w in zip(final, after_warmup)]
    from_idle = [f / i - 1 for f, i in zip(final, idle)]
    for i, pid in enumerate(workers):
        rows.append({
            "bench": "memory", "table": f"worker RSS (MiB), {done:,} mixed requests at 32 connections",
            "worker": i + 1, "idle": idle[i] / 2**20,
            f"after its share of {warmup:,} (warm-up)": after_warmup[i] / 2**20,
            "peak under load": peak[i] / 2**20, f"after {done:,}": final[i] / 2**20,
            "growth after warm-up": f"{growth[i] * 100:+.1f}%", "growth from idle": f"{from_idle[i] * 100:+.1f}%",
        })
    rows.append({"bench": "memory", "table": "RSS along the run (MiB per worker)",
                 "requests": 0, "RSS": mib(idle)})
    step = max(1, len(checkpoints) // 10)
    for count, values, _ in checkpoints[::step] + ([checkpoints[-1]] if (len(checkpoints) - 1) % step else []):
        rows.append({"bench": "memory", "table": "RSS along the run (MiB per worker)",
                     "requests": count, "RSS": mib(values)})
    rows.append({"bench": "memory", "table": "load", "requests": done,
                 "non-2xx/3xx (404s expected)": statuses["non2xx"], "socket errors": statuses["socket_errors"]})
    worst = max(growth)
    rows.append({"target": f"worker RSS flat after {total:,} requests (<= 10% growth after warm-up)",
                 "measured": f"{worst * 100:+.1f}% (worst worker; {max(from_idle) * 100:+.1f}% from idle)",
                 "met": worst <= 0.10 and done >= total})
    return rows


if __name__ == "__main__":
    print(common.text_tables(main(quick="--quick" in sys.argv)))
