"""The dashboard's callbacks: one refresh for every panel, plus block/unblock.

All panels follow one time range and are refreshed together by one
callback (a dozen rollup queries, well under a second even for 30 days).
The ``tick`` interval drives live refresh and is disabled when the range
ends in the past.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from dash import ALL, Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate

from siteseer.gatekeeper.access import parse_ip
from siteseer.stats.aggregate import TrafficStats, choose_step, time_range
from siteseer.stats.blocks import normalize_network
from siteseer.web.admin import figures
from siteseer.web.admin.layout import DURATIONS, GRAPHS, TABLES, card, count, ms_list, size, table, when

log = logging.getLogger("siteseer.admin")

# The durations the block form offers (0: until removed); nothing else is taken.
BLOCK_MINUTES = frozenset(d["value"] for d in DURATIONS)


def resolve_range(preset: str | None, start: str | None, end: str | None, now: float) -> tuple[float, float]:
    """The (since, until) a range picker value means; custom dates are whole local days."""
    if preset == "custom" and start and end:
        # Any JSON can come here, not only the date picker's dates: 5, "x",
        # "2026-13-45" or "9999-12-31" (a day past datetime's range) were a 500.
        try:
            since = datetime.fromisoformat(start[:10]).timestamp()
            until = (datetime.fromisoformat(end[:10]) + timedelta(days=1)).timestamp()
        except (TypeError, ValueError, OverflowError, OSError):
            since = until = 0.0
        if until > since:
            return since, min(until, now)
    return time_range(preset if preset in ("hour", "day", "week", "month") else "day", now)


def register(app, stats: TrafficStats, block_store, clock=time.time,
             config_blocks: Callable[[], tuple[str, ...]] = tuple) -> None:
    """``config_blocks()``: the config file's ``access.block`` now, listed with the dashboard's own
    blocks (it said "No addresses are blocked" while they were refused) but lifted only there."""
    @app.callback(Output("custom-box", "style"), Input("range", "value"))
    def show_custom(preset):
        return {"display": "inline-block"} if preset == "custom" else {"display": "none"}

    @app.callback(
        Output("cards", "children"),
        *[Output(g, "figure") for g in GRAPHS],
        *[Output(t, "children") for t in TABLES],
        Output("range-label", "children"),
        Output("tick", "disabled"),
        Input("range", "value"), Input("custom-range", "start_date"), Input("custom-range", "end_date"),
        Input("tick", "n_intervals"),
    )
    def refresh(preset, start, end, _ticks):
        with stats.snapshot():  # one state of the records for every panel
            now = clock()
            since, until = resolve_range(preset, start, end, now)
            live = until >= now - 60
            series = stats.series(since, until, choose_step(since, until))
            s = stats.summary(since, until)
            errors = s["c4xx"] + s["c5xx"]
            refused = s["blk_list"] + s["blk_rate"] + s["blk_auto"]
            cards = [
                card("requests", count(s["n"])),
                card("served", size(s["bytes"])),
                card("p50 / p95 / p99", ms_list([s["p50"], s["p95"], s["p99"]])),
                card("4xx / 5xx", f"{count(s['c4xx'])} / {count(s['c5xx'])}", "warn" if s["c5xx"] else ""),
                card("refused (403 / 429)", count(refused), "warn" if refused else ""),
                card("searches (no results)", f"{count(s['searches'])} ({count(s['zero'])})"),
            ]
            graphs = [figures.requests_figure(series), figures.bytes_figure(series), figures.latency_figure(series),
                      figures.refused_figure(series), figures.searches_figure(series)]
            pages = [[r["key"], r["n"], size(r["bytes"])] for r in stats.top_pages(since, until)]
            missing = [[r["key"], r["n"], ", ".join(ref for ref, _ in r["referrers"]) or "—"]
                       for r in stats.top_404(since, until)]
            clients = [[r["key"], r["n"], size(r["bytes"]),
                        html.Button("Block…", id={"type": "pick-ip", "ip": r["key"]}, className="small",
                                    title=f"Put {r['key']} in the block form")]
                       for r in stats.top_clients(since, until)]
            refused_rows = [[r["key"], r["n"], ", ".join(f"{how} {n:,}" for how, n in r["reasons"])]
                            for r in stats.top_blocked(since, until)]
            queries = [[r["key"], r["n"]] for r in stats.top_queries(since, until)]
            zero = [[r["key"], r["n"]] for r in stats.zero_result_queries(since, until)]
            tables = [
                table(["Path", "Requests", "Sent"], pages),
                table(["Path", "404s", "Referrers"], missing),
                table(["Client", "Requests", "Sent", ""], clients),
                table(["Client", "Refused", "How"], refused_rows),
                table(["Query", "Searches"], queries),
                table(["Query", "Searches"], zero),
            ]
            step = series.step
            bucket = f"{step // 60}-minute" if step < 3600 else (f"{step // 3600}-hour" if step < 86400 else "1-day")
            zone = time.strftime("%Z", time.localtime(until))  # "server time" alone left the reader guessing
            label = f"{when(since)} – {'now' if live else when(until)} · {bucket} buckets · server time ({zone})"
            tables_from = stats.tables_since(since, until)
            if tables_from < since - 59:  # the top lists count whole 10-minute periods, or days: say so
                label += f" · tables from {when(tables_from)}"
            return [cards, *graphs, *tables, label, not live]

    @app.callback(Output("block-network", "value"), Input({"type": "pick-ip", "ip": ALL}, "n_clicks"),
                  prevent_initial_call=True)
    def pick(_clicks):
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate  # buttons were (re)drawn, not clicked
        trigger = ctx.triggered_id  # from the request's changedPropIds: any id, not only a button's
        if not isinstance(trigger, dict) or not isinstance(trigger.get("ip"), str):
            raise PreventUpdate
        return trigger["ip"]

    @app.callback(
        Output("block-list", "children"), Output("block-message", "children"),
        Input("block-button", "n_clicks"), Input("unblock-button", "n_clicks"),
        Input({"type": "unblock", "network": ALL}, "n_clicks"), Input("tick", "n_intervals"),
        State("block-network", "value"), State("block-reason", "value"), State("block-minutes", "value"),
    )
    def blocks(_block, _unblock, _row_unblock, _ticks, network, reason, minutes):
        trigger = ctx.triggered_id
        clicked = bool(ctx.triggered and ctx.triggered[0].get("value"))
        message = ""
        # The values are the request's JSON, not only what the form sends. A list
        # for a reason was a 500; minutes=1e30 stored a block whose end no date
        # can show, and every later drawing of the list (so the dashboard's
        # unblocking too) failed until the row was deleted by hand.
        network = network if isinstance(network, str) else ""
        reason = reason if isinstance(reason, str) else ""
        if trigger == "block-button" and clicked and not _offered(minutes):
            return _block_list(block_store, config_blocks()), "Not done: choose a duration from the list."
        try:
            if trigger == "block-button" and clicked:
                if not (reason or "").strip():
                    message = "Give a reason for the block."
                elif _holds_requester(network or ""):
                    message = (f"Not done: {network} holds your own address ({_requester()}); "
                               "blocked, you could not reach this page to lift it.")
                else:
                    b = block_store.add(network or "", reason, minutes=minutes or None, source="admin")
                    until = "until removed" if b.expires is None else f"until {when(b.expires)}"
                    message = f"Blocked {b.network} {until}."
            elif trigger == "unblock-button" and clicked:
                message = _unblock_message(block_store, network or "", config_blocks())
            elif isinstance(trigger, dict) and trigger.get("type") == "unblock" and clicked:
                message = _unblock_message(block_store, str(trigger.get("network")), config_blocks())
        except ValueError as exc:
            message = f"Not done: {exc}"
        return _block_list(block_store, config_blocks()), message


def _offered(minutes) -> bool:
    """Whether ``minutes`` (any JSON) is one of the block form's durations."""
    return isinstance(minutes, int) and not isinstance(minutes, bool) and minutes in BLOCK_MINUTES


def _requester() -> str:
    from siteseer.web.admin.app import client_ip  # the app imports this module

    return client_ip()


def _holds_requester(network: str) -> bool:
    """Whether blocking ``network`` would shut out the admin using the dashboard now."""
    try:
        net = ipaddress.ip_network(normalize_network(network))
    except ValueError:
        return False  # the store says what is wrong with it
    address = parse_ip(_requester())
    return address is not None and address.version == net.version and address in net


def _unblock_message(block_store, network: str, config_blocks: tuple[str, ...] = ()) -> str:
    if block_store.remove(network):
        return f"Unblocked {network}."
    if _normalized(network) in {_normalized(b) for b in config_blocks}:
        return (f"{network} is blocked by the config file ([access] block): remove it there "
                "(the change applies within seconds).")
    return f"{network} was not blocked."


def _normalized(network: str) -> str:
    try:
        return normalize_network(network)
    except ValueError:
        return network


def _block_list(block_store, config_blocks: tuple[str, ...] = ()) -> html.Component:
    rows = [[b.network, b.reason or "—", b.source, when(b.created),
             "until removed" if b.expires is None else when(b.expires),
             html.Button("Unblock", id={"type": "unblock", "network": b.network}, className="small")]
            for b in block_store.active()]
    rows += [[network, "in the config file ([access] block)", "config", "—", "while in the config", ""]
             for network in config_blocks]
    return table(["Network", "Reason", "By", "Since", "Until", ""], rows, empty="No addresses are blocked.")
