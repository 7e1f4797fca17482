"""``siteseer stats``: the text report."""

from __future__ import annotations

import os
import time

from siteseer.stats import store
from siteseer.stats.cli import format_stats
from synth import entry


def test_report(config):
    now = time.time()
    conn = store.open_db(config.state_dir)
    store.write_batch(conn, [entry(now - 60, path="/docs/a.html")] * 3 + [entry(now - 60, path="/nope", status=404)]
                      + [entry(now - 30, path="/api/search", search={"query": "Tantivy", "hits": 4, "page": 1})]
                      + [entry(now - 30, path="/api/search", search={"query": "qwxz\x1b[31m", "hits": 0, "page": 1})])
    text = format_stats(config, now - 3600, now)
    assert "Requests 6" in text
    assert "2xx 5" in text and "4xx 1" in text
    pages = text.split("Top pages")[1].split("Top 404s")[0]
    assert "3  /docs/a.html" in pages
    assert "/nope" in text.split("Top 404s")[1]
    assert "tantivy" in text.split("Top queries")[1]
    zero = text.split("Zero-result queries")[1].split("Top clients")[0]
    assert "qwxz" in zero and "\x1b" not in text  # no terminal escapes from requests


def test_report_counts_every_kind_of_refusal(config):
    now = time.time()
    store.write_batch(store.open_db(config.state_dir),
                      [entry(now - 60, status=403, blocked="auto")] * 3 + [entry(now - 60, status=429, blocked="ratelimit")]
                      + [entry(now - 60, status=403, blocked="blocklist"), entry(now - 60, status=403, blocked="allowlist")])
    text = format_stats(config, now - 3600, now)
    # automatic blocks were left out of the report
    assert "Refused  access lists 2   rate limit 1   auto-blocked 3" in text


def test_report_without_database(config):
    assert "No traffic recorded yet" in format_stats(config)


def test_a_damaged_database_is_one_line_not_a_traceback(config):
    """``siteseer stats`` ended in a traceback at ``PRAGMA journal_mode=WAL``."""
    from click.testing import CliRunner

    from siteseer import cli

    config.root.joinpath(".siteseer").mkdir()
    damaged = os.urandom(400_000)
    config.root.joinpath(".siteseer", "traffic.db").write_bytes(damaged)
    result = CliRunner().invoke(cli.main, ["stats", str(config.root)])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output, result.output
    assert "cannot read the traffic records in" in result.output and "file is not a database" in result.output
    assert config.root.joinpath(".siteseer", "traffic.db").read_bytes() == damaged  # a report changes nothing
