"""The ``siteseer`` command: serve a folder, index it, search it, read its traffic."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import NoReturn

import click

from siteseer.config import Config, ConfigError, check_tls, load_config, settle_state_dir

EXAMPLE_SITE = Path(__file__).resolve().parent.parent / "examples" / "site"


def _config_error(exc: ConfigError) -> NoReturn:
    click.echo(f"siteseer: configuration error: {exc}", err=True)
    sys.exit(2)


def _root(directory: str | None) -> Path:
    """The folder to serve: DIR, or the example site when none is named."""
    return Path(directory) if directory else EXAMPLE_SITE


def _load(directory: str | None, config_file: str | None) -> Config:
    try:
        config = load_config(_root(directory), config_file)
        moved = settle_state_dir(config)
    except ConfigError as exc:
        _config_error(exc)
    if moved:
        click.echo(f"siteseer: {moved}", err=True)
    return config


dir_argument = click.argument("directory", required=False, type=click.Path(file_okay=False))
config_option = click.option("--config", "config_file", type=click.Path(dir_okay=False),
                             help="Configuration file (default: siteseer.toml in DIR).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="siteseer")
def main() -> None:
    """Serve a folder of files as a fast, searchable website."""


@main.command()
@dir_argument
@click.option("--host", default=None, help="Address to listen on.  [default: 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port to listen on.  [default: 8000]")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes answering requests.  [default: 1]")
@click.option("--pages", "pages_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="A folder of your own Dash page modules to serve too.")
@click.option("--no-index", is_flag=True, help="Serve files only: do not index or watch the folder.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Serve https with this PEM certificate chain (with --tls-key).")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The certificate's private key, PEM, not encrypted.")
@config_option
def serve(directory, host, port, workers, pages_dir, no_index, tls_cert, tls_key, config_file) -> None:
    """Serve DIRECTORY (default: the example site) with search at /.

    Files are served at their own paths; / is the search page, /search?q=...
    the results, /api/search the JSON API and /admin the traffic dashboard
    (when an admin password is set). Indexing runs in the background.
    """
    def options(config: Config) -> Config:
        """This command line's options over ``config``."""
        if host is not None:
            config.server.host = host
        if port is not None:
            config.server.port = port
        if workers is not None:
            config.server.workers = workers
        if pages_dir is not None:
            config.server.pages_dir = str(Path(pages_dir).resolve())
        if no_index:
            config.index.enabled = False
        # Absolute, links kept: certbot renews by pointing live/*.pem at new files.
        if tls_cert is not None:
            config.server.tls_cert = os.path.abspath(tls_cert)
        if tls_key is not None:
            config.server.tls_key = os.path.abspath(tls_key)
        return config

    def reread() -> Config:
        """SIGHUP's configuration: the file again, the options over it, checked as at start."""
        config = options(load_config(_root(directory), config_file))
        settle_state_dir(config)
        check_tls(config)
        problem = _check_pages(config) if config.server.pages_dir else None
        if problem:
            raise ConfigError(pages_named, problem)
        return config

    pages_named = "--pages" if pages_dir is not None else "server.pages_dir"
    config = options(_load(directory, config_file))
    if config.server.pages_dir:
        problem = _check_pages(config)
        if problem:
            click.echo(f"siteseer: {pages_named}: {problem}", err=True)
            sys.exit(2)
    try:
        check_tls(config)
    except ConfigError as exc:
        _config_error(exc)
    problem = _check_listen(config.server.host, config.server.port)
    claim = _claim_address(config.server.host, config.server.port) if problem is None else None
    if isinstance(claim, str):
        problem = claim
    if problem:
        click.echo(f"siteseer: {problem}", err=True)
        sys.exit(1)
    from siteseer.server.run import serve as run

    shown_host = f"[{config.server.host}]" if ":" in config.server.host else config.server.host
    click.echo(f"siteseer: serving {config.root}")
    # Where the index and the traffic records are, and which settings: the first things asked when something is off.
    click.echo(f"siteseer: state in {config.state_dir}" + (f", settings from {config_file}" if config_file else ""))
    scheme = "https" if config.server.tls_cert else "http"
    click.echo(f"siteseer: open {scheme}://{shown_host}:{config.server.port}/")
    warning = _clear_text_admin(config)
    if warning:
        click.echo(f"siteseer: warning: {warning}", err=True)
    try:
        run(config, reread)
    finally:
        if claim is not None:
            claim.close()


def _check_listen(host: str, port: int) -> str | None:
    """Why the server cannot listen at host:port, or None.

    granian binds its port shareable (SO_REUSEPORT), so a second server on a
    busy port would start silently beside the first and take half its
    connections, and an address that is not this machine's ends in a Rust
    panic: try the address first, without sharing it.
    """
    import errno
    import ipaddress
    import socket

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"--host: {host!r} is not an IP address (like 127.0.0.1, 0.0.0.0 or ::)"
    shown = f"[{host}]:{port}" if address.version == 6 else f"{host}:{port}"
    with socket.socket(socket.AF_INET6 if address.version == 6 else socket.AF_INET) as sock:
        # Not refused by connections of a previous run still in TIME_WAIT; refused by a listener.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"{shown} is already in use (another server listens there; choose another --port)"
            return f"cannot listen on {shown}: {exc.strerror or exc}"
    return None


def _clear_text_admin(config) -> str | None:
    """A warning when the admin password would cross the network unencrypted: plain http,
    an address other machines reach, and no trusted proxy (which would end TLS in front)."""
    import ipaddress

    if not config.admin.password_hash or config.server.tls_cert or config.access.trusted_proxies:
        return None
    if ipaddress.ip_address(config.server.host).is_loopback:
        return None
    return (f"the admin password is sent unencrypted to {config.server.host} (plain http): "
            "give --tls-cert and --tls-key, or put a TLS proxy in front and list it in [access] trusted_proxies")


def _claim_address(host: str, port: int):
    """The claim of this server on host:port (kept open while it serves), or why it cannot have it.

    The test bind (``_check_listen``) leaves a gap: two servers started at once both
    passed it, and so did a second one started while the first's only worker was
    being replaced; then both listened (SO_REUSEPORT) and each answered some of the
    requests from its own folder. On Linux the claim is an abstract Unix socket named
    for the address (no file; the kernel frees it when the last process holding it ends).
    """
    import errno
    import socket

    if not sys.platform.startswith("linux"):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(f"\0siteseer {host} {port}")
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            return f"another siteseer serves {host}:{port} already (choose another --port)"
        return None  # no claim, no harm: the test bind still stands
    return sock


PAGES_CHECK_SECONDS = 60.0  # a page module that takes longer to load is refused


def _check_pages(config: Config, timeout: float | None = None) -> str | None:
    """Load the user's pages once in a separate process: a broken page stops
    start-up (or a reload) with one line here, instead of crashing every worker.

    pebble's pool, not multiprocessing's: a page that ends its process
    (``os._exit``, ``sys.exit``) left ``Pool.apply`` waiting for ever, at start-up
    and on SIGHUP, where the server then stopped answering even SIGTERM.
    """
    import multiprocessing

    from pebble import ProcessExpired, ProcessPool

    limit = PAGES_CHECK_SECONDS if timeout is None else timeout
    pool = ProcessPool(max_workers=1, context=multiprocessing.get_context("spawn"))
    try:
        return pool.schedule(_load_pages_or_error, args=(config.to_json(),), timeout=limit).result()
    except ProcessExpired as exc:
        return f"loading the pages in {config.server.pages_dir} ended their process (exit code {exc.exitcode})"
    except TimeoutError:
        return f"loading the pages in {config.server.pages_dir} took longer than {limit:g} s"
    finally:
        pool.stop()
        pool.join()


def _load_pages_or_error(config_json: str) -> str | None:
    from siteseer.web.app import create_web_app
    from siteseer.web.user_pages import UserPageError

    try:
        create_web_app(Config.from_json(config_json), None)  # loads config.server.pages_dir
    except UserPageError as exc:
        return str(exc)
    except SystemExit as exc:  # else it ends the command that started this check, with its code
        return f"a page module called sys.exit({exc.code!r})"
    return None


@main.command()
@dir_argument
@config_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
def index(directory, config_file, quiet) -> None:
    """Build or refresh the search index of DIRECTORY, then print a summary."""
    config = _load(directory, config_file)
    from siteseer.index.indexer import IndexBusy, format_summary, run_index
    from siteseer.index.progress import ProgressBar

    bar = None if quiet else ProgressBar()
    try:
        summary = run_index(config, progress=bar)
    except IndexBusy as exc:
        click.echo(f"siteseer: {exc}", err=True)
        sys.exit(1)
    if bar is not None:
        bar.finish()
    click.echo(format_summary(summary))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))  # not optional here: QUERY comes after it
@click.argument("query")
@click.option("--page", type=click.IntRange(min=1), default=1, help="Results page.")
@click.option("--type", "kind", default=None, help="Only this file type (html, pdf, json, ...).")
@config_option
def search(directory, query, page, kind, config_file) -> None:
    """Search the index of DIRECTORY for QUERY and print the results."""
    config = _load(directory, config_file)
    from siteseer.index.indexer import index_dir
    from siteseer.index.schema import index_exists
    from siteseer.search.cli import format_results, locale_languages
    from siteseer.search.errors import QueryError
    from siteseer.search.service import SearchService

    if not index_exists(index_dir(config)):
        click.echo(f"siteseer: {config.root} has no index yet: `siteseer index {config.root}` builds it "
                   "(`siteseer serve` does too)", err=True)
        sys.exit(1)

    service = SearchService(config)
    if service.status().get("outdated"):
        click.echo(f"siteseer: the index of {config.root} was made by an older siteseer: `siteseer index "
                   f"{config.root}` rebuilds it (`siteseer serve` does too)", err=True)
        sys.exit(1)
    try:
        result = service.search(query, page=page, per_page=config.search.per_page, type=kind,
                                languages=locale_languages(os.environ))
    except QueryError as exc:
        click.echo(f"siteseer: {exc}", err=True)
        sys.exit(1)
    click.echo(format_results(result))


@main.command()
@dir_argument
@click.option("--since", default="24h", show_default=True,
              help="Start of the range: a duration back from now (30m, 24h, 7d) or a date (2026-11-01).")
@click.option("--until", default=None,
              help="End of the range: a date (that whole day counts) or a date and time; default now.")
@config_option
def stats(directory, since, until, config_file) -> None:
    """Print a short traffic summary of DIRECTORY's server."""
    import sqlite3

    config = _load(directory, config_file)
    from siteseer.stats.cli import format_stats
    from siteseer.stats.db import damaged

    try:
        start, end = _time_range(since, until)
    except ValueError as exc:
        click.echo(f"siteseer: {exc}", err=True)
        sys.exit(2)
    try:
        report = format_stats(config, start, end)
    except sqlite3.Error as exc:  # damaged, locked, unreadable: one line, not a traceback
        click.echo(f"siteseer: cannot read the traffic records in {config.state_dir / 'traffic.db'}: {exc}"
                   + (" (the server sets it aside when it next records a request)" if damaged(exc) else ""), err=True)
        sys.exit(1)
    click.echo(report)


def _time_range(since: str, until: str | None) -> tuple[float, float]:
    """Parse --since/--until into epoch seconds.

    Dates without a zone are the server's local time, as the report prints
    them and the dashboard's custom range means them; a plain date as
    --until ends with that day, as the dashboard's end date does.
    """
    import datetime as dt

    def parse_point(text: str, end: bool = False) -> float:
        try:
            point = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a date like 2026-11-01 or a duration like 24h") from None
        try:
            if end and len(text.strip()) <= 10:  # a date alone: the whole day
                point += dt.timedelta(days=1)
            return max(point.timestamp(), 0.0)  # naive: local time
        except (OverflowError, OSError, ValueError):  # 0001-01-01 in a zone east of UTC, 9999-12-31 + 1 day
            raise ValueError(f"{text!r} is out of range") from None

    now = time.time()
    units = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
    if since[-1:] in units and since[:-1].isdigit():
        # 10000000d: all there is (and a number past a float's range, too)
        start = max(now - min(int(since[:-1]), 10**12) * units[since[-1]], 0.0)
    else:
        start = parse_point(since)
    end = parse_point(until, end=True) if until else now
    if end <= start:
        raise ValueError("--until must be after --since" if until else "--since must be in the past")
    return start, end


if __name__ == "__main__":
    main()
