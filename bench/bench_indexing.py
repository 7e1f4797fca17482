"""Indexing throughput: siteseer vs raw extraction vs Pagefind.

Contestants, each run in its own process tree (so peak RSS is the sum of
the tree, sampled every 50 ms, and interpreter start-up is not counted):

* ``siteseer``  — ``run_index`` from nothing (fresh state dir), N extraction processes
* ``raw``       — the same scan, batches and N spawn processes calling the
  extractors only (no hashing, no tantivy): the floor indexing can reach
* ``pagefind``  — ``python -m pagefind --site DIR --output-path OUT`` (HTML part only;
  from ``pip install 'pagefind[extended]'``; it uses every core)

Corpora: the whole real corpus (siteseer vs raw) and its HTML part (all
three). Rounds alternate contestants so a noisy neighbour hurts everyone
alike; the table reports the median round.

    python bench/bench_indexing.py            # real corpus, 3 rounds
    python bench/bench_indexing.py --quick    # generated folder, seconds
    python bench/bench_indexing.py --rounds 1 --corpus /work/corpus

``main(quick) -> list[dict]`` is what ``bench/run.py`` imports.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

CORPUS = Path(os.environ.get("SITESEER_BENCH_CORPUS", "/work/corpus"))
WORKERS = 2
WORK = Path(tempfile.gettempdir()) / "siteseer-bench-indexing"


def tree_rss_mb(root_pid: int) -> float:
    """Resident memory of ``root_pid`` and all its descendants, in MiB."""
    return sum(common.rss_bytes(pid) for pid in common.process_tree(root_pid)) / 2**20


class PeakSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            self._halt.wait(self.every)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return self.peak


def dir_mb(path: Path) -> float:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total / 1e6


# -- the contestants (run in a child process: ``--child NAME ROOT OUT``) -------
def _raw_batch(root: str, items: list, max_unit_chars: int, max_file_bytes: int) -> tuple[int, int]:
    from siteseer.index.extractors import extract

    units = chars = 0
    for rel, _, _ in items:
        try:
            ex = extract(Path(root) / rel, rel, max_unit_chars=max_unit_chars, max_file_bytes=max_file_bytes)
        except Exception:
            continue
        units += len(ex.units)
        chars += sum(len(u.text or "") for u in ex.units)
    return units, chars


def _scope(root: Path, state: Path):
    from siteseer.config import Config, IndexConfig
    from siteseer.index.extractors import kind_for
    from siteseer.index.scan import Scope

    config = Config()
    config.root = root.resolve()
    config.index = IndexConfig(state_dir=str(state), workers=WORKERS, watch=False)
    return config, Scope(config.root, config.state_dir, config.index.exclude), kind_for


def child_raw(root: Path, out: Path) -> dict:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from siteseer.index.documents import NAME_ONLY_KINDS
    from siteseer.index.indexer import _batches
    from siteseer.index.scan import scan

    config, scope, kind_for = _scope(root, out)
    started = time.perf_counter()
    found = scan(config.root, scope, kind_for, "")
    todo = [(rel, st.size, st.mtime_ns, None) for rel, st in sorted(found.items())]
    batches = _batches(todo, lambda rel: kind_for(config.root / rel) in NAME_ONLY_KINDS)
    units = chars = 0
    cfg = config.index
    with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        futs = [pool.submit(_raw_batch, str(config.root), b, cfg.max_unit_chars, cfg.max_file_bytes) for b in batches]
        for f in futs:
            u, c = f.result()
            units += u
            chars += c
    return {"seconds": time.perf_counter() - started, "files": len(todo), "units": units, "chars": chars}


def child_siteseer(root: Path, out: Path) -> dict:
    from siteseer.index.indexer import run_index

    config, _, _ = _scope(root, out)
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    summary = run_index(config)
    return {"seconds": time.perf_counter() - started, "files": summary.files, "units": summary.units,
            "size_mb": dir_mb(out / "index")}


def _child_main(argv: list[str]) -> None:
    name, root, out = argv[0], Path(argv[1]), Path(argv[2])
    import resource

    result = {"raw": child_raw, "siteseer": child_siteseer}[name](root, out)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_main_s"] = round(me.ru_utime + me.ru_stime, 2)  # incl. tantivy's threads
    result["cpu_workers_s"] = round(kids.ru_utime + kids.ru_stime, 2)
    print("RESULT " + json.dumps(result), flush=True)


# -- the parent: run, sample, compare ------------------------------------------
def run_contestant(name: str, root: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    if name == "pagefind":
        cmd = [sys.executable, "-m", "pagefind", "--site", str(root), "--output-path", str(out), "--silent"]
    else:
        cmd = [sys.executable, os.path.abspath(__file__), "--child", name, str(root), str(out)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PeakSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate(timeout=1800)
    wall = time.perf_counter() - started
    peak = sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed ({proc.returncode}): {stderr[-2000:]}")
    result: dict = {"seconds": wall}
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
    if name == "pagefind":
        result["size_mb"] = dir_mb(out)
    result["peak_rss_mb"] = peak
    result["wall_seconds"] = wall
    return result


def html_files(root: Path) -> tuple[int, int]:
    n = size = 0
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith((".html", ".htm")):
                n += 1
                size += os.path.getsize(os.path.join(dirpath, f))
    return n, size


def corpus_bytes(root: Path) -> int:
    total = 0
    for d, _, fs in os.walk(root):
        for f in fs:
            try:
                total += os.path.getsize(os.path.join(d, f))
            except OSError:  # a dangling symlink
                pass
    return total


def generate_folder(root: Path, files: int = 240) -> Path:
    """A small mixed folder (HTML, Markdown, text) for quick runs."""
    import random

    rnd = random.Random(7)
    words = ("search index tantivy server folder quick brown fox jumps lazy dog cache engine query "
             "snippet phrase prefix typo document unit extraction process python rust speed memory").split()
    if root.exists() and len(list(root.rglob("*"))) >= files:
        return root
    shutil.rmtree(root, ignore_errors=True)
    for i in range(files):
        paras = [" ".join(rnd.choice(words) for _ in range(rnd.randint(40, 160))) for _ in range(rnd.randint(2, 8))]
        sub = root / f"d{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        kind = i % 3
        if kind == 0:
            body = "".join(f"<h2 id='s{j}'>Section {j}</h2><p>{p}</p>" for j, p in enumerate(paras))
            (sub / f"page{i}.html").write_text(f"<!doctype html><html><head><title>Page {i}</title></head><body><h1>Page {i}</h1>{body}</body></html>")
        elif kind == 1:
            (sub / f"note{i}.md").write_text(f"# Note {i}\n\n" + "\n\n".join(f"## Part {j}\n\n{p}" for j, p in enumerate(paras)))
        else:
            (sub / f"text{i}.txt").write_text(f"Text {i}\n\n" + "\n\n".join(paras))
    return root


def have_pagefind() -> bool:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return False
    return True


def bench(corpus: Path, rounds: int, include_full: bool = True) -> list[dict]:
    plans: list[tuple[str, Path, list[str]]] = []
    if include_full:
        plans.append(("corpus", corpus, ["raw", "siteseer"]))
    html_root = corpus / "html" if (corpus / "html").is_dir() else corpus
    html_plan = ["raw", "siteseer"] + (["pagefind"] if have_pagefind() else [])
    plans.append(("html", html_root, html_plan))
    rows: list[dict] = []
    for label, root, names in plans:
        mb = corpus_bytes(root) / 1e6
        runs: dict[str, list[dict]] = {n: [] for n in names}
        for r in range(rounds):
            order = names if r % 2 == 0 else list(reversed(names))
            for name in order:
                res = run_contestant(name, root, WORK / label / name)
                runs[name].append(res)
                print(f"  [{label}] round {r + 1} {name}: {res['seconds']:.2f} s, peak {res['peak_rss_mb']:.0f} MB",
                      file=sys.stderr, flush=True)
        raw_s = statistics.median(x["seconds"] for x in runs["raw"])
        for name in names:
            med = sorted(runs[name], key=lambda x: x["seconds"])[len(runs[name]) // 2]
            secs = med["seconds"]
            units = med.get("units") or (runs["raw"][0].get("units") if name == "pagefind" else None)
            rows.append({
                "bench": "indexing", "corpus": label, "contestant": name, "rounds": rounds,
                "seconds": round(secs, 2), "all_seconds": [round(x["seconds"], 2) for x in runs[name]],
                "files": med.get("files"), "units": med.get("units"),
                "units_per_s": round(units / secs) if units and name != "pagefind" else None,
                "mb_per_s": round(mb / secs, 1), "input_mb": round(mb, 1),
                "peak_rss_mb": round(max(x["peak_rss_mb"] for x in runs[name])),
                "index_mb": round(med["size_mb"], 1) if "size_mb" in med else None,
                "vs_raw": round(secs / raw_s, 2),
                "cpu_main_s": med.get("cpu_main_s"), "cpu_workers_s": med.get("cpu_workers_s"),
            })
    return rows


def print_table(rows: list[dict]) -> None:
    cols = [("corpus", "corpus", "{}"), ("contestant", "contestant", "{}"), ("seconds", "median s", "{:.2f}"),
            ("all_seconds", "rounds s", "{}"), ("units_per_s", "units/s", "{}"), ("mb_per_s", "MB/s", "{}"),
            ("peak_rss_mb", "peak RSS MB", "{}"), ("index_mb", "index MB", "{}"),
            ("cpu_main_s", "CPU main s", "{}"), ("cpu_workers_s", "CPU workers s", "{}"), ("vs_raw", "x raw", "{:.2f}")]
    table = [[h for _, h, _ in cols]]
    for r in rows:
        table.append([("-" if r.get(k) is None else f.format(r[k] if k != "all_seconds" else " ".join(map(str, r[k]))))
                      for k, _, f in cols])
    common.print_aligned(table)


def main(quick: bool = False) -> list[dict]:
    if quick:
        root = generate_folder(WORK / "quick-folder")
        rows = bench(root, rounds=1, include_full=True)
    else:
        rows = bench(CORPUS, rounds=int(os.environ.get("SITESEER_BENCH_ROUNDS", "3")))
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
        sys.exit(0)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--html-only", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    if args.corpus:
        CORPUS = args.corpus
    if args.rounds is not None:
        os.environ["SITESEER_BENCH_ROUNDS"] = str(args.rounds)
    if args.html_only:
        rows = bench(CORPUS, rounds=args.rounds or 3, include_full=False)
    else:
        rows = main(args.quick)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
