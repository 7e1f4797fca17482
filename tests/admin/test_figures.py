"""The dashboard's figures, from ``aggregate.Series`` to what plotly draws."""

from __future__ import annotations

from siteseer.stats import store
from siteseer.stats.aggregate import TrafficStats
from siteseer.web.admin import figures
from synth import entry

T0 = 1_700_000_000.0 - (1_700_000_000 % 86400)


def test_latency_of_a_lone_busy_bucket_is_drawn(tmp_path):
    # Traffic in one bucket between empty ones (a burst, a quiet site): a lines-only
    # trace has no segment to draw, and the "Response time" chart was empty.
    conn = store.open_db(tmp_path)
    store.write_batch(conn, [entry(T0 + 600 + i, duration_ms=4.0) for i in range(10)])
    series = TrafficStats(tmp_path).series(T0, T0 + 1800, step=600)
    fig = figures.latency_figure(series).to_plotly_json()
    for trace in fig["data"]:
        points = [y for y in trace["y"] if y is not None]
        assert len(points) == 1 and 3 <= points[0] <= 5
        assert "markers" in trace["mode"]


def test_status_classes_without_requests_draw_no_line(tmp_path):
    # Stacked on top with nothing to add, the 5xx trace's red line traced the total:
    # the chart looked like errors when there were none.
    conn = store.open_db(tmp_path)
    store.write_batch(conn, [entry(T0 + 600 + i, status=200 if i % 4 else 404) for i in range(40)])
    series = TrafficStats(tmp_path).series(T0, T0 + 1800, step=600)
    fig = figures.requests_figure(series).to_plotly_json()
    assert [trace["name"] for trace in fig["data"]] == ["2xx ok", "4xx client error"]
    assert sum(fig["data"][0]["y"]) == 30 and sum(fig["data"][1]["y"]) == 10
    quiet = figures.requests_figure(TrafficStats(tmp_path).series(T0 + 3600, T0 + 5400, step=600)).to_plotly_json()
    assert [trace["name"] for trace in quiet["data"]] == ["2xx ok"]  # an empty range still has its axis


def test_the_latency_card_says_its_unit_once_when_it_can():
    from siteseer.web.admin.layout import ms_list

    assert ms_list([4.43, 64.1, 122.5]) == "4.4 / 64.1 / 122.5 ms"
    assert ms_list([4.4, 64.1, 1250.0]) == "4.4 ms / 64.1 ms / 1.25 s"
    assert ms_list([None, None, None]) == "– / – / –"
