"""The ``siteseer`` command's own checks: wrong arguments end in one line and a non-zero exit."""

from __future__ import annotations

import datetime as dt
import shlex
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from siteseer import cli


@pytest.fixture
def started(monkeypatch):
    """Stands in for granian: the configs ``serve`` would have started a server with
    (``rereads``: the SIGHUP configuration readers it was given, in the same order)."""
    class Calls(list):
        def __init__(self) -> None:
            super().__init__()
            self.rereads: list = []

    calls = Calls()

    def run(config, reread=None):
        calls.append(config)
        calls.rereads.append(reread)

    monkeypatch.setattr("siteseer.server.run.serve", run)
    return calls


def serve(tmp_path, *args):
    return CliRunner().invoke(cli.main, ["serve", str(tmp_path), "--no-index", *args])


def one_line_error(result) -> str:
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("siteseer: ")]
    return line


def test_a_port_in_use_is_refused(tmp_path, started):
    # granian shares its port (SO_REUSEPORT): a second server used to start beside the
    # first and take half its connections, with no word said.
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = serve(tmp_path, "--port", str(port))
    assert result.exit_code == 1
    assert one_line_error(result) == f"siteseer: 127.0.0.1:{port} is already in use " \
                                     "(another server listens there; choose another --port)"
    assert started == []


def test_a_port_another_siteseer_has_claimed_is_refused(tmp_path, started):
    """Between the test bind and granian's own (SO_REUSEPORT), a second server started at
    the same moment, or while the first's only worker was replaced, listened beside it and
    answered some requests from its own folder. The claim (an abstract socket) closes the gap."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with socket.socket(socket.AF_UNIX) as claim:  # what the first server holds while it serves
        claim.bind(f"\0siteseer 127.0.0.1 {port}")
        result = serve(tmp_path, "--port", str(port))
    assert result.exit_code == 1
    assert one_line_error(result) == f"siteseer: another siteseer serves 127.0.0.1:{port} already (choose another --port)"
    assert started == []
    assert serve(tmp_path, "--port", str(port)).exit_code == 0  # and the claim ends with its holder


def test_a_free_port_starts(tmp_path, started):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = serve(tmp_path, "--port", str(port))
    assert result.exit_code == 0, result.output
    (config,) = started
    assert config.server.port == port
    assert f"siteseer: state in {config.state_dir}\n" in result.output  # where the index and records are


@pytest.mark.parametrize("args, code, text", [
    (["--port", "99999"], 2, "99999 is not in the range 1<=x<=65535"),  # was an OverflowError traceback
    (["--port", "0"], 2, "0 is not in the range 1<=x<=65535"),  # each worker took a port of its own; ":0" printed
    (["--host", "localhost"], 1, "siteseer: --host: 'localhost' is not an IP address"),  # was a ValueError traceback
    (["--host", "192.0.2.1"], 1, "siteseer: cannot listen on 192.0.2.1:"),  # not this machine's: was a Rust panic
])
def test_wrong_listen_arguments(tmp_path, started, args, code, text):
    result = serve(tmp_path, *args)
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert text in result.output
    assert started == []


def test_stats_dates_are_local_days(time_zone):
    time_zone("Asia/Kolkata")
    # The report prints local times and the dashboard's custom range takes local days;
    # --since 2026-11-01 was midnight UTC (05:30 here), --until a date was the day's first second.
    since, until = cli._time_range("2026-11-01", "2026-11-01")
    assert since == dt.datetime(2026, 10, 31, 18, 30, tzinfo=dt.timezone.utc).timestamp()
    assert until - since == 86400
    since, until = cli._time_range("2026-11-01T06:00", "2026-11-01T07:00+00:00")
    assert until - since == 6.5 * 3600


def test_stats_range_edges(tmp_path):
    since, until = cli._time_range("100000000000d", None)  # more than there is: everything (was a traceback)
    assert since == 0.0 and until == pytest.approx(time.time(), abs=60)
    with pytest.raises(ValueError, match="out of range"):
        cli._time_range("2026-01-01", "9999-12-31")
    with pytest.raises(ValueError, match="--since must be in the past"):
        cli._time_range("0h", None)
    assert cli._time_range("1" * 400 + "m", None)[0] == 0.0  # past a float's range (was OverflowError)
    result = CliRunner().invoke(cli.main, ["stats", str(tmp_path), "--since", "100000000000000000d"])
    assert result.exit_code == 0 and "Traceback" not in result.output and "No traffic recorded yet" in result.output


def test_search_says_a_folder_has_no_index_yet(tmp_path):
    (tmp_path / "a.txt").write_text("lamp oil\n")
    result = CliRunner().invoke(cli.main, ["search", str(tmp_path), "lamp"])
    assert result.exit_code == 1 and "has no index yet" in one_line_error(result)
    assert not (tmp_path / ".siteseer" / "index").exists()
    assert CliRunner().invoke(cli.main, ["index", str(tmp_path), "--quiet"]).exit_code == 0
    result = CliRunner().invoke(cli.main, ["search", str(tmp_path), "lamp"])
    assert result.exit_code == 0 and "a.txt" in result.output


def test_index_while_another_process_indexes_is_one_line(tmp_path):
    from siteseer.config import load_config
    from siteseer.index.indexer import Indexer

    (tmp_path / "a.txt").write_text("lamp oil\n")
    with Indexer(load_config(tmp_path)):  # holds the writer lock, as a running server's indexer does
        result = CliRunner().invoke(cli.main, ["index", str(tmp_path), "--quiet"])
    assert result.exit_code == 1 and "is being indexed by another siteseer now" in one_line_error(result)


def test_a_servers_indexer_beside_another_says_so_in_one_line(tmp_path):
    # A second server on the same state folder logged a traceback, then retried.
    import subprocess
    import sys

    from siteseer.config import load_config
    from siteseer.index.indexer import Indexer

    (tmp_path / "a.txt").write_text("lamp oil\n")
    config = load_config(tmp_path)
    code = "import sys; from siteseer.index.process import main; main(sys.argv[1])"
    with Indexer(config):
        proc = subprocess.Popen([sys.executable, "-c", code, config.to_json()], stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stderr.readline()  # the first thing it says (it then waits to try again)
        finally:
            proc.terminate()
            rest = proc.communicate(timeout=30)[1]
    assert "is being indexed by another siteseer now" in line and "tries again in" in line, line + rest
    assert "Traceback" not in line + rest


def test_a_folder_that_cannot_be_written_keeps_its_state_in_the_cache(tmp_path, monkeypatch):
    # A read-only mount (Docker's ":ro") cannot hold .siteseer. Here a file stands where the
    # folder would be made: the same refusal for root, who may write anywhere else.
    site = tmp_path / "site"
    site.mkdir()
    (site / "note.txt").write_text("The lamp room is at the top.")
    (site / ".siteseer").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    result = CliRunner().invoke(cli.main, ["index", str(site), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "cannot be written" in result.output and str(tmp_path / "cache" / "siteseer" / "site-") in result.output
    result = CliRunner().invoke(cli.main, ["search", str(site), "lamp"])  # the next command finds it there
    assert result.exit_code == 0 and "note.txt" in result.output, result.output
    assert (site / ".siteseer").read_text() == "not a folder"


def test_a_state_dir_set_by_name_that_cannot_be_written_is_refused(tmp_path):
    (tmp_path / "taken").write_text("a file")
    (tmp_path / "siteseer.toml").write_text('[index]\nstate_dir = "taken/state"\n')
    result = CliRunner().invoke(cli.main, ["search", str(tmp_path), "lamp"])
    assert result.exit_code == 2
    assert result.output.startswith("siteseer: configuration error: index.state_dir: cannot write ")
    assert "Traceback" not in result.output


def test_the_example_service_unit_starts_a_server_as_it_says(tmp_path, started):
    # examples/siteseer.service is copied by people who never run its line by hand:
    # its ExecStart must parse, and the state_dir its comment asks for must load.
    unit = (Path(__file__).resolve().parent.parent / "examples" / "siteseer.service").read_text()
    (exec_start,) = [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("ExecStart=")]
    argv = shlex.split(exec_start)
    assert argv[0].endswith("/siteseer") and argv[1] == "serve"
    site, state, etc = tmp_path / "docs", tmp_path / "state", tmp_path / "siteseer.toml"
    site.mkdir()
    assert '#   state_dir = "/var/lib/siteseer"' in unit and "StateDirectory=siteseer" in unit
    etc.write_text(f'[index]\nstate_dir = "{state}"\n')
    args = [str(site) if a == "/srv/docs" else str(etc) if a == "/etc/siteseer/siteseer.toml" else a for a in argv[2:]]
    with socket.socket() as probe:  # a free port, in place of the unit's 8000
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(cli.main, ["serve", *args, "--port", str(port), "--no-index"])
    assert result.exit_code == 0, result.output
    (config,) = started
    assert config.root == site.resolve() and config.state_dir == state and config.server.workers == 2
    assert config.server.host == "0.0.0.0"
    assert "ExecReload=/bin/kill -HUP $MAINPID" in unit and "KillMode=mixed" in unit


def _pages(tmp_path: Path, body: str) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "hello.py").write_text(body)
    return pages


@pytest.mark.parametrize("body, text", [
    ("import os\nos._exit(1)\n", "ended their process (exit code 1)"),
    ("import sys\nsys.exit(3)\n", "a page module called sys.exit(3)"),
])
def test_pages_that_end_their_process_are_refused_not_waited_for(tmp_path, started, body, text):
    # multiprocessing's Pool.apply waited for ever: at start-up, and on SIGHUP, where the
    # server then no longer answered even SIGTERM.
    site = tmp_path / "site"
    site.mkdir()
    result = serve(site, "--pages", str(_pages(tmp_path, body)))
    assert result.exit_code == 2, result.output
    assert one_line_error(result).startswith("siteseer: --pages: ") and text in result.output
    assert started == []


def test_a_pages_folder_set_in_the_config_is_named_as_the_config_names_it(tmp_path, started):
    site = tmp_path / "site"
    site.mkdir()
    (site / "siteseer.toml").write_text(f'[server]\npages_dir = "{tmp_path / "nowhere"}"\n')
    result = serve(site)
    assert result.exit_code == 2, result.output
    # Was "siteseer: --pages: --pages: ... is not a folder", for a setting no --pages gave.
    assert one_line_error(result) == f"siteseer: server.pages_dir: {tmp_path / 'nowhere'} is not a folder"
    assert started == []


def test_pages_that_take_too_long_to_load_are_refused(tmp_path):
    from siteseer.config import Config

    config = Config()
    config.root = tmp_path
    config.server.pages_dir = str(_pages(tmp_path, "import time\ntime.sleep(60)\n"))
    started = time.monotonic()
    assert "took longer than 3 s" in cli._check_pages(config, timeout=3)
    assert time.monotonic() - started < 30  # not the 60 s the page sleeps



def test_an_admin_password_over_plain_http_to_other_machines_is_warned_of():
    """Checked without listening anywhere but 127.0.0.1: the rule alone."""
    from siteseer.cli import _clear_text_admin
    from siteseer.config import Config

    config = Config()
    config.admin.password_hash = "set"
    config.server.host = "0.0.0.0"
    assert "unencrypted" in _clear_text_admin(config)
    config.server.host = "::"
    assert "unencrypted" in _clear_text_admin(config)
    for change in (lambda c: setattr(c.server, "host", "127.0.0.1"), lambda c: setattr(c.server, "host", "::1"),
                   lambda c: setattr(c.server, "tls_cert", "cert.pem"),
                   lambda c: setattr(c.access, "trusted_proxies", ["10.0.0.1"]),
                   lambda c: setattr(c.admin, "password_hash", "")):
        quiet = Config()
        quiet.admin.password_hash, quiet.server.host = "set", "0.0.0.0"
        change(quiet)
        assert _clear_text_admin(quiet) is None
