"""kill -9 of a parent must not leave indexer processes running.

An orphaned indexer keeps the tantivy writer lock, so the next server's
indexer fails to open the index ("LockBusy") for as long as it lives; an
orphaned extraction worker just leaks a process.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from ix_helpers import make_config, wait_until, write

HERE = Path(__file__).parent
ROOT = HERE.parent.parent

SERVER = """
import sys, threading
from pathlib import Path
sys.path.insert(0, {helpers!r})
from ix_helpers import make_config
from siteseer.index.process import start_indexer
proc = start_indexer(make_config(Path({root!r})))
print(proc.pid, flush=True)
threading.Event().wait()
"""

INDEXER = """
import sys, threading
from pathlib import Path
sys.path.insert(0, {helpers!r})
from ix_helpers import make_config
from siteseer.index.indexer import Indexer
indexer = Indexer(make_config(Path({root!r})), workers=2)
pool = indexer._pool()
pool.schedule(int).result()  # the workers are up
print(*pool._pool_manager.worker_manager.workers, flush=True)  # pebble's own record of their pids
threading.Event().wait()
"""


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's new parent may be slow to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def start(code: str, root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code.format(helpers=str(HERE), root=str(root))],
                            stdout=subprocess.PIPE, text=True, cwd=str(ROOT))


def test_indexer_process_stops_when_its_server_is_killed(tmp_path: Path):
    root = tmp_path / "site"
    write(root, "a.md", "# A\n\norphanword\n")
    server = start(SERVER, root)
    indexer_pid = int(server.stdout.readline())
    try:
        db = make_config(root).state_dir / "catalog.db"
        wait_until(lambda: db.exists(), 30)  # it has started working
        server.kill()
        server.wait()
        wait_until(lambda: not running(indexer_pid), 15, message="the orphaned indexer to exit")
    finally:
        if running(indexer_pid):
            os.kill(indexer_pid, signal.SIGKILL)


def test_extraction_workers_stop_when_the_indexer_is_killed(tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir()
    indexer = start(INDEXER, root)
    workers = [int(p) for p in indexer.stdout.readline().split()]
    assert workers
    try:
        indexer.kill()
        indexer.wait()
        wait_until(lambda: not any(running(p) for p in workers), 15, message="the orphaned workers to exit")
    finally:
        for pid in workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
