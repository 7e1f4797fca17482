"""Shared helpers for siteseer's benchmarks (``python bench/run.py``).

What is here:

* ``Server``: start a server process in its own process group on a free port,
  poll it until it answers (never a fixed sleep), read the CPU time and RSS of
  its whole process tree from ``/proc``, and kill the group at the end.
* ``wrk()``: run ``wrk`` against 127.0.0.1 for a bounded time and parse what it
  reports (req/s, latency percentiles, bytes, errors). A Lua ``done()`` hook
  prints exact numbers as JSON, so nothing is parsed from rounded text.
* ``alternate()``: run contestants A B C, C B A, A B C … for several rounds (the
  machines are shared and noisy: alternating spreads the noise evenly, and
  reversing every other round cancels the cost of running second), and
  ``median``/``paired_ratio`` to summarise.
* the table printer and the ``RESULTS.md`` writer.

Row format (every bench module's ``main(quick: bool) -> list[dict]``):

* a table row: ``{"bench": "files", "table": "1 KiB HTML, 32 connections",
  "contestant": "siteseer", <metric columns...>}``. Keys are printed as
  columns in the order they first appear; keys starting with ``_`` are kept
  out of the tables (raw samples and the like).
* a target row: ``{"target": "1 KiB file >= 0.40x nginx req/s",
  "measured": "0.43x", "met": True}``.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"  # scratch space (git-ignored)
HOST = "127.0.0.1"  # the only address any benchmark sends traffic to
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# Every command a bench runs, in order, for RESULTS.md (ports and temp dirs generalised).
COMMANDS: list[str] = []


def normalize_command(text: str) -> str:
    """A command as RESULTS.md shows it: ports, scratch folders and the interpreter generalised."""
    text = re.sub(r"(127\.0\.0\.1[: ]|--port |listen 127\.0\.0\.1:|http\.server )\d{2,5}", r"\1$PORT", text)
    text = re.sub(r"-s \S+\.lua", "-s $LUA", text)
    text = re.sub(r"/tmp/[\w.-]+", "$TMP", text)
    text = re.sub(r"\S*/bench/out/([a-z-]+?)-[\w]{8}\b", r"bench/out/\1-$RUN", text)
    text = re.sub(r"^\S*/python3?(\.\d+)? ", "python ", text)
    return text


def note_command(text: str) -> None:
    text = normalize_command(text)
    if text not in COMMANDS:
        COMMANDS.append(text)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def tempdir(prefix: str) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=OUT_DIR))


# --- /proc --------------------------------------------------------------------------

def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue
        ppid = int(data[data.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants that are alive now."""
    children = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if os.path.exists(f"/proc/{pid}"):
            out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return 0.0
    fields = data[data.rindex(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except OSError:
        return 0


def listening_pids(pids: list[int], port: int) -> list[int]:
    """Those of ``pids`` that hold a TCP socket listening on ``port`` (Linux /proc)."""
    listening = listening_sockets(port)
    return [pid for pid in pids if open_files(pid) & listening]


def listening_sockets(port: int) -> set[str]:
    """The TCP sockets listening on ``port``, as /proc/PID/fd links name them ("socket:[inode]").
    The tests' readiness checks use it too (tests/conftest.py)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                found.add(f"socket:[{fields[9]}]")
    return found


def open_files(pid: int) -> set[str]:
    """What the file descriptors of ``pid`` point to; one closed while it is read (a
    connection under load, or listdir's own) is left out, a gone process has none."""
    found = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in fds:
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
    return found


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


# --- servers -------------------------------------------------------------------------

class Server:
    """One contestant: a process group on ``127.0.0.1:port``."""

    def __init__(self, name: str, argv: list[str], port: int, *, cwd: Path | None = None,
                 env: dict[str, str] | None = None, ready_path: str = "/", log_path: Path | None = None,
                 workers: int | None = None, note: str = ""):
        self.name = name
        self.argv = argv
        self.port = port
        self.cwd = cwd
        self.env = env
        self.ready_path = ready_path
        self.log_path = log_path
        self.workers = workers
        self.note = note
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 90.0) -> "Server":
        note_command(" ".join(self.argv))
        env = dict(os.environ)
        env.update(self.env or {})
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        if self.log_path:
            out.close()
        try:
            self.wait_ready(timeout)
        except BaseException:  # also SystemExit/KeyboardInterrupt: never leave a server behind
            self.stop()
            raise
        return self

    def wait_ready(self, timeout: float) -> None:
        """Poll until the server answers ``ready_path`` (any HTTP status) and each of its
        workers listens: a granian worker exists a second before it does (it loads its app
        first), and a wrk run started meanwhile opens all its connections on the other."""
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before answering"
                                   + (f" (log: {self.log_path})" if self.log_path else ""))
            if self._answers() and (self.workers is None or len(self.listening_workers()) >= self.workers):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s")
            time.sleep(delay)  # polling interval, not a wait for readiness
            delay = min(delay * 1.5, 0.25)

    def _answers(self) -> bool:
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            conn.request("GET", self.ready_path)
            conn.getresponse().read()
            conn.close()
            return True
        except (OSError, http.client.HTTPException):
            return False

    def pids(self) -> list[int]:
        return process_tree(self.proc.pid) if self.proc else []

    def worker_pids(self) -> list[int]:
        """Processes that answer requests: the tree minus the parent when it forks same-named workers."""
        tree = self.pids()
        root = self.proc.pid
        mine = cmdline(root)
        same = [p for p in tree if p != root and cmdline(p) == mine]
        if same:
            return same
        children = [p for p in tree if p != root and "resource_tracker" not in cmdline(p)]
        return children or [root]

    def listening_workers(self) -> list[int]:
        """The workers holding a listening socket on the server's port (their own, or one
        they inherited), from /proc."""
        return listening_pids(self.worker_pids(), self.port)

    def cpu(self) -> float:
        return sum(cpu_seconds(p) for p in self.pids())

    def rss(self) -> list[int]:
        return [rss_bytes(p) for p in self.worker_pids()]

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=8)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=5)
        # Workers that outlived their parent are still in the group.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Servers:
    """Start several servers; all are stopped on exit, even after an error."""

    def __init__(self):
        self.servers: list[Server] = []

    def start(self, server: Server) -> Server:
        log(f"starting {server.name} on port {server.port}")
        server.start()
        self.servers.append(server)
        return server

    def __enter__(self) -> "Servers":
        return self

    def __exit__(self, *exc) -> None:
        for server in reversed(self.servers):
            server.stop()


# --- wrk --------------------------------------------------------------------------

_LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "lat_mean_us": %f, "lat_max_us": %f, "p50_us": %f, "p90_us": %f, "p99_us": %f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


def lua_paths_script(paths: list[str], headers: dict[str, str] | None = None, shuffle: bool = True) -> str:
    """A wrk script that requests ``paths`` round-robin (from a random start per thread)."""
    items = ",\n".join(json.dumps(p) for p in paths)
    hdrs = "".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in (headers or {}).items())
    start = "math.random(#paths)" if shuffle else "1"
    return hdrs + textwrap.dedent(f"""
        local paths = {{
        {items}
        }}
        local i = 0
        init = function(args)
          math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16) % 100000)
          i = {start}
        end
        request = function()
          i = i % #paths + 1
          return wrk.format(nil, paths[i])
        end
        """)


def wrk(url: str, *, connections: int, duration: float, threads: int = 2, headers: dict[str, str] | None = None,
        script: str | None = None, timeout: str = "5s") -> dict[str, Any]:
    """Run wrk for ``duration`` seconds; return req_s, p50_ms, p99_ms, mb_s, bytes, requests, errors."""
    threads = max(1, min(threads, connections))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, dir=OUT_DIR if OUT_DIR.exists() else None) as f:
        f.write((script or "") + _LUA_DONE)
        lua = f.name
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s",
            "--timeout", timeout, "--latency", "-s", lua]
    for key, value in (headers or {}).items():
        argv += ["-H", f"{key}: {value}"]
    argv.append(url)
    note_command(" ".join(a if " " not in a else repr(a) for a in argv))
    try:
        run = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    finally:
        os.unlink(lua)
    match = re.search(r"^WRKJSON (\{.*\})$", run.stdout, re.M)
    if run.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stderr.strip() or run.stdout.strip()}")
    d = json.loads(match.group(1))
    seconds = d["duration_us"] / 1e6
    non2xx = d["status"]
    socket_errors = d["connect"] + d["read"] + d["write"] + d["timeout"]
    return {
        "requests": d["requests"],
        "seconds": seconds,
        "bytes": d["bytes"],
        "req_s": d["requests"] / seconds if seconds else 0.0,
        "mb_s": d["bytes"] / seconds / 1e6 if seconds else 0.0,
        "p50_ms": d["p50_us"] / 1000,
        "p90_ms": d["p90_us"] / 1000,
        "p99_ms": d["p99_us"] / 1000,
        "max_ms": d["lat_max_us"] / 1000,
        "non2xx": non2xx,
        "socket_errors": socket_errors,
        "text": run.stdout,
    }


def measure_with_cpu(server: Server, url: str, **wrk_args) -> dict[str, Any]:
    """``wrk()`` plus the CPU seconds the server's process tree used meanwhile."""
    before = {p: cpu_seconds(p) for p in server.pids()}
    result = wrk(url, **wrk_args)
    after = {p: cpu_seconds(p) for p in server.pids()}
    result["cpu_s"] = sum(after[p] - before.get(p, 0.0) for p in after)
    gb = result["bytes"] / 1e9
    result["cpu_s_per_gb"] = result["cpu_s"] / gb if gb else float("nan")
    result["cpu_us_per_req"] = result["cpu_s"] / result["requests"] * 1e6 if result["requests"] else float("nan")
    return result


class RssSampler:
    """Sample the RSS of a server's workers every ``interval`` s in a thread."""

    def __init__(self, server: Server, interval: float = 0.5):
        self.server = server
        self.interval = interval
        self.samples: list[list[int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append(self.server.rss())

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- alternation and summaries -------------------------------------------------------------

def alternate(names: list[str], rounds: int, measure: Callable[[str, int], dict[str, Any]]) -> dict[str, list[dict]]:
    """Run ``measure(name, round)`` ``rounds`` times over, A B C then C B A (and so on); samples per name.

    Every other round runs backwards because order matters on this machine:
    measured with recording off then on, each 15 rounds at 128 connections,
    whichever ran second in its pair lost 3-6 % req/s from its place alone.
    """
    samples: dict[str, list[dict]] = {n: [] for n in names}
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            samples[name].append(measure(name, r))
    return samples


def median(values: Iterable[float]) -> float:
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def paired_ratio(samples: dict[str, list[dict]], name: str, baseline: str, key: str) -> float:
    """Median over rounds of (name / baseline) for ``key``: paired by round, so slow drift cancels."""
    ratios = [a[key] / b[key] for a, b in zip(samples[name], samples[baseline])
              if a and b and a.get(key) is not None and b.get(key)]  # a round may lack one of them
    return median(ratios)


def fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "–" if value is None else str(value)


# --- tables and RESULTS.md ----------------------------------------------------------------------

def _tables(rows: list[dict]) -> list[tuple[str, list[str], list[list[str]]]]:
    """Group table rows by (bench, table) in order; columns in order of first appearance."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if "target" in row:
            continue
        table = row.get("table") or ", ".join(f"{k} {row[k]}" for k in ("index", "corpus") if k in row)
        groups.setdefault((str(row.get("bench", "")), str(table)), []).append(row)
    out = []
    for (bench, table), group in groups.items():
        columns: list[str] = []
        for row in group:
            for key in row:
                if key not in ("bench", "table", "index", "corpus") and not key.startswith("_") and key not in columns:
                    columns.append(key)
        body = [[fmt(row.get(c)) for c in columns] for row in group]
        out.append((f"{bench}: {table}" if table else bench, columns, body))
    return out


def print_aligned(table: list[list[str]]) -> None:
    """Print rows of strings in left-aligned columns, a rule under the first (the header)."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for i, row in enumerate(table):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def text_tables(rows: list[dict]) -> str:
    parts = []
    for title, columns, body in _tables(rows):
        widths = [max(len(c), *(len(r[i]) for r in body)) for i, c in enumerate(columns)]
        line = lambda cells: "  ".join(  # noqa: E731
            (c.ljust(w) if i == 0 else c.rjust(w)) for i, (c, w) in enumerate(zip(cells, widths)))
        parts.append("\n".join([f"== {title}", line(columns), line(["-" * w for w in widths]),
                                *(line(r) for r in body)]))
    targets = [r for r in rows if "target" in r]
    if targets:
        parts.append("== targets\n" + "\n".join(
            f"  [{'MET ' if t.get('met') else 'MISS' if t.get('met') is False else ' ?  '}] {t['target']}: "
            f"{t.get('measured', '–')}" for t in targets))
    return "\n\n".join(parts)


def markdown_tables(rows: list[dict]) -> str:
    parts = []
    for title, columns, body in _tables(rows):
        parts.append(f"### {title}\n\n| " + " | ".join(columns) + " |\n|"
                     + "|".join(["---"] + ["--:"] * (len(columns) - 1)) + "|\n"
                     + "\n".join("| " + " | ".join(r) + " |" for r in body))
    return "\n\n".join(parts)


def machine_info() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    try:
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return {"nproc": str(os.cpu_count()), "memory": mem, "CPU": cpu, "kernel": platform.release(),
            "load average at start (1/5/15 min)": load}


def _version(argv: list[str], pattern: str = r"(\d+\.\d+(\.\d+)?)") -> str:
    if shutil.which(argv[0]) is None:
        return "not installed"
    try:
        run = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    match = re.search(pattern, run.stdout + run.stderr)
    return match.group(1) if match else (run.stdout + run.stderr).strip()[:60]


def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for package in ("siteseer", "granian", "dash", "tantivy", "starlette", "uvicorn", "uvloop", "httptools",
                    "whitenoise", "gunicorn", "playwright"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    out["nginx"] = _version(["nginx", "-v"])
    out["wrk"] = _version(["wrk", "--version"], r"wrk (\S+)")
    out["chromium"] = _version(["chromium", "--version"])
    try:
        out["siteseer git"] = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return out


def write_results(path: Path, rows: list[dict], *, argv: list[str], started: float, notes: list[str]) -> None:
    info, vers = machine_info(), versions()
    targets = [r for r in rows if "target" in r]
    lines = [
        "# siteseer benchmarks",
        "",
        f"Generated by `{' '.join(argv)}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))} "
        f"in {time.time() - started:.0f} s. Each comparison runs its contestants side by side, alternating "
        "(A B C, C B A, A B C …: every other round backwards, so no contestant always runs second), and "
        "reports the median over the rounds; a ratio is the median of the per-round "
        "ratios (each round's pair measured back to back, so slow drift in a shared machine's load cancels).",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        *(f"| {t['target']} | {t.get('measured', '–')} | "
          f"{'yes' if t.get('met') else 'no' if t.get('met') is False else '–'} |" for t in targets),
        "",
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in info.items()),
        "",
        "## Versions",
        "",
        *(f"- {k}: {v}" for k, v in vers.items()),
        "",
        "## Results",
        "",
        markdown_tables(rows),
        "",
    ]
    if notes:
        lines += ["## Notes", "", *(f"- {n}" for n in notes), ""]
    lines += ["## Commands", "", "Ports are free ports picked at run time ($PORT); `bench/out/…-$RUN` are scratch "
              "folders; $LUA is the wrk script bench/common.py writes (it prints wrk's summary as JSON, and for the "
              "memory bench also picks the mixed requests).", "", "```sh", *COMMANDS, "```", ""]
    path.write_text("\n".join(lines))


# --- generated test data ----------------------------------------------------------------------

def random_blocklist(n: int = 1000, seed: int = 7, avoid: str = "127.0.0.1") -> list[str]:
    """``n`` random networks (IPv4 and IPv6, varied prefix lengths) none of which covers ``avoid``."""
    rng = random.Random(seed)
    avoid_ip = ipaddress.ip_address(avoid)
    out: set[str] = set()
    while len(out) < n:
        if rng.random() < 0.85:
            prefix = rng.choice([8, 12, 16, 20, 22, 24, 24, 24, 28, 32, 32])
            net = ipaddress.ip_network(f"{ipaddress.IPv4Address(rng.getrandbits(32))}/{prefix}", strict=False)
            if avoid_ip in net or net.network_address.is_loopback:
                continue
        else:
            prefix = rng.choice([32, 48, 56, 64, 128])
            net = ipaddress.ip_network(f"{ipaddress.IPv6Address(rng.getrandbits(128))}/{prefix}", strict=False)
        out.add(str(net))
    return sorted(out)


def make_file(path: Path, size: int, kind: str, seed: int = 1) -> Path:
    """A file of exactly ``size`` bytes: ``html``, ``js`` (text) or ``bin`` (random bytes)."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "bin":
        path.write_bytes(rng.randbytes(size))
        return path
    words = ("harbour lighthouse keeper signal beacon tide chart vessel anchor rope "
             "storm coast north light mast pilot").split()
    if kind == "html":
        head = "<!doctype html><html><head><meta charset=utf-8><title>Bench page</title></head><body><p>"
        tail = "</p></body></html>\n"
    else:
        head = "// bench script\n(function(){var s=[\n"
        tail = "];window.__bench=s.length;})();\n"
    body = []
    n = len(head) + len(tail)
    while n < size:
        chunk = (f'"{rng.choice(words)}",' if kind == "js" else rng.choice(words) + " ")
        body.append(chunk)
        n += len(chunk)
    text = head + "".join(body)
    text = text[: size - len(tail)] + tail
    path.write_text(text)
    assert path.stat().st_size == size, (path, path.stat().st_size)
    return path


def siteseer_config(path: Path, state_dir: Path, *, workers: int = 2, stats: bool = True,
                    block: list[str] | None = None, access_log: str = "combined") -> Path:
    """A siteseer config with everything on, and rate limits that never trigger for a benchmark client."""
    block = block if block is not None else random_blocklist()
    path.write_text(textwrap.dedent(f"""\
        # Generated by bench/common.py: gatekeeper on, {len(block)}-entry blocklist, rate limiter on
        # (limits high enough that one benchmark client is never refused), stats recording {'on' if stats else 'off'}.
        [server]
        workers = {workers}
        access_log = "{access_log}"

        [ratelimit]
        enabled = true
        rate = 1000000000.0
        burst = 1000000000
        max_404_per_minute = 1000000000

        [stats]
        enabled = {'true' if stats else 'false'}

        [index]
        state_dir = "{state_dir}"

        [access]
        block = {json.dumps(block)}
        """))
    return path


def siteseer_server(name: str, site: Path, config: Path, *, workers: int = 2, index: bool = False,
                    log_path: Path | None = None, ready_path: str = "/healthz") -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "siteseer.cli", "serve", str(site), "--host", HOST, "--port", str(port),
            "--workers", str(workers), "--config", str(config)]
    if not index:
        argv.append("--no-index")
    return Server(name, argv, port, cwd=REPO, ready_path=ready_path, log_path=log_path, workers=workers)


def build_index(site: Path, state: Path) -> None:
    """``siteseer index SITE`` into ``state`` (a config beside it names the state dir)."""
    state.mkdir(parents=True, exist_ok=True)
    config = state.parent / f"{state.name}.toml"
    config.write_text(f'[index]\nstate_dir = "{state}"\n')
    argv = [sys.executable, "-m", "siteseer.cli", "index", str(site), "--config", str(config), "--quiet"]
    note_command(" ".join(argv))
    log(f"indexing {site} into {state}")
    subprocess.run(argv, check=True, cwd=REPO, stdout=subprocess.DEVNULL, timeout=3600)


def tiny_search_site(word: str = "lighthouse", docs: int = 30) -> tuple[Path, Path]:
    """(site, state): a few HTML documents (every third mentions ``word``), indexed. For quick runs."""
    tmp = tempdir("tiny-site-")
    site = tmp / "site"
    site.mkdir(parents=True)
    words = "harbour keeper signal beacon tide chart vessel anchor storm coast".split()
    for i in range(docs):
        body = " ".join(words[(i + k) % len(words)] for k in range(60))
        extra = f" the {word} stands on the rocks" if i % 3 == 0 else ""
        (site / f"doc{i}.html").write_text(
            f"<!doctype html><title>Doc {i} {words[i % len(words)]}</title><h1>Doc {i}</h1><p>{body}{extra}</p>")
    state = tmp / "state"
    build_index(site, state)
    return site, state


def corpus_site() -> tuple[Path, Path]:
    """(site, state): the real corpus (``$BENCH_CORPUS``, default /work/corpus) and its index in
    ``$BENCH_CORPUS_STATE`` (default bench/out/corpus-state), built with ``siteseer index`` when missing."""
    site = Path(os.environ.get("BENCH_CORPUS", "/work/corpus"))
    state = Path(os.environ.get("BENCH_CORPUS_STATE", OUT_DIR / "corpus-state"))
    if not (state / "index").is_dir() or not (state / "catalog.db").is_file():
        build_index(site, state)
    return site, state
