"""Plotly figures for the dashboard, built from ``aggregate.Series``.

Figures only ever carry numbers and times: text from requests (paths,
queries, user agents) goes into HTML tables, where React escapes it,
never into plotly labels, which understand a little HTML.
"""

from __future__ import annotations

from datetime import datetime

import plotly.graph_objects as go

from siteseer.stats.aggregate import Series

STATUS_COLOURS = {
    "c2xx": ("2xx ok", "#2e7d32"),
    "c3xx": ("3xx redirect / not modified", "#1565c0"),
    "c4xx": ("4xx client error", "#ef6c00"),
    "c5xx": ("5xx server error", "#c62828"),
    "c1xx": ("1xx", "#757575"),
}
REFUSED_COLOURS = {
    "blk_list": ("block / allow lists (403)", "#6a1b9a"),
    "blk_rate": ("rate limited (429)", "#f9a825"),
    "blk_auto": ("auto-blocked", "#ad1457"),
}
LATENCY_COLOURS = (("p50", "#2e7d32"), ("p95", "#ef6c00"), ("p99", "#c62828"))


def _times(series: Series) -> list[datetime]:
    return [datetime.fromtimestamp(t) for t in series.t]


def _layout(fig: go.Figure, title: str, unit: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 15}},
        margin={"l": 56, "r": 16, "t": 64, "b": 40}, height=300,
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right", "font": {"size": 11}},
        yaxis={"title": {"text": unit}, "rangemode": "tozero"},
        hovermode="x unified", template="plotly_white", uirevision="keep",
    )
    return fig


def _per(series: Series) -> str:
    return {60: "minute", 3600: "hour", 86400: "day"}.get(series.step, f"{series.step // 60} min")


def requests_figure(series: Series) -> go.Figure:
    fig = go.Figure()
    x = _times(series)
    for col, (name, colour) in STATUS_COLOURS.items():
        values = series[col]
        # A class with no request in the range is left out: stacked last, its line
        # traced the total, and every chart with no 5xx drew a red line along its top.
        if col != "c2xx" and not any(values):
            continue
        fig.add_trace(go.Scatter(x=x, y=values, name=name, stackgroup="status", mode="lines",
                                 line={"width": 0.5, "color": colour}))
    return _layout(fig, "Requests by status", f"requests per {_per(series)}")


def bytes_figure(series: Series) -> go.Figure:
    mib = [b / (1 << 20) for b in series["bytes"]]
    fig = go.Figure(go.Bar(x=_times(series), y=mib, name="sent", marker_color="#1565c0"))
    return _layout(fig, "Bytes served", f"MiB per {_per(series)}")


def latency_figure(series: Series) -> go.Figure:
    fig = go.Figure()
    x = _times(series)
    for name, colour in LATENCY_COLOURS:
        # Markers too: a bucket with traffic between two without (a burst, a quiet
        # site) has no neighbour to draw a line to, and showed nothing at all.
        fig.add_trace(go.Scatter(x=x, y=getattr(series, name), name=name, mode="lines+markers",
                                 connectgaps=False, line={"color": colour, "width": 1.5},
                                 marker={"color": colour, "size": 4}))
    return _layout(fig, "Response time", "milliseconds")


def refused_figure(series: Series) -> go.Figure:
    fig = go.Figure()
    x = _times(series)
    for col, (name, colour) in REFUSED_COLOURS.items():
        fig.add_trace(go.Bar(x=x, y=series[col], name=name, marker_color=colour))
    fig.update_layout(barmode="stack")
    return _layout(fig, "Refused requests", f"requests per {_per(series)}")


def searches_figure(series: Series) -> go.Figure:
    x = _times(series)
    found = [s - z for s, z in zip(series["searches"], series["zero"])]
    fig = go.Figure([
        go.Bar(x=x, y=found, name="with results", marker_color="#2e7d32"),
        go.Bar(x=x, y=series["zero"], name="no results", marker_color="#c62828"),
    ])
    fig.update_layout(barmode="stack")
    return _layout(fig, "Searches", f"searches per {_per(series)}")
