"""Smoke run of the benchmark suite: the scripts still work and print tables with numbers.

``python bench/run.py --quick --only files``: 1 round of 1 s wrk runs, siteseer
(recording on and off) against a bare RSGI app on granian (the floor) and
``python -m http.server`` on the 1 KiB file, in
a generated folder (no corpus). Takes ~15-20 s. The numbers are not checked
against targets here: CI machines are shared and noisy.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / "bench" / "run.py"

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (bash .ci/setup)")

NUMBER = r"[\d,]+(?:\.\d+)?"


def test_quick_files_bench_prints_tables_with_numbers(tmp_path):
    out = tmp_path / "RESULTS.md"
    run = subprocess.run([sys.executable, str(RUN), "--quick", "--only", "files", "--out", str(out)],
                         cwd=REPO, capture_output=True, text=True, timeout=150)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    text = run.stdout

    assert "== files: 1 KiB HTML, 32 connections" in text
    for contestant in ("siteseer", "siteseer, recording off", "granian floor (bare RSGI)", "http.server"):
        # contestant, req/s, x baseline, x floor, p50 ms, p99 ms, server CPU us/req, errors
        row = re.search(rf"^{re.escape(contestant)}\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})"
                        rf"\s+({NUMBER})\s+(\d+)\s*$", text, re.M)
        assert row, f"no row with numbers for {contestant}:\n{text}"
        req_s = float(row.group(1).replace(",", ""))
        assert req_s > 0, row.group(0)
        assert float(row.group(6).replace(",", "")) > 0, f"no server CPU measured: {row.group(0)}"
        assert int(row.group(7)) == 0, f"{contestant} answered errors: {row.group(0)}"
    # connections, rounds, off req/s, on req/s, on/off, lost, off CPU, on CPU, CPU added
    assert re.search(rf"^32\s+1(\s+-?{NUMBER}){{7}}\s*$", text, re.M), "recording on/off table missing"
    assert "recording on costs < 10% req/s" in text
    assert re.search(r"^granian floor \(bare RSGI\)\s+[\d,]+\s+[\d.]+\s+1\.00\s", text, re.M), "floor's own ratio"

    md = out.read_text()
    for section in ("## Targets", "## Machine", "## Versions", "## Results", "## Commands"):
        assert section in md, section
    assert "nproc" in md and "granian" in md and "wrk -t" in md and "siteseer.cli serve" in md
    assert "| siteseer |" in md



def test_granian_senders_tool_prints_both_tables(tmp_path):
    # bench/tools/granian_senders.py: why siteseer keeps granian's file sender (rerun it after an upgrade).
    run = subprocess.run([sys.executable, str(REPO / "bench" / "tools" / "granian_senders.py"), "--rounds", "1",
                          "--seconds", "1", "--size-mib", "1", "--slow-body-mib", "128"],
                         cwd=REPO, capture_output=True, text=True, timeout=150)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    text = run.stdout
    for sender in ("granian file sender (response_file_range)", "Python stream, 256 KiB chunks (response_stream)"):
        row = re.search(rf"^{re.escape(sender)}\s+1\s+({NUMBER})\s+({NUMBER})", text, re.M)
        assert row and float(row.group(1).replace(",", "")) > 0, f"no MB/s for {sender}:\n{text}"
    # idle MiB, peak MiB, answer MiB, yes/no
    assert re.search(rf"^{NUMBER}\s+{NUMBER}\s+128\s+(yes|no)\s*$", text, re.M), text

def test_missing_bench_module_is_skipped_not_fatal(tmp_path, monkeypatch):
    """run.py keeps going when a bench module (search, indexing …) is not there."""
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.syspath_prepend(str(RUN.parent))
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "BENCHES", [*module.BENCHES, "nothing_here"])
    out = tmp_path / "RESULTS.md"
    assert module.main(["--quick", "--only", "nothing_here", "--out", str(out)]) == 0
    assert "bench_nothing_here.py is missing" in out.read_text()


def test_search_target_lines_take_the_worst_class(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.syspath_prepend(str(RUN.parent))
    spec.loader.exec_module(module)

    def row(index, c, cls, p50, p99, qps, rss=150, anon=120):
        return {"contestant": "siteseer", "index": index, "connections": c, "class": cls, "p50_ms": p50,
                "p99_ms": p99, "qps": qps, "worker_rss_mb": rss, "worker_anon_mb": anon}

    rows = [row("corpus", 1, "single", 1.0, 4.0, 900), row("corpus", 1, "phrase", 2.0, 6.0, 500),
            row("corpus", 8, "single", 2.0, 9.0, 3000), row("corpus", 8, "phrase", 3.5, 12.0, 1200),
            row("corpus", 32, "single", 9.0, 30.0, 3500), row("corpus", 32, "phrase", 20.0, 60.0, 1600),
            row("1m", 8, "single", 3.0, 40.0, 900), row("1m", 8, "phrase", 9.0, 55.0, 300, rss=900),
            {"contestant": "datasette", "index": "corpus", "connections": 8, "class": "single", "p50_ms": 0.1,
             "p99_ms": 0.2, "qps": 1},
            {"contestant": "engine", "index": "1m", "connections": 1, "class": "phrase", "p50_ms": 3.0, "p99_ms": 80.0},
            {"contestant": "engine", "index": "1m", "connections": 1, "class": "single", "p50_ms": 1.0, "p99_ms": 7.0}]
    lines = {t["target"]: t for t in module.search_targets(rows)}
    p50_line, qps_line, big_line, rss_line = (lines[t] for t in module.EXPECTED_TARGETS["search"])
    assert p50_line["met"] is False and "p50 3.50 ms (phrase)" in p50_line["measured"]
    assert "1 connection: p50 2.00 ms (phrase)" in p50_line["measured"]
    assert qps_line["met"] is True and qps_line["measured"] == "1,600 q/s (phrase)"
    assert big_line["met"] is False and "p99 55.00 ms (phrase)" in big_line["measured"]
    assert big_line["measured"].endswith("the engine alone (1 connection): p99 80.00 ms (phrase)")
    assert rss_line["met"] is False and rss_line["measured"].startswith("900 MB RSS")
