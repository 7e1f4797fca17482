"""kill -9 a real indexer process mid-run; the next run must finish the job.

Committed work survives (the catalog never claims more than the index
holds) and replaying never duplicates documents.
"""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from ix_helpers import extract, indexed_paths, kind_for, make_config, wait_until, write

from siteseer.index.indexer import run_index

HERE = Path(__file__).parent
N_FILES = 300

CHILD = """
import sys
sys.path.insert(0, {helpers!r})
from pathlib import Path
from ix_helpers import extract, kind_for, make_config
from siteseer.index import indexer
indexer.COMMIT_SECONDS = 0.05  # many small commits: the kill lands between and inside them
indexer.BATCH_FILES = 2
indexer.run_index(make_config(Path({root!r})), extract=extract, kind_for=kind_for)
"""


def committed_rows(db: Path) -> dict[str, int]:
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(db) as conn:
            return dict(conn.execute("SELECT path, units FROM files WHERE status='ok'"))
    except sqlite3.OperationalError:  # table not created yet
        return {}


def test_kill_9_mid_run_then_restart(tmp_path: Path):
    root = tmp_path / "site"
    for i in range(N_FILES):
        paras = "\n\n".join(f"para{j} uniq{i}x{j}" for j in range(1 + i % 3))
        write(root, f"d{i % 7}/f{i:03}.txt", f"SLOW Title {i}\n\n{paras}")
    config = make_config(root)
    db = config.state_dir / "catalog.db"

    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(helpers=str(HERE), root=str(root))],
        start_new_session=True, cwd=str(HERE.parent.parent),
    )
    try:
        # Kill once some files are committed, well before all of them are.
        wait_until(lambda: len(committed_rows(db)) >= 20 or proc.poll() is not None, timeout=60, interval=0.01)
        assert proc.poll() is None, "the indexer finished before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the indexer and its extraction workers
        proc.wait()

    before = committed_rows(db)
    assert 20 <= len(before) < N_FILES
    counts = indexed_paths(config)
    for path, units in before.items():  # nothing the catalog recorded was lost
        assert counts.get(path) == units

    summary = run_index(config, extract=extract, kind_for=kind_for)
    assert summary.files == N_FILES
    assert summary.indexed == N_FILES - len(before)  # committed files are not redone

    after = committed_rows(db)
    counts = indexed_paths(config)
    assert len(after) == N_FILES
    assert counts == after  # every file once, with all its units, no duplicates

    from siteseer.search.service import SearchService

    service = SearchService(config)
    for i in (0, 1, N_FILES // 2, N_FILES - 1):
        result = service.search(f"uniq{i}x0")
        assert [h["path"] for h in result["hits"]] == [f"d{i % 7}/f{i:03}.txt"]


def test_retries_after_a_failure_back_off_to_a_minute():
    # A disk that stays full: a log line a minute, not one every 3 s.
    from siteseer.index.process import retry_delay

    assert [retry_delay(n) for n in (1, 2, 3, 4, 5, 6, 7, 1000)] == [3, 6, 12, 24, 48, 60, 60, 60]
