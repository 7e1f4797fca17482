"""Files: siteseer against nginx, http.server, Starlette StaticFiles and WhiteNoise.

Cases (generated in a scratch folder, no corpus needed):

* a 1 KiB HTML file and a 100 KiB JS file: req/s, p50/p99 latency at 32 and
  128 connections (wrk ``--latency``; wrk sends no Accept-Encoding, so every
  server sends the bytes as they are);
* a 20 MiB video, with and without ``Range: bytes=0-``: MB/s and the server's
  CPU-seconds per GB sent (utime + stime of its whole process tree, from
  ``/proc/<pid>/stat``).

siteseer runs with everything on: the gatekeeper, a 1,000-entry blocklist,
the rate limiter (limits too high to refuse the one benchmark client), the
access log (to a file) and traffic recording; 2 workers. "siteseer,
recording off" is the same with ``[stats] enabled = false``. "granian floor"
(``peers/granian_floor.py``) is a bare RSGI app on the same granian, with
siteseer's worker settings: the most siteseer could reach with granian, so
the gap between it and nginx is granian's, the gap to siteseer siteseer's.

``python bench/bench_files.py [--quick]`` runs it alone.
"""

from __future__ import annotations

import getpass
import http.client
import os
import shutil
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import HOST, Server, Servers, free_port, log, median, paired_ratio  # noqa: E402

SMALL, SCRIPT, VIDEO = "/page-1k.html", "/app-100k.js", "/video-20m.mp4"
SITESEER, SITESEER_OFF = "siteseer", "siteseer, recording off"
NGINX, HTTP_SERVER, STARLETTE, WHITENOISE = "nginx", "http.server", "starlette+uvicorn", "whitenoise+gunicorn"
FLOOR = "granian floor (bare RSGI)"
ALL = [SITESEER, NGINX, FLOOR, SITESEER_OFF, HTTP_SERVER, STARLETTE, WHITENOISE]
WORKERS = 2


def settings(quick: bool) -> tuple[int, float]:
    rounds = int(os.environ.get("BENCH_ROUNDS") or (1 if quick else 3))
    duration = float(os.environ.get("BENCH_DURATION") or (1 if quick else 5))
    return rounds, duration


def make_site(root: Path, video: bool = True) -> Path:
    site = root / "site"
    common.make_file(site / SMALL[1:], 1024, "html")
    common.make_file(site / SCRIPT[1:], 100 * 1024, "js")
    if video:
        common.make_file(site / VIDEO[1:], 20 << 20, "bin")
    return site


# --- contestants ----------------------------------------------------------------------------

def nginx_server(site: Path, tmp: Path) -> Server:
    port = free_port()
    conf_dir = tmp / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (conf_dir / sub).mkdir(parents=True, exist_ok=True)
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""  # as root, workers would be nobody
    conf = conf_dir / "nginx.conf"
    conf.write_text(textwrap.dedent(f"""\
        {user}worker_processes {WORKERS};
        daemon off;
        pid {conf_dir}/nginx.pid;
        error_log {conf_dir}/error.log warn;
        events {{ worker_connections 4096; }}
        http {{
            include /etc/nginx/mime.types;
            default_type application/octet-stream;
            sendfile on;
            tcp_nopush on;
            access_log off;
            keepalive_requests 1000000;
            client_body_temp_path {conf_dir}/body;
            proxy_temp_path {conf_dir}/proxy;
            fastcgi_temp_path {conf_dir}/fastcgi;
            uwsgi_temp_path {conf_dir}/uwsgi;
            scgi_temp_path {conf_dir}/scgi;
            server {{
                listen {HOST}:{port};
                root {site};
            }}
        }}
        """))
    return Server(NGINX, ["nginx", "-c", str(conf), "-p", str(conf_dir)], port, ready_path=SMALL,
                  log_path=tmp / "nginx.out", workers=WORKERS)


def http_server(site: Path, tmp: Path) -> Server:
    port = free_port()
    return Server(HTTP_SERVER, [sys.executable, "-m", "http.server", str(port), "--bind", HOST,
                                "--directory", str(site)], port, ready_path=SMALL, log_path=tmp / "http.server.out")


def starlette_server(site: Path, tmp: Path) -> Server:
    port = free_port()
    return Server(STARLETTE, [sys.executable, "-m", "uvicorn", "--app-dir", str(common.BENCH_DIR / "peers"),
                              "starlette_app:app", "--host", HOST, "--port", str(port), "--workers", str(WORKERS),
                              "--no-access-log", "--log-level", "warning"],
                  port, env={"BENCH_ROOT": str(site)}, ready_path=SMALL, log_path=tmp / "uvicorn.out",
                  workers=WORKERS)


def whitenoise_server(site: Path, tmp: Path) -> Server:
    port = free_port()
    return Server(WHITENOISE, [sys.executable, "-m", "gunicorn", "--chdir", str(common.BENCH_DIR / "peers"),
                               "-b", f"{HOST}:{port}", "-w", str(WORKERS), "-k", "gthread", "--threads", "16",
                               "--log-level", "warning", "whitenoise_app:application"],
                  port, env={"BENCH_ROOT": str(site)}, ready_path=SMALL, log_path=tmp / "gunicorn.out",
                  workers=WORKERS)


def granian_floor(site: Path, tmp: Path) -> Server:
    """A bare RSGI app on granian with siteseer's settings (2 workers, uvloop, HTTP/1.1 alone): the floor on granian."""
    port = free_port()
    return Server(FLOOR, [sys.executable, "-m", "granian", "--interface", "rsgi", "--workers", str(WORKERS),
                          "--loop", "uvloop", "--no-ws", "--http", "1", "--host", HOST, "--port", str(port),
                          "--working-dir", str(common.BENCH_DIR / "peers"), "granian_floor:app"],
                  port, env={"BENCH_ROOT": str(site)}, ready_path=SMALL, log_path=tmp / "granian-floor.out",
                  workers=WORKERS)


def siteseer(site: Path, tmp: Path, stats: bool) -> Server:
    tag = "on" if stats else "off"
    config = common.siteseer_config(tmp / f"siteseer-{tag}.toml", tmp / f"state-{tag}", workers=WORKERS, stats=stats)
    return common.siteseer_server(SITESEER if stats else SITESEER_OFF, site, config, workers=WORKERS,
                                  log_path=tmp / f"siteseer-{tag}.log")


def build(name: str, site: Path, tmp: Path) -> Server | None:
    if name in (SITESEER, SITESEER_OFF):
        return siteseer(site, tmp, stats=name == SITESEER)
    if name == NGINX:
        return nginx_server(site, tmp) if shutil.which("nginx") else None
    if name == HTTP_SERVER:
        return http_server(site, tmp)
    if name == FLOOR:
        return granian_floor(site, tmp)
    module = {STARLETTE: "uvicorn", WHITENOISE: "gunicorn"}[name]
    try:
        __import__(module)
        __import__("starlette" if name == STARLETTE else "whitenoise")
    except ImportError:
        log(f"{name}: not installed (pip install -r bench/requirements.txt); skipped")
        return None
    return (starlette_server if name == STARLETTE else whitenoise_server)(site, tmp)


def probe(server: Server, path: str, headers: dict[str, str] | None = None) -> str:
    """One request: the status and body size, to show what each server answers."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return f"{response.status} ({len(body):,} B)"


# --- the bench -----------------------------------------------------------------------------------

def main(quick: bool = False, contestants: list[str] | None = None) -> list[dict]:
    rounds, duration = settings(quick)
    if contestants is None:
        contestants = [SITESEER, SITESEER_OFF, FLOOR, HTTP_SERVER] if quick else ALL
    small_cases = [(SMALL, "1 KiB HTML", 32)] if quick else [
        (SMALL, "1 KiB HTML", 32), (SMALL, "1 KiB HTML", 128), (SCRIPT, "100 KiB JS", 32), (SCRIPT, "100 KiB JS", 128)]
    video_cases = [] if quick else [("no Range", None), ("Range: bytes=0-", {"Range": "bytes=0-"})]
    tmp = common.tempdir("files-")
    site = make_site(tmp, video=bool(video_cases))
    rows: list[dict] = []
    with Servers() as servers:
        running: dict[str, Server] = {}
        for name in contestants:
            server = build(name, site, tmp)
            if server is not None:
                running[name] = servers.start(server)
        names = list(running)
        baseline = NGINX if NGINX in running else (HTTP_SERVER if HTTP_SERVER in running else names[0])
        file_names = [n for n in names if n != SITESEER_OFF]  # recording off is only measured on 1 KiB

        # Warm every server up (caches, lazy imports) before anything is recorded.
        for name in names:
            common.wrk(f"{running[name].base}{SMALL}", connections=32, duration=1)

        for path, label, conns in small_cases:
            case_names = names if path == SMALL else file_names
            log(f"files: {label}, {conns} connections: {', '.join(case_names)} x {rounds} rounds")
            samples = common.alternate(case_names, rounds, lambda n, r: common.measure_with_cpu(
                running[n], f"{running[n].base}{path}", connections=conns, duration=duration))
            table = f"{label}, {conns} connections"
            for name in case_names:
                s = samples[name]
                rows.append({
                    "bench": "files", "table": table, "contestant": name,
                    "req/s": median(x["req_s"] for x in s),
                    f"x {baseline}": paired_ratio(samples, name, baseline, "req_s"),
                    **_x_floor(samples, name, "req_s"),
                    "p50 ms": median(x["p50_ms"] for x in s),
                    "p99 ms": median(x["p99_ms"] for x in s),
                    "server CPU us/req": median(x["cpu_us_per_req"] for x in s),
                    "errors": sum(x["non2xx"] + x["socket_errors"] for x in s),
                    "_req_s": [x["req_s"] for x in s],
                })

        if SITESEER in running and SITESEER_OFF in running:
            # Its own, longer alternation: a 10% effect needs more rounds than the peers' tables.
            pair = [SITESEER_OFF, SITESEER]
            pair_rounds = max(rounds, 1 if quick else 8)  # even: as many rounds in each order
            pair_duration = duration if quick else 3
            for conns in (32,) if quick else (32, 128):
                log(f"files: recording off vs on, 1 KiB HTML, {conns} connections x {pair_rounds} rounds")
                samples = common.alternate(pair, pair_rounds, lambda n, r: common.measure_with_cpu(
                    running[n], f"{running[n].base}{SMALL}", connections=conns, duration=pair_duration))
                ratio = paired_ratio(samples, SITESEER, SITESEER_OFF, "req_s")
                cpu_off = median(x["cpu_us_per_req"] for x in samples[SITESEER_OFF])
                cpu_on = median(x["cpu_us_per_req"] for x in samples[SITESEER])
                rows.append({
                    "bench": "files", "table": "traffic recording: on vs off (1 KiB HTML)",
                    "connections": conns, "rounds": pair_rounds,
                    "off req/s": median(x["req_s"] for x in samples[SITESEER_OFF]),
                    "on req/s": median(x["req_s"] for x in samples[SITESEER]),
                    "on / off": ratio,
                    "req/s lost": 1 - ratio,
                    "off CPU us/req": cpu_off, "on CPU us/req": cpu_on,
                    "CPU/req added": cpu_on / cpu_off - 1,
                })

        for label, headers in video_cases:
            log(f"files: 20 MiB video, {label}: {', '.join(file_names)} x {max(rounds, 5)} rounds")
            answers = {n: probe(running[n], VIDEO, headers) for n in file_names}
            # Big transfers swing +-50% from one round to the next on a shared machine: more rounds.
            video_rounds = max(rounds, 5)
            samples = common.alternate(file_names, video_rounds, lambda n, r: common.measure_with_cpu(
                running[n], f"{running[n].base}{VIDEO}", connections=8, duration=duration, headers=headers,
                timeout="30s"))
            for name in file_names:
                s = samples[name]
                rows.append({
                    "bench": "files", "table": f"20 MiB video, {label}, 8 connections", "contestant": name,
                    "answer": answers[name],
                    "MB/s": median(x["mb_s"] for x in s),
                    f"x {baseline}": paired_ratio(samples, name, baseline, "mb_s"),
                    **_x_floor(samples, name, "mb_s"),
                    "CPU s/GB": median(x["cpu_s_per_gb"] for x in s),
                    "p50 ms": median(x["p50_ms"] for x in s),
                    "errors": sum(x["non2xx"] + x["socket_errors"] for x in s),
                })

    rows += targets(rows)
    return rows


def _x_floor(samples: dict[str, list[dict]], name: str, key: str) -> dict[str, float]:
    """The ``x floor`` column: a contestant against the bare app on granian, when it ran."""
    return {"x floor": paired_ratio(samples, name, FLOOR, key)} if FLOOR in samples else {}


def targets(rows: list[dict]) -> list[dict]:
    out = []
    small = [r for r in rows if r.get("contestant") == SITESEER and r.get("table", "").startswith("1 KiB")
             and "x nginx" in r]
    if small:
        ratios = {r["table"].split(", ")[1]: r["x nginx"] for r in small}
        worst = min(ratios.values())
        out.append({"target": "1 KiB file >= 0.40x nginx req/s, everything on (gatekeeper, 1,000 blocks, recording)",
                    "measured": ", ".join(f"{v:.2f}x ({k})" for k, v in ratios.items())
                    + _floor(rows, "1 KiB", "x nginx"), "met": worst >= 0.40})
    for label in ("no Range", "Range: bytes=0-"):
        video = [r for r in rows if r.get("contestant") == SITESEER and r.get("table", "").startswith(
            f"20 MiB video, {label},") and "x nginx" in r]
        if video:
            v = video[0]["x nginx"]
            out.append({"target": f"20 MiB file >= 0.9x nginx MB/s ({label})",
                        "measured": f"{v:.2f}x" + _floor(rows, f"20 MiB video, {label},", "x nginx"),
                        "met": v >= 0.9})
    recording = [r for r in rows if r.get("table", "").startswith("traffic recording")]
    if recording:
        worst = max(r["req/s lost"] for r in recording)
        out.append({"target": "recording on costs < 10% req/s (1 KiB file)",
                    "measured": "; ".join(f"{r['req/s lost'] * 100:.1f}% req/s lost, {r['CPU/req added'] * 100:+.1f}% "
                                          f"server CPU per request ({r['connections']} c)" for r in recording),
                    "met": worst < 0.10})
    return out


def _floor(rows: list[dict], table: str, ratio: str) -> str:
    """"; the granian floor: 0.33x ...": what a bare app on granian reached in the same tables."""
    floor = [r for r in rows if r.get("contestant") == FLOOR and r.get("table", "").startswith(table) and ratio in r]
    if not floor:
        return ""
    return "; a bare RSGI app on granian (the floor): " + ", ".join(
        f"{r[ratio]:.2f}x" + (f" ({r['table'].split(', ')[1]})" if table == "1 KiB" else "") for r in floor)


if __name__ == "__main__":
    result = main(quick="--quick" in sys.argv)
    print(common.text_tables(result))
