"""``/healthz`` and ``/metrics``.

``/healthz`` answers "ok" without touching any database, so a load
balancer's probe costs nothing. ``/metrics`` is Prometheus text built from
the counters every worker adds to ``traffic.db`` (so one scrape sees the
whole server, not one worker) plus the index state; it is open only to
``admin.metrics_allow`` networks or an admin session.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import os
import sqlite3
from pathlib import Path

from siteseer.server.messages import Request, Response
from siteseer.stats import store
from siteseer.stats.aggregate import TrafficStats
from siteseer.stats.auth import SessionSigner, admin_enabled
from siteseer.stats.throttle import LoggedOut

log = logging.getLogger("siteseer.metrics")

PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


async def healthz(request: Request) -> Response:
    return Response(200, [("content-type", "text/plain; charset=utf-8"), ("cache-control", "no-store")], b"ok\n")


class Metrics:
    """The ``/metrics`` handler for one worker."""

    def __init__(self, config, services=None):
        self.config = config
        self.services = services
        self.allow = [_network(n) for n in config.admin.metrics_allow]
        self.signer = SessionSigner(config) if admin_enabled(config) else None
        self.logged_out = LoggedOut(config.state_dir) if self.signer is not None else None
        self.stats = TrafficStats(config.state_dir)

    def allowed(self, request: Request) -> bool:
        try:
            address = ipaddress.ip_address(request.client_ip)
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
                address = address.ipv4_mapped
        except ValueError:
            address = None
        if address is not None and any(address.version == n.version and address in n for n in self.allow):
            return True
        if self.signer is None:
            return False
        session = self.signer.from_cookie_header(request.headers.get("cookie"))
        return session is not None and session.csrf not in self.logged_out

    async def __call__(self, request: Request) -> Response:
        # In a thread (the worker's WSGI pool, as the search API uses its own): the
        # answer reads traffic.db and state.db (either may be locked for seconds), the
        # index folder, and the search status, whose lock the search thread holds while
        # it reloads the index. On the event loop each stopped every request of the worker.
        executor = getattr(self.services, "executor", None)
        return await asyncio.get_running_loop().run_in_executor(executor, self.answer, request)

    def answer(self, request: Request) -> Response:
        """The answer to ``request``: blocking work, never run on the event loop."""
        if not self.allowed(request):
            return Response.text("Forbidden: /metrics is open to admin.metrics_allow networks only.\n", 403)
        return Response(200, [("content-type", PROMETHEUS_TYPE), ("cache-control", "no-store")],
                        self.render().encode())

    def render(self) -> str:
        lines: list[str] = []
        try:
            totals = self.stats.totals()
        except sqlite3.Error as exc:
            log.warning("traffic counters unreadable: %s", exc)
            totals = {}
        render_traffic(lines, totals)
        recorder = getattr(self.services, "recorder", None)
        if recorder is not None:
            _metric(lines, "siteseer_traffic_records_dropped_total", "counter",
                    "Traffic records this worker could not store.", [(f'{{pid="{os.getpid()}"}}', recorder.dropped)])
        render_index(lines, self.config.state_dir, getattr(self.services, "search", None))
        return "\n".join(lines) + "\n"


def render_traffic(lines: list[str], totals: dict[str, float]) -> None:
    statuses = sorted((k.split(":", 1)[1], v) for k, v in totals.items() if k.startswith("status:"))
    _metric(lines, "siteseer_http_requests_total", "counter",
            "Requests answered, by status (all workers; not the dashboard's own, health checks or scrapes, "
            "unless refused or failed).",
            [(f'{{status="{s}"}}', v) for s, v in statuses] or [("", 0)])
    _metric(lines, "siteseer_http_response_bytes_total", "counter",
            "Response body bytes handed to the HTTP server (a download cut short counts whole).",
            [("", totals.get("bytes", 0))])
    name = "siteseer_http_request_duration_seconds"
    lines += [f"# HELP {name} Time from a request to its answer handed to the HTTP server "
              "(not the transfer of a large body).", f"# TYPE {name} histogram"]
    cumulative = 0
    for i, bound in enumerate(store.LATENCY_BOUNDS_MS):
        cumulative += totals.get(f"h{i}", 0)
        lines.append(f'{name}_bucket{{le="{bound / 1000:g}"}} {sample_value(cumulative)}')
    cumulative += totals.get(f"h{len(store.LATENCY_BOUNDS_MS)}", 0)
    lines.append(f'{name}_bucket{{le="+Inf"}} {sample_value(cumulative)}')
    lines.append(f"{name}_sum {sample_value(totals.get('dur_sum', 0) / 1000)}")
    lines.append(f"{name}_count {sample_value(cumulative)}")


def render_index(lines: list[str], state_dir: Path, search=None) -> None:
    status = None
    if search is not None and hasattr(search, "status"):
        try:
            status = search.status()
        except Exception as exc:
            log.debug("search status unavailable: %s", exc)
    if status is None:
        status = _catalog_meta(Path(state_dir) / "catalog.db")
    if status:
        if "documents" in status:
            _metric(lines, "siteseer_index_documents", "gauge", "Documents in the search index.",
                    [("", status["documents"])])
        if "indexing" in status:
            _metric(lines, "siteseer_index_indexing", "gauge", "1 while the indexer is working.",
                    [("", int(bool(status["indexing"])))])
    index_dir = Path(state_dir) / "index"
    if index_dir.is_dir():
        size = sum(e.stat().st_size for e in os.scandir(index_dir) if e.is_file())
        _metric(lines, "siteseer_index_size_bytes", "gauge", "Size of the search index on disk.", [("", size)])


def _catalog_meta(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            rows = conn.execute("SELECT key, value FROM meta").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    meta = {str(k): v for k, v in rows}
    out = {}
    for key in ("documents", "indexing"):
        try:
            out[key] = float(meta[key])
        except (KeyError, TypeError, ValueError):
            if str(meta.get(key, "")).lower() in ("true", "false"):
                out[key] = str(meta[key]).lower() == "true"
    return out


def _metric(lines: list[str], name: str, kind: str, help_text: str, samples) -> None:
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{labels} {sample_value(value)}" for labels, value in samples]


def sample_value(value: float) -> str:
    """A sample's value in Prometheus text: whole numbers exactly, other floats as ``repr``.

    Not ``:g``: its 6 significant digits printed 1,234,567 requests as
    ``1.23457e+06``, so a counter stood still for hundreds of requests and
    ``rate()`` showed steps.
    """
    if isinstance(value, int):  # bool too: 0 or 1
        return str(int(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if value.is_integer() else repr(value)


def _network(text: str):
    network = ipaddress.ip_network(text, strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96 and network.network_address.ipv4_mapped:
        return ipaddress.ip_network(f"{network.network_address.ipv4_mapped}/{network.prefixlen - 96}")
    return network
