"""Run siteseer's benchmarks side by side with its peers; print tables and write RESULTS.md.

    python bench/run.py                      # everything (~35-45 min on 2 cores), writes bench/RESULTS.md
    python bench/run.py --quick              # seconds: 1 round, 1 s runs; writes bench/out/RESULTS.quick.md
    python bench/run.py --only files,pages   # some of: files, search, indexing, pages, memory, stats

Each bench is a module ``bench/bench_<name>.py`` with ``main(quick: bool) ->
list[dict]`` (row format in ``bench/common.py``). A missing module is
reported and skipped; a bench that fails is reported, the others still run,
and the exit status is 1.

Install the peers first: ``pip install -r bench/requirements.txt`` (and the
Debian packages wrk, nginx-light and chromium).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

# Ours first, so their results are in even when the long search/indexing benches are still going.
BENCHES = ["files", "pages", "memory", "stats", "search", "indexing"]

# Targets owned by benches that may be missing: listed as "not measured" then.
EXPECTED_TARGETS = {
    "search": ["search via HTTP on the real corpus: p50 <= 3 ms, p99 <= 15 ms (worst query class, 8 connections)",
               "search via HTTP on the real corpus: >= 1,500 q/s at 32 connections (worst query class)",
               "search via HTTP at 1M units: p99 <= 50 ms (worst query class, 8 connections)",
               "worker RSS <= 200 MB at 1M units"],
    "indexing": ["indexing within 1.3x of raw extraction"],
    "pages": ["results visible <= 300 ms after navigation (warm)"],
    "memory": ["worker RSS flat after 100,000 requests (<= 10% growth)"],
    "stats": ["a month of traffic at 1,000 req/s charts in under a second"],
    "files": ["1 KiB file >= 0.40x nginx req/s, everything on",
              "20 MiB file >= 0.9x nginx MB/s (with and without Range)",
              "recording on costs < 10% req/s (1 KiB file)"],
}


def search_targets(rows: list[dict]) -> list[dict]:
    """The search lines: the worst query class decides; every load is shown."""
    inf = float("inf")  # a class that got no answer at all is the worst class
    at: dict[tuple[str, int], list[dict]] = {}
    engine: dict[str, list[dict]] = {}  # the floor: one in-process search per query, no HTTP
    for r in rows:
        if r.get("contestant") == "engine" and r.get("p99_ms") is not None:
            engine.setdefault(r.get("index"), []).append(r)
        if r.get("contestant") == "siteseer" and "p50_ms" in r:
            at.setdefault((r.get("index"), r.get("connections")), []).append(
                {**r, "p50_ms": inf if r["p50_ms"] is None else r["p50_ms"],
                 "p99_ms": inf if r["p99_ms"] is None else r["p99_ms"]})

    def ours(index: str, connections: int) -> list[dict]:
        return at.get((index, connections), [])

    def worst(rs: list[dict], key: str, fn=max) -> str:
        r = fn(rs, key=lambda r: r[key])
        return f"{r[key]:,.2f} ms ({r['class']})" if key.endswith("_ms") else f"{r[key]:,.0f} q/s ({r['class']})"

    out = []
    names = EXPECTED_TARGETS["search"]
    loads = [c for c in (1, 8, 32) if ours("corpus", c)]
    if ours("corpus", 8):
        rs = ours("corpus", 8)
        shown = "; ".join(f"{c} connection{'s' if c > 1 else ''}: p50 {worst(ours('corpus', c), 'p50_ms')}, "
                          f"p99 {worst(ours('corpus', c), 'p99_ms')}" for c in loads)
        out.append({"target": names[0], "measured": shown,
                    "met": max(r["p50_ms"] for r in rs) <= 3 and max(r["p99_ms"] for r in rs) <= 15})
    if ours("corpus", 32):
        rs = ours("corpus", 32)
        out.append({"target": names[1], "measured": worst(rs, "qps", min),
                    "met": min(r["qps"] for r in rs) >= 1500})
    if ours("1m", 8):
        shown = "; ".join(f"{c} connection{'s' if c > 1 else ''}: p99 {worst(ours('1m', c), 'p99_ms')}"
                          for c in (1, 8, 32) if ours("1m", c))
        if engine.get("1m"):
            shown += f"; the engine alone (1 connection): p99 {worst(engine['1m'], 'p99_ms')}"
        out.append({"target": names[2], "measured": shown, "met": max(r["p99_ms"] for r in ours("1m", 8)) <= 50})
        rss = max(r.get("worker_rss_mb", 0) for r in ours("1m", 8) + ours("1m", 32))
        anon = max(r.get("worker_anon_mb", 0) for r in ours("1m", 8) + ours("1m", 32))
        out.append({"target": names[3], "measured": f"{rss:,} MB RSS, of which {anon:,} MB anonymous "
                    "(the rest is the index's memory-mapped files, shared and reclaimable)", "met": rss <= 200})
    return out


def derived_targets(name: str, rows: list[dict]) -> list[dict]:
    """Target lines for benches whose rows carry the numbers but no ``target`` rows."""
    if any("target" in r for r in rows):
        return []
    out = []
    if name == "search":
        out += search_targets(rows)
    elif name == "indexing":
        ours = [r for r in rows if r.get("contestant") == "siteseer" and r.get("vs_raw") is not None]
        if ours:
            out.append({"target": EXPECTED_TARGETS["indexing"][0],
                        "measured": ", ".join(f"{r['vs_raw']:.2f}x raw ({r.get('corpus', '?')})" for r in ours),
                        "met": all(r["vs_raw"] <= 1.3 for r in ours)})
    return out


def main(argv: list[str] | None = None) -> int:
    # A SIGTERM unwinds like Ctrl-C, so every started server's process group is killed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s runs, fewer cases: a smoke test")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(BENCHES)}")
    parser.add_argument("--rounds", type=int, help="rounds of alternation (default 3, quick 1)")
    parser.add_argument("--duration", type=float, help="seconds per wrk measurement (default 5, quick 1)")
    parser.add_argument("--out", type=Path, help="where to write the results "
                        "(default bench/RESULTS.md, with --quick bench/out/RESULTS.quick.md)")
    args = parser.parse_args(argv)

    only = [b.strip() for b in args.only.split(",") if b.strip()] or BENCHES
    unknown = [b for b in only if b not in BENCHES]
    if unknown:
        parser.error(f"unknown bench {', '.join(unknown)} (known: {', '.join(BENCHES)})")
    if args.rounds:
        os.environ["BENCH_ROUNDS"] = str(args.rounds)
    if args.duration:
        os.environ["BENCH_DURATION"] = str(args.duration)
    out = args.out or (common.OUT_DIR / "RESULTS.quick.md" if args.quick else common.BENCH_DIR / "RESULTS.md")

    started = time.time()
    command = ["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]
    out.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    notes: list[str] = []
    failed = False
    for name in BENCHES:
        if name not in only:
            rows += [{"target": t, "measured": "not run (--only)", "met": None} for t in EXPECTED_TARGETS.get(name, [])]
    for name in only:
        module_name = f"bench_{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            common.log(f"{name}: bench/{module_name}.py is missing; skipped")
            notes.append(f"{name}: bench/{module_name}.py is missing; not run")
            rows += [{"target": t, "measured": "not measured (bench missing)", "met": None}
                     for t in EXPECTED_TARGETS.get(name, [])]
            continue
        common.log(f"=== {name}")
        t0 = time.time()
        try:
            result = module.main(args.quick)
        except Exception as exc:
            failed = True
            traceback.print_exc()
            notes.append(f"{name}: failed: {type(exc).__name__}: {exc}")
            rows += [{"target": t, "measured": f"not measured ({name} bench failed)", "met": None}
                     for t in EXPECTED_TARGETS.get(name, [])]
            continue
        for row in result:
            if "target" not in row:
                row.setdefault("bench", name)
        result += derived_targets(name, result)
        rows += result
        notes.append(f"{name}: {time.time() - t0:.0f} s")
        print(common.text_tables(result), flush=True)
        print(flush=True)
        # Written after every bench too, so a long run leaves its results so far.
        common.write_results(out, rows, argv=command, started=started, notes=[*notes, "(partial: still running)"])

    print("=" * 72)
    print(common.text_tables(rows))
    common.write_results(out, rows, argv=command, started=started, notes=notes)
    print(f"\nwrote {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
