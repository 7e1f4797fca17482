"""The dashboard page: controls, summary cards, charts and tables.

Everything shown from requests is passed to Dash components as plain
strings, which React renders as text — a path like ``<script>`` shows up
literally. Component ids are constants here so the callbacks and tests
agree on them.
"""

from __future__ import annotations

import time
from datetime import datetime

from dash import dcc, html

RANGES = [
    {"label": "Last hour", "value": "hour"},
    {"label": "Last day", "value": "day"},
    {"label": "Last week", "value": "week"},
    {"label": "Last 30 days", "value": "month"},
    {"label": "Custom", "value": "custom"},
]
DURATIONS = [
    {"label": "1 hour", "value": 60},
    {"label": "1 day", "value": 1440},
    {"label": "1 week", "value": 10080},
    {"label": "Until removed", "value": 0},
]
REFRESH_MS = 10_000
GRAPHS = ("g-requests", "g-bytes", "g-latency", "g-refused", "g-searches")
# What each chart shows, for readers who cannot see it (the tables hold the numbers).
GRAPH_NAMES = {"g-requests": "Chart: requests over time, by status", "g-bytes": "Chart: bytes served over time",
               "g-latency": "Chart: response time over time", "g-refused": "Chart: refused requests over time",
               "g-searches": "Chart: searches over time, and those that found nothing"}
TABLES = ("t-pages", "t-404", "t-clients", "t-blocked", "t-queries", "t-zero")


def page(site_name: str, csrf: str) -> html.Main:
    graph_config = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
    return html.Main(className="admin", children=[
        html.Header(className="bar", children=[
            html.H1(f"{site_name} — traffic"),
            html.Form(action="/admin/logout", method="POST", className="logout", children=[
                dcc.Input(type="hidden", name="csrf", value=csrf),
                html.Button("Log out", type="submit", id="logout"),
            ]),
        ]),
        html.Section(className="controls", children=[
            html.Fieldset(className="ranges-box", children=[
                html.Legend("Time range", className="visually-hidden"),
                dcc.RadioItems(id="range", options=RANGES, value="day", inline=True, className="ranges"),
            ]),
            html.Div(id="custom-box", style={"display": "none"}, children=[
                dcc.DatePickerRange(id="custom-range", display_format="YYYY-MM-DD",
                                    max_date_allowed=datetime.now().date()),
            ]),
            html.Span(id="range-label", className="range-label"),
            dcc.Interval(id="tick", interval=REFRESH_MS),
        ]),
        html.Section(id="cards", className="cards"),
        html.Section(className="charts", children=[
            html.Div(dcc.Graph(id=g, config=graph_config), className="chart", role="figure",
                     **{"aria-label": GRAPH_NAMES[g]}) for g in GRAPHS
        ]),
        html.Section(className="tables", children=[
            _panel("Top pages", "t-pages"),
            _panel("Top 404 paths", "t-404"),
            _panel("Top clients", "t-clients"),
            _panel("Most refused clients", "t-blocked"),
            _panel("Top search queries", "t-queries"),
            _panel("Searches with no results", "t-zero"),
        ]),
        html.Section(className="blocks", children=[
            html.H2("Blocked addresses"),
            html.Div(className="block-form", children=[
                # Each field inside its <label>: a placeholder is no name for a screen reader.
                html.Label(className="network", children=[
                    html.Span("Address or network to block", className="visually-hidden"),
                    dcc.Input(id="block-network", type="text",
                              placeholder="IP address or network, e.g. 203.0.113.7 or 203.0.113.0/24",
                              debounce=False, maxLength=100),
                ]),
                html.Label(className="reason", children=[
                    html.Span("Reason", className="visually-hidden"),
                    dcc.Input(id="block-reason", type="text", placeholder="Reason", maxLength=500),
                ]),
                html.Label(className="duration", children=[
                    html.Span("Block for", className="visually-hidden"),
                    dcc.Dropdown(id="block-minutes", options=DURATIONS, value=1440, clearable=False),
                ]),
                html.Button("Block", id="block-button", n_clicks=0, className="danger"),
                html.Button("Unblock", id="unblock-button", n_clicks=0),
            ]),
            html.Div(id="block-message", className="message", role="status"),
            html.Div(id="block-list"),
        ]),
    ])


def _panel(title: str, table_id: str) -> html.Div:
    return html.Div(className="panel", children=[html.H2(title), html.Div(id=table_id)])


def table(headers: list[str], rows: list[list], empty: str = "Nothing in this range.") -> html.Component:
    """An HTML table; numbers are formatted and right-aligned, strings shown as text."""
    if not rows:
        return html.P(empty, className="empty")
    return html.Table([
        html.Thead(html.Tr([html.Th(h) for h in headers])),
        html.Tbody([html.Tr([_cell(c) for c in row]) for row in rows]),
    ])


class Num(str):
    """A preformatted number (like "4.7 MiB"): shown right-aligned like counts."""


def _cell(value) -> html.Td:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return html.Td(count(value), className="num")
    if isinstance(value, Num):
        return html.Td(str(value), className="num")
    return html.Td(value)


def card(label: str, value: str, tone: str = "") -> html.Div:
    return html.Div(className=f"card {tone}".strip(), children=[
        html.Div(value, className="value"), html.Div(label, className="label")])


def when(ts: float | None) -> str:
    if ts is None:
        return "never"
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))
    except (OverflowError, OSError, ValueError):  # a stored time no date can show must not break a table
        return "–"


def count(n: float) -> str:
    return f"{int(n):,}"


def size(n: float) -> Num:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return Num(f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}")
        n /= 1024
    return Num("")


def ms(value: float | None) -> str:
    return "–" if value is None else (f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s")


def ms_list(values: list[float | None]) -> str:
    """Durations as "4.4 / 64.1 / 122.5 ms": one unit for all when they share it (a card's
    line wrapped three times with a unit after each), else each with its own."""
    if all(v is not None and v < 1000 for v in values):
        return " / ".join(f"{v:.1f}" for v in values) + " ms"
    return " / ".join(ms(v) for v in values)
