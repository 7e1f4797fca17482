"""Search latency and throughput: siteseer over HTTP vs in-process vs Datasette FTS5.

Indexes:

* ``corpus`` — the real corpus (``/work/corpus``), indexed by ``run_index`` into
  ``/tmp/siteseer-bench-corpus`` (incremental: re-runs only redo what changed).
* ``1m`` — 1,000,000 units: copies of the real units, perturbed (rotated at a
  word boundary, a few words swapped for other vocabulary, a copy number in the
  title and path), written straight into a tantivy index in
  ``/tmp/siteseer-bench-1m``. Resumable: it is built in whole-chunk commits and
  the next run continues from the index's own document count.

Contestants:

* ``engine``    — tantivy alone in-process: the built query, top 10 + count, stored
  docs loaded; no snippets, facets or JSON (the floor)
* ``service``   — ``SearchService.search`` in-process (everything but HTTP)
* ``siteseer``  — ``/api/search`` through ``siteseer serve --workers 2 --no-index``
  with wrk at 8 and 32 connections
* ``datasette`` — ``/db/units.json?_search=...&_searchmode=raw`` over the same units
  in SQLite FTS5 (porter unicode61), one Datasette process, wrk likewise

Query classes (from the corpus' own text, fixed seed): single word, two-word
AND, phrase, prefix (last word still being typed) and typo (two letters swapped).

    python bench/bench_search.py                 # corpus + 1m, 3 rounds of 4 s runs
    python bench/bench_search.py --quick         # tiny index, 1 round of 1 s runs
    python bench/bench_search.py --only corpus --seconds 5 --rounds 5

Contestants alternate round by round (A B C D, then D C B A …); a row is the
median of its rounds (requests and errors summed, worker RSS the largest), and
a ratio is the median of the per-round ratios.

``main(quick) -> list[dict]`` is what ``bench/run.py`` imports.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

CORPUS = Path(os.environ.get("SITESEER_BENCH_CORPUS", "/work/corpus"))
TMP = Path(tempfile.gettempdir())
REAL_STATE = TMP / "siteseer-bench-corpus"
BIG_STATE = TMP / "siteseer-bench-1m"
QUICK_STATE = TMP / "siteseer-bench-quick"
DATASETTE_DIR = TMP / "siteseer-bench-datasette"
BIG_UNITS = 1_000_000
BIG_CHUNK = 50_000  # units per commit while building the 1m index
CLASSES = ("single", "two_and", "phrase", "prefix", "typo")
CONNECTIONS = (1, 8, 32)  # 1: a query's own latency; 8 and 32: under load
SERVER_WORKERS = 2


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def config_for(state: Path, root: Path = CORPUS):
    from siteseer.config import Config, IndexConfig

    config = Config()
    config.root = root.resolve()
    config.index = IndexConfig(state_dir=str(state), workers=2, watch=False)
    config.search.result_cache = 0  # measure the search, not a dict lookup
    return config


# -- indexes -------------------------------------------------------------------
def prepare_real(root: Path = CORPUS, state: Path = REAL_STATE):
    from siteseer.index.indexer import run_index

    config = config_for(state, root)
    started = time.perf_counter()
    summary = run_index(config)
    log(f"index {state}: {summary.documents} units ({summary.indexed} files re-indexed) in {time.perf_counter() - started:.1f} s")
    return config


def export_units(config, limit: int | None = None) -> list[dict]:
    """Every unit's stored fields, read back from the index."""
    import tantivy

    from siteseer.index.schema import open_index, original

    index = open_index(config.state_dir / "index")
    index.reload()
    searcher = index.searcher()
    n = searcher.num_docs if limit is None else min(limit, searcher.num_docs)
    found = searcher.search(tantivy.Query.all_query(), limit=n, count=False)
    units = []
    for _, address in found.hits:
        doc = searcher.doc(address)
        d = {name: doc.get_first(name) for name in ("id", "path", "url", "type", "page", "t", "anchor")}
        for name in ("title", "headings", "body"):  # as written (the index blanks CJK in these)
            d[name] = original(doc, name)
        page_title = doc.get_first("page_title")
        d["page_title"] = bytes(page_title).decode("utf-8") if page_title is not None else None
        units.append({k: v for k, v in d.items() if v is not None})
    units.sort(key=lambda u: u["id"])
    return units


_WORD = re.compile(r"[A-Za-z]{3,14}")


def perturb(unit: dict, copy: int, rnd: random.Random, vocab: list[str]) -> dict:
    from siteseer.index.documents import unit_grams

    body = unit.get("body") or ""
    if len(body) > 200:  # rotate at a word boundary, and swap a few words
        cut = body.find(" ", rnd.randrange(len(body) // 2))
        if cut > 0:
            body = body[cut + 1 :] + " " + body[:cut]
        for _ in range(3):
            at = body.find(" ", rnd.randrange(len(body)))
            if at > 0:
                end = body.find(" ", at + 1)
                end = end if end > 0 else len(body)
                body = body[: at + 1] + rnd.choice(vocab) + body[end:]
    path = f"copy{copy:03}/{unit['path']}"
    fields = dict(unit)
    fields.update(id=f"{path}#{unit['id'].rsplit('#', 1)[-1]}", path=path, url="/" + urllib.parse.quote(path),
                  title=f"{unit.get('title', '')} ({copy})", body=body)
    fields["grams"] = unit_grams(fields)
    return fields


def prepare_big(units: list[dict], state: Path = BIG_STATE, target: int = BIG_UNITS) -> Path:
    """Build (or finish building) the synthetic index; returns its state dir."""
    from siteseer.index.catalog import Catalog
    from siteseer.index.documents import to_document
    from siteseer.index.schema import SCHEMA_VERSION, open_index
    from siteseer.index.textforms import cjk_bigrams

    marker = state / "bench.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("schema_version") != SCHEMA_VERSION or info.get("source_units") != len(units):
            log(f"{state}: built for another schema or corpus: rebuilding")
            shutil.rmtree(state)
    state.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "source_units": len(units), "target": target}))
    index = open_index(state / "index", writer=True)
    index.reload()
    have = index.searcher().num_docs
    if have >= target:
        return state
    done_chunks = have // BIG_CHUNK
    if have % BIG_CHUNK:  # cannot happen with whole-chunk commits; be safe
        log(f"{state}: {have} units is not a whole number of chunks: rebuilding")
        shutil.rmtree(state / "index")
        return prepare_big(units, state, target)
    vocab = sorted({w.lower() for u in units[:3000] for w in _WORD.findall((u.get("body") or "")[:2000])})
    from siteseer.index.documents import unit_fields

    class _U:  # what unit_fields reads
        def __init__(self, u):
            self.title, self.headings, self.text = u.get("title", ""), u.get("headings", ""), u.get("body", "")
            self.page, self.t, self.anchor = u.get("page"), u.get("t"), u.get("anchor")

    base = []
    for u in units:  # CJK bigrams and blanking once per source unit: copies only add Latin words
        doc_title = u.get("page_title") or u.get("title", "")  # unit_fields makes page_title from it again
        f = unit_fields(u["path"], int(u["id"].rsplit("#", 1)[-1]), u["type"], doc_title, _U(u), 1 << 30)
        f["url"] = u["url"]
        base.append(f)
    writer = index.writer(heap_size=512_000_000)
    started = time.perf_counter()
    n = done_chunks * BIG_CHUNK
    log(f"building {target} units into {state} (resuming at {n})")
    while n < target:
        rnd = random.Random(n)
        for i in range(n, min(n + BIG_CHUNK, target)):
            copy, j = divmod(i, len(units))
            fields = perturb(base[j], copy, rnd, vocab) if copy else base[j]
            writer.add_document(to_document(fields, len(fields["body"]), 1_700_000_000_000_000_000))
        writer.commit()
        n = min(n + BIG_CHUNK, target)
        rate = (n - done_chunks * BIG_CHUNK) / (time.perf_counter() - started)
        log(f"  {n} / {target} units ({rate:.0f}/s)")
    writer.wait_merging_threads()
    catalog = Catalog(state / "catalog.db")
    catalog.set_meta(schema_version=SCHEMA_VERSION, documents=str(target), indexing="0")
    catalog.close()
    return state


def generate_quick_folder(root: Path) -> Path:
    rnd = random.Random(3)
    words = ("search index tantivy server folder quick brown fox jumps lazy dog cache engine query snippet "
             "phrase prefix typo document unit extraction process python rust speed memory network packet "
             "kernel module install configure upgrade backup restore").split()
    if root.exists():
        return root
    for i in range(60):
        paras = [" ".join(rnd.choice(words) for _ in range(rnd.randint(30, 120))) for _ in range(rnd.randint(1, 4))]
        body = "".join(f"<h2 id='s{j}'>Part {j}</h2><p>{p}</p>" for j, p in enumerate(paras))
        path = root / f"d{i % 5}" / f"page{i}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<!doctype html><html><head><title>Page {i} {words[i % len(words)]}</title></head><body>{body}</body></html>")
    return root


# -- queries -------------------------------------------------------------------
def make_queries(units: list[dict], n: int = 200, seed: int = 1) -> dict[str, list[str]]:
    """Queries made of the units' own words, so most of them find something."""
    rnd = random.Random(seed)
    pool = [u for u in units if len(u.get("body") or "") > 300]
    rnd.shuffle(pool)
    singles, pairs, phrases = [], [], []
    for u in pool[: n * 3]:
        text = u["body"][:4000]
        words = [w.lower() for w in _WORD.findall(text) if len(w) >= 4]
        if len(words) < 10:
            continue
        singles.append(rnd.choice(words))
        pairs.append(f"{rnd.choice(words)} {rnd.choice(words)}")
        toks = text.split()
        for _ in range(5):
            j = rnd.randrange(len(toks) - 1)
            a, b = toks[j], toks[j + 1]
            if _WORD.fullmatch(a) and _WORD.fullmatch(b) and len(a) > 2 and len(b) > 2:
                phrases.append(f'"{a.lower()} {b.lower()}"')
                break
    def typo(w: str) -> str:
        i = rnd.randrange(1, len(w) - 2)
        return w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    longer = [w for w in singles if len(w) >= 6]
    return {
        # A trailing space: a finished word, as a search button sends it.
        "single": [w + " " for w in singles[:n]],
        "two_and": [p + " " for p in pairs[:n]],
        "phrase": phrases[:n],
        # No trailing space: the last word is still being typed.
        "prefix": [w[: rnd.randint(3, 5)] for w in rnd.sample(singles, min(n, len(singles)))],
        "typo": [typo(w) + " " for w in longer[:n]],
    }


def fts_query(q: str, cls: str) -> str:
    """The same query in FTS5 syntax (raw search mode)."""
    q = q.strip()
    if cls == "prefix":
        return q + "*"
    return q


# -- in-process ----------------------------------------------------------------
def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * p / 100))]


def time_calls(fn, queries: list[str], seconds: float) -> dict:
    for q in queries[:20]:
        fn(q)
    times: list[float] = []
    cpu0 = time.process_time()
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline or i < len(queries):
        q = queries[i % len(queries)]
        t = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t) * 1000)
        i += 1
        if i >= 20 * len(queries):
            break
    cpu = time.process_time() - cpu0
    times.sort()
    mean = sum(times) / len(times)
    cpu_ms = cpu * 1000 / len(times)
    return {"p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99), "requests": len(times),
            "qps": 1000 / mean, "cpu_ms_per_req": round(cpu_ms, 3), "qps_2cores": round(2000 / cpu_ms) if cpu_ms else None}


def in_process(config) -> dict[str, Callable[[str], object]]:
    """The in-process contestants as functions of one query: the engine alone, and the service."""
    from siteseer.search.build import Builder
    from siteseer.search.query import parse
    from siteseer.search.service import SearchService

    service = SearchService(config)
    service.status()
    index = service.handle.index()

    def engine(q: str) -> None:
        searcher = index.searcher()
        built = Builder(index.schema, searcher).build(parse(q))
        found = searcher.search(built.query, limit=10, count=True)
        for _, address in found.hits:
            searcher.doc(address)

    return {"engine": engine, "service": service.search}


def in_process_rows(name: str, fn, queries: dict[str, list[str]], seconds: float) -> list[dict]:
    return [{"contestant": name, "class": cls, "connections": 1, **time_calls(fn, queries[cls], seconds)}
            for cls in CLASSES if queries.get(cls)]


# -- HTTP ----------------------------------------------------------------------
def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its descendants (threads included)."""
    return sum(common.cpu_seconds(p) for p in common.process_tree(pid))


def worker_rss(pid: int) -> dict:
    """Largest RSS (and its anonymous part) among the server's worker processes."""
    procs = [p for p in common.process_tree(pid) if p != pid]
    best = max(procs or [pid], key=lambda p: _status_kb(p, "VmRSS"))
    return {"worker_rss_mb": round(_status_kb(best, "VmRSS") / 1024), "worker_anon_mb": round(_status_kb(best, "RssAnon") / 1024),
            "workers_seen": len(procs)}


class Server:
    def __init__(self, cmd: list[str], url: str, env: dict | None = None, workers: int = 0):
        self.cmd, self.url, self.workers = cmd, url, workers
        self.log = tempfile.NamedTemporaryFile("w+", prefix="siteseer-bench-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def __enter__(self) -> "Server":
        try:
            wait_http(self.url)
            self._wait_workers()
        except Exception:
            self.stop()
            raise RuntimeError(f"{self.cmd[:3]} did not start: {Path(self.log.name).read_text()[-2000:]}") from None
        return self

    def _wait_workers(self, timeout: float = 60) -> None:
        """Until each of ``workers`` listens: one that is still loading its app gets none
        of the connections a load test opens meanwhile (see ``common.Server.wait_ready``)."""
        port = urllib.parse.urlsplit(self.url).port
        deadline = time.monotonic() + timeout
        while self.workers:
            children = [p for p in common.process_tree(self.proc.pid) if p != self.proc.pid]
            if len(common.listening_pids(children, port)) >= self.workers:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.workers} workers did not listen within {timeout} s")
            time.sleep(0.05)  # polling interval, not a wait for readiness

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()

    def __exit__(self, *exc) -> None:
        self.stop()


def siteseer_server(state: Path, root: Path, port: int) -> Server:
    # Everything on, as the files bench runs it (gatekeeper with a 1,000-entry
    # blocklist, rate limiter with limits one client never reaches, access log,
    # recording), and no answer cache: every request is computed (the lists repeat).
    cfg = common.siteseer_config(state.parent / f"{state.name}.bench.toml", state, workers=SERVER_WORKERS)
    cfg.write_text(cfg.read_text() + "\n[search]\nresult_cache = 0\n")
    cmd = [sys.executable, "-m", "siteseer.cli", "serve", str(root), "--port", str(port),
           "--workers", str(SERVER_WORKERS), "--no-index", "--config", str(cfg)]
    if shutil.which("siteseer"):
        cmd = [shutil.which("siteseer")] + cmd[3:]
    return Server(cmd, f"http://127.0.0.1:{port}/api/search?q=warmup", workers=SERVER_WORKERS)


def datasette_server(db: Path, port: int) -> Server:
    cmd = [sys.executable, "-m", "datasette", "serve", str(db), "--port", str(port), "--host", "127.0.0.1",
           "--setting", "suggest_facets", "off", "--setting", "sql_time_limit_ms", "10000",
           "--setting", "default_page_size", "10"]
    return Server(cmd, f"http://127.0.0.1:{port}/{db.stem}.json")


WRK_LUA = r"""
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
init = function(args) i = math.random(#paths) end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKJSON {\"p50_us\":%%d,\"p99_us\":%%d,\"requests\":%%d,\"duration_us\":%%d,\"errors\":%%d,\"non2xx\":%%d}\n",
    latency:percentile(50), latency:percentile(99), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def wrk(base: str, paths: list[str], connections: int, seconds: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="siteseer-wrk-"))
    (work / "paths.txt").write_text("\n".join(paths) + "\n")
    (work / "cycle.lua").write_text(WRK_LUA % (work / "paths.txt"))
    threads = 2 if connections >= 16 else 1
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "5s",
           "-s", str(work / "cycle.lua"), base]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    shutil.rmtree(work, ignore_errors=True)
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            d = json.loads(line[8:])
            return {"p50_ms": d["p50_us"] / 1000, "p99_ms": d["p99_us"] / 1000, "requests": d["requests"],
                    "qps": d["requests"] / (d["duration_us"] / 1e6), "errors": d["errors"] + d["non2xx"]}
    raise RuntimeError(f"wrk said: {out.stdout[-1000:]} {out.stderr[-1000:]}")


def http_rows(name: str, base: str, paths_by_class: dict[str, list[str]], seconds: float, pid: int) -> list[dict]:
    rows = []
    for cls in CLASSES:
        paths = paths_by_class.get(cls) or []
        if not paths:
            continue
        warm_until = time.monotonic() + 2
        for p in paths[:30]:  # warm the caches a little, as a live server would be (at most 2 s)
            try:
                urllib.request.urlopen(base + p, timeout=10).read()
            except Exception:
                pass
            if time.monotonic() > warm_until:
                break
        for c in CONNECTIONS:
            cpu0 = tree_cpu_seconds(pid)
            row = {"contestant": name, "class": cls, "connections": c, **wrk(base, paths, c, seconds)}
            if not row["requests"] or row["p50_ms"] <= 0:  # (nearly) every request timed out: no latency to report
                row.update(p50_ms=None, p99_ms=None, qps=0.0, note="no answer within wrk's 5 s timeout")
            # Server CPU per request: what the machine's load does not change much.
            # 2 idle cores could then answer about 2000 / cpu_ms q/s.
            cpu_ms = (tree_cpu_seconds(pid) - cpu0) * 1000 / row["requests"] if row["qps"] else None
            row.update(cpu_ms_per_req=round(cpu_ms, 2) if cpu_ms else None,
                       qps_2cores=round(2000 / cpu_ms) if cpu_ms else None)
            row.update(worker_rss(pid))
            rows.append(row)
            if row["p50_ms"] is None:
                log(f"  {name:9} {cls:8} c={c:<3} no answer within 5 s  worker RSS {row['worker_rss_mb']} MB")
                continue
            log(f"  {name:9} {cls:8} c={c:<3} p50 {row['p50_ms']:6.2f} ms  p99 {row['p99_ms']:6.2f} ms  "
                f"{row['qps']:7.0f} q/s  errors {row['errors']}  CPU {cpu_ms:.2f} ms/req  worker RSS {row['worker_rss_mb']} MB")
    return rows


def search_paths(queries: dict[str, list[str]]) -> dict[str, list[str]]:
    return {cls: ["/api/search?q=" + urllib.parse.quote(q) for q in qs] for cls, qs in queries.items()}


def datasette_paths(db: Path, queries: dict[str, list[str]]) -> dict[str, list[str]]:
    cols = "&".join(f"_col={c}" for c in ("title", "url", "path", "type"))
    return {cls: [f"/{db.stem}/units.json?_search={urllib.parse.quote(fts_query(q, cls))}&_searchmode=raw&_size=10&{cols}"
                  for q in qs] for cls, qs in queries.items()}


# -- Datasette's database --------------------------------------------------------
def build_fts(units_iter, db: Path, total: int) -> Path:
    """units + units_fts (FTS5, external content), resumable by row count."""
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("CREATE TABLE IF NOT EXISTS units (rowid INTEGER PRIMARY KEY, id TEXT, path TEXT, url TEXT, type TEXT,"
                 " title TEXT, headings TEXT, body TEXT)")
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS units_fts USING fts5(title, headings, body, content='units',"
                 " content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')")
    have = conn.execute("SELECT count(*) FROM units").fetchone()[0]
    if have >= total:
        conn.close()
        return db
    log(f"building {db} ({total} rows, resuming at {have})")
    batch: list[tuple] = []
    started = time.perf_counter()

    def flush() -> None:
        conn.executemany("INSERT INTO units VALUES (?,?,?,?,?,?,?,?)", batch)
        conn.executemany("INSERT INTO units_fts (rowid, title, headings, body) VALUES (?,?,?,?)",
                         [(r[0], r[5], r[6], r[7]) for r in batch])
        conn.commit()
        batch.clear()

    for rowid, u in enumerate(units_iter, 1):
        if rowid <= have:
            continue
        batch.append((rowid, u["id"], u["path"], u["url"], u["type"], u.get("title", ""), u.get("headings", ""), u.get("body", "")))
        if len(batch) >= 20_000:
            flush()
            log(f"  {rowid} rows ({(rowid - have) / (time.perf_counter() - started):.0f}/s)")
    if batch:
        flush()
    conn.close()
    return db


def big_units_iter(units: list[dict], target: int):
    vocab = sorted({w.lower() for u in units[:3000] for w in _WORD.findall((u.get("body") or "")[:2000])})
    n = 0
    while n < target:
        rnd = random.Random(n)
        for i in range(n, min(n + BIG_CHUNK, target)):
            copy, j = divmod(i, len(units))
            yield perturb(units[j], copy, rnd, vocab) if copy else units[j]
        n += BIG_CHUNK


# -- the whole run -------------------------------------------------------------
def read_into_page_cache(*paths: Path) -> None:
    """Read every file under ``paths`` once, so no contestant's first query class
    pays for disk reads the others do not (a 1M-unit index is ~1.4 GB; measured
    cold, the first class's p99 at 8 connections was 1.1 s, warm 80 ms)."""
    for top in paths:
        for f in ([top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())):
            with open(f, "rb") as fh:
                while fh.read(1 << 22):
                    pass


def bench_index(label: str, config, units: list[dict], queries: dict, seconds: float, db: Path | None,
                rounds: int = 3) -> list[dict]:
    """Every contestant on one index, ``rounds`` times over, alternating (A B C D, D C B A …);
    each row is the median of its rounds, and a ratio the median of the per-round ratios."""
    read_into_page_cache(config.state_dir / "index", *([db] if db is not None else []))
    functions = in_process(config)
    with contextlib.ExitStack() as stack:
        port = common.free_port()
        servers = {"siteseer": (stack.enter_context(siteseer_server(config.state_dir, config.root, port)),
                                f"http://127.0.0.1:{port}", search_paths(queries))}
        if db is not None and shutil.which("wrk"):
            port = common.free_port()
            try:
                servers["datasette"] = (stack.enter_context(datasette_server(db, port)), f"http://127.0.0.1:{port}",
                                        datasette_paths(db, queries))
            except RuntimeError as exc:
                log(f"datasette skipped: {exc}")

        def measure(name: str, r: int) -> list[dict]:
            log(f"  [{label}] round {r + 1}/{rounds}: {name}")
            if name in functions:
                return in_process_rows(name, functions[name], queries, seconds)
            server, base, paths = servers[name]
            return http_rows(name, base, paths, seconds, server.proc.pid)

        samples = common.alternate([*functions, *servers], rounds, measure)
    # Each segment is searched on its own (its own term dictionary walk for a
    # prefix or a typo): measured on the corpus, one segment against the 7 a
    # fresh build left, 4-18 % less CPU for the service. A build leaves 1-7.
    return [dict(r, index=label, segments=index_segments(config)) for r in combine(samples)]


def index_segments(config) -> int:
    from siteseer.index.schema import open_index

    index = open_index(config.state_dir / "index")
    index.reload()
    return index.searcher().num_segments


def combine(samples: dict[str, list[list[dict]]]) -> list[dict]:
    """One row per (contestant, class, connections): medians over the rounds, and the ratios to
    the engine and to siteseer as medians of per-round ratios (each round's pair measured close together)."""
    def key(row: dict) -> tuple:
        return row["class"], row["connections"]

    by_round = {name: [{key(row): row for row in rows} for rows in runs] for name, runs in samples.items()}
    out = []
    for name, runs in by_round.items():
        for k in runs[0]:
            rounds = [run[k] for run in runs if k in run]
            row = {"contestant": name, "class": k[0], "connections": k[1], "rounds": len(rounds)}
            for field in [f for f in rounds[0] if f not in ("contestant", "class", "connections")]:
                values = [r.get(field) for r in rounds]
                numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v]
                if numbers and field in _SUMMED:
                    row[field] = sum(numbers)
                elif numbers and field in _WORST:
                    row[field] = max(numbers)
                elif numbers:
                    m = statistics.median(numbers)
                    row[field] = round(m, 3) if isinstance(m, float) else m
                else:
                    row[field] = next((v for v in values if v is not None), None)
            notes = {r.get("note") for r in rounds if r.get("note")}
            if notes:
                row["note"] = f"{sum(1 for r in rounds if r.get('note'))} of {len(rounds)} rounds: " + "; ".join(sorted(notes))
            engine = [run.get((k[0], 1)) for run in by_round.get("engine", [])]
            if name != "engine" and engine:
                row["p50_vs_engine"] = _paired(rounds, engine, "p50_ms")
            ours = [run.get(k) for run in by_round.get("siteseer", [])]
            if name == "datasette" and ours:
                row["p50_vs_siteseer"] = _paired(rounds, ours, "p50_ms")
                row["qps_vs_siteseer"] = _paired(rounds, ours, "qps")
            out.append(row)
    return out


_SUMMED = ("requests", "errors")  # over all rounds
_WORST = ("worker_rss_mb", "worker_anon_mb")  # the largest seen


def _paired(rows: list[dict], baselines: list[dict | None], field: str) -> float | None:
    ratio = common.paired_ratio({"rows": rows, "baselines": baselines}, "rows", "baselines", field)
    return round(ratio, 2) if ratio == ratio else None  # NaN: no round had both


def have_datasette() -> bool:
    try:
        import datasette  # noqa: F401
    except ImportError:
        return False
    return True


def run(quick: bool, only: str | None = None, seconds: float | None = None, datasette_big: bool = True,
        rounds: int | None = None) -> list[dict]:
    rows: list[dict] = []
    rounds = rounds or int(os.environ.get("BENCH_ROUNDS") or (1 if quick else 3))
    if quick:
        root = generate_quick_folder(TMP / "siteseer-bench-quick-site")
        config = prepare_real(root, QUICK_STATE)
        units = export_units(config)
        queries = {k: v[:20] for k, v in make_queries(units, 40).items()}
        db = build_fts(iter(units), DATASETTE_DIR / "quick.db", len(units)) if have_datasette() else None
        return bench_index("quick", config, units, queries, seconds or 1.0, db, rounds)
    # 3 rounds of 4 s: each cell is measured for as long as one 10 s run was, spread over the run.
    seconds = seconds or float(os.environ.get("BENCH_DURATION") or 4.0)
    config = prepare_real()
    units = export_units(config)
    # The answer cache is off (config_for, siteseer_server): every request is
    # computed, so these numbers are the engine's, not the cache's.
    queries = make_queries(units, n=3000)
    log(f"{len(units)} units; queries: " + ", ".join(f"{k} {len(v)}" for k, v in queries.items()))
    if only in (None, "corpus"):
        db = build_fts(iter(units), DATASETTE_DIR / "corpus.db", len(units)) if have_datasette() else None
        rows += bench_index("corpus", config, units, queries, seconds, db, rounds)
    if only in (None, "1m"):
        state = prepare_big(units)
        big = config_for(state)
        db = None
        if have_datasette() and datasette_big:
            db = build_fts(big_units_iter(units, BIG_UNITS), DATASETTE_DIR / "big1m.db", BIG_UNITS)
        rows += bench_index("1m", big, units, queries, seconds, db, rounds)
    return rows


def add_ratios(rows: list[dict]) -> list[dict]:
    """Rows as run.py reads them (the ratios are made per round, in ``combine``)."""
    for r in rows:
        r["bench"] = "search"
    return rows


def print_table(rows: list[dict]) -> None:
    cols = [("index", "index", "{}"), ("class", "class", "{}"), ("contestant", "contestant", "{}"),
            ("connections", "conns", "{}"), ("p50_ms", "p50 ms", "{:.2f}"), ("p99_ms", "p99 ms", "{:.2f}"),
            ("qps", "q/s", "{:.0f}"), ("errors", "errors", "{}"), ("cpu_ms_per_req", "CPU ms/req", "{}"),
            ("qps_2cores", "q/s @2 idle cores", "{}"), ("worker_rss_mb", "worker RSS MB", "{}"),
            ("worker_anon_mb", "anon MB", "{}"),
            ("p50_vs_engine", "p50 x engine", "{}"), ("p50_vs_siteseer", "p50 x siteseer", "{}"),
            ("qps_vs_siteseer", "q/s x siteseer", "{}")]
    table = [[h for _, h, _ in cols]]
    order = {"engine": 0, "service": 1, "siteseer": 2, "datasette": 3}
    for r in sorted(rows, key=lambda r: (r["index"], CLASSES.index(r["class"]), r["connections"] > 1, order[r["contestant"]], r["connections"])):
        table.append(["-" if r.get(k) is None else f.format(r[k]) for k, _, f in cols])
    common.print_aligned(table)


def main(quick: bool = False) -> list[dict]:
    return add_ratios(run(quick))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=("corpus", "1m"))
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--no-datasette-1m", action="store_true")
    ap.add_argument("--build-only", action="store_true", help="prepare the indexes and databases, measure nothing")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    if args.build_only:
        cfg = prepare_real()
        us = export_units(cfg)
        prepare_big(us)
        if have_datasette():
            build_fts(iter(us), DATASETTE_DIR / "corpus.db", len(us))
            if not args.no_datasette_1m:
                build_fts(big_units_iter(us, BIG_UNITS), DATASETTE_DIR / "big1m.db", BIG_UNITS)
        sys.exit(0)
    result = add_ratios(run(args.quick, args.only, args.seconds, not args.no_datasette_1m, args.rounds))
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
