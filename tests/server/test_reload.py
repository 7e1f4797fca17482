"""SIGHUP (``systemctl reload``): the configuration file read again, the workers restarted on it."""

from __future__ import annotations

import logging
import os
import re
import signal

import httpx
import pytest

from siteseer.config import ENV_CONFIG_JSON, Config, ConfigError, load_config
from siteseer.server.reload import ConfigReload, restart_only_changes
from tests.conftest import wait_until


def test_settings_a_restart_applies_are_named(tmp_path):
    running = load_config(tmp_path)
    fresh = load_config(tmp_path)
    fresh.server.port, fresh.index.exclude, fresh.server.site_name = 9999, ["drafts/*"], "New"
    assert restart_only_changes(running, fresh) == ["server.port", "index"]


def test_a_reload_keeps_what_needs_a_restart_and_refuses_a_broken_file(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(ENV_CONFIG_JSON, "started with")
    running = load_config(tmp_path)
    fresh = load_config(tmp_path)
    fresh.server.site_name, fresh.server.workers = "New", 7
    answers: list = [fresh, ConfigError("server.port", "must be between 0 and 65535, not 70000"), RuntimeError("bug")]

    def reread() -> Config:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    reload = ConfigReload(running, reread)
    with caplog.at_level(logging.INFO, logger="siteseer"):
        reload()
    applied = Config.from_json(os.environ[ENV_CONFIG_JSON])
    assert applied.server.site_name == "New" and applied.server.workers == running.server.workers
    assert "server.workers changed" in caplog.text and "takes a restart" in caplog.text
    for _ in range(2):  # neither a wrong file nor a bug reaches granian's main loop
        caplog.clear()
        reload()
        assert "configuration not reloaded" in caplog.text
        assert Config.from_json(os.environ[ENV_CONFIG_JSON]).server.site_name == "New"


def test_sighup_applies_the_edited_file_without_a_refused_request(serve, site, tmp_path):
    server = serve(site, config='[server]\nsite_name = "Old Harbour"\n', args=("--no-index",))
    config_file = tmp_path / "siteseer-test.toml"

    def title() -> str:
        return re.search(r"<title>(.*?)</title>", httpx.get(server.url + "/", timeout=5).text).group(1)

    assert title() == "Old Harbour"
    # The port is --port's: the command line's options stay over the file's.
    config_file.write_text('[server]\nsite_name = "New Harbour"\nport = 1\n[redirects]\n"/old" = "/docs/guide.html"\n'
                           '[index]\nexclude = ["drafts/*"]\n')
    os.kill(server.process.pid, signal.SIGHUP)
    failures = []

    def applied() -> bool:
        try:
            moved = httpx.get(server.url + "/old?x=1", timeout=5)
            return moved.status_code == 301 and moved.headers["location"] == "/docs/guide.html?x=1" and (
                title() == "New Harbour")
        except httpx.HTTPError as exc:  # a restart must refuse nothing
            failures.append(repr(exc))
            return False

    wait_until(applied, timeout=30, message="the workers to restart on the edited file")
    assert not failures, failures
    assert "index changed" in server.log() and "takes a restart" in server.log()
    assert "server.port changed" not in server.log() and "configuration reloaded from" in server.log()

    config_file.write_text("[server\nsite_name = 'broken'\n")
    os.kill(server.process.pid, signal.SIGHUP)
    wait_until(lambda: "configuration not reloaded" in server.log(), timeout=15, message="the refusal in the log")
    wait_until(lambda: server.log().count("Stopped old worker") >= 2, timeout=30, message="the second restart")
    assert title() == "New Harbour" and httpx.get(server.url + "/old", timeout=5).status_code == 301
    assert server.process.poll() is None


def test_a_page_edited_into_an_error_does_not_stop_the_server_on_sighup(serve, site, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "hello.py").write_text('from dash import html\nlayout = html.P("hello there", id="hello-p")\n')
    server = serve(site, args=("--no-index", "--pages", str(pages)))
    assert httpx.get(server.url + "/_dash-layout", timeout=5).status_code == 200
    (pages / "hello.py").write_text("import does_not_exist_anywhere\n")
    os.kill(server.process.pid, signal.SIGHUP)
    # Refused by the reload, and the restarted worker (which imports the folder as it is) serves the rest.
    wait_until(lambda: "your pages are not served" in server.log(), timeout=30, message="the worker's refusal")
    assert "configuration not reloaded" in server.log() and "hello.py: import failed" in server.log()
    wait_until(lambda: "Stopped old worker" in server.log(), timeout=30, message="the restart to end")
    assert server.process.poll() is None, server.log()
    assert httpx.get(server.url + "/search?q=lighthouse", timeout=5).status_code == 200
    assert httpx.get(server.url + "/hello", headers={"accept": "text/html"}, timeout=5).status_code == 404
