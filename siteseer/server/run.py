"""Start granian with siteseer's RSGI app, and the indexer beside it.

granian's defaults are raised for safety: a client gets 10 s to send its
headers (a slow-loris client, or one that sends nothing, is cut off) and at
most 64 KiB of them (the gatekeeper checks that).

The workers' event loop is uvloop (a dependency except on Windows): measured
on a 1 KiB file, 2 workers, 32 connections, 4 rounds, 62 us of server CPU per
request against asyncio's 71, and 12 % more requests per second.
"""

from __future__ import annotations

import atexit
import logging
import os
from typing import Callable

from siteseer.config import ENV_CONFIG_JSON, Config
from siteseer.orphans import ENV_SERVER_PID
from siteseer.stats.auth import keep_session_secret

log = logging.getLogger("siteseer")


def event_loop():
    """uvloop when it is installed, else asyncio's own loop."""
    from granian.constants import Loops

    try:
        import uvloop  # noqa: F401
    except ImportError:
        return Loops.asyncio
    return Loops.uvloop


def build_server(config: Config, workers: int, reread: Callable[[], Config] | None = None):
    """granian's server for ``config``; ``reread`` (the configuration read again) makes
    SIGHUP apply the file's changes too (``reload.ConfigReload``)."""
    from granian.constants import HTTPModes, Interfaces, SSLProtocols
    from granian.http import HTTP1Settings
    from granian.server import Server

    keep_session_secret(config)
    os.environ[ENV_CONFIG_JSON] = config.to_json()
    os.environ[ENV_SERVER_PID] = str(os.getpid())  # the workers end with this process (siteseer.orphans)
    s = config.server
    tls, copies = {}, None
    if s.tls_cert:  # config.check_tls made both paths absolute and loaded them
        from siteseer.server.certificates import CertificateCopies

        copies = CertificateCopies(s.tls_cert, s.tls_key)
        # TLS 1.2 and 1.3, as Mozilla's "intermediate" profile: granian's default,
        # 1.3 alone, turns away clients still in use.
        tls = {"ssl_cert": copies.cert_copy, "ssl_key": copies.key_copy, "ssl_protocol_min": SSLProtocols.tls12}
    server = Server(
        "siteseer.server.app:create_app",
        address=s.host,
        port=s.port,
        interface=Interfaces.RSGI,
        workers=workers,
        loop=event_loop(),
        factory=True,
        websockets=False,
        # HTTP/1.1 alone, over https too. In granian 2.8's other modes a connection
        # that sends nothing (or, over https, nothing after the handshake) was held
        # until the client went, since the protocol is told from the first bytes and
        # header_read_timeout only starts after them; HTTP/2 has no header timeout
        # at all. HTTP/1.1 alone closes them after header_read_timeout. But it then
        # buffers ~1 MB of headers whatever max_buffer_size says: the gatekeeper
        # checks server.max_header_bytes itself (validate.check_header_size).
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=int(s.header_read_timeout * 1000),
            max_buffer_size=s.max_header_bytes,
            keep_alive=True,
        ),
        log_access=False,  # siteseer writes its own access log with the real client IP
        respawn_failed_workers=True,
        # A graceful restart (SIGHUP: a renewed certificate) stops the old worker this
        # long after starting the new one, which needs ~1.1 s to listen on an idle
        # machine (measured), longer under load. At 0.5 s a SIGHUP refused 56 of 400
        # back-to-back requests (1 worker), 15 of 400 (2); at granian's default, none.
        respawn_interval=3.5,
        workers_kill_timeout=5,
        **tls,
    )
    if reread is not None:
        from siteseer.server.reload import ConfigReload

        server.on_reload(ConfigReload(config, reread))
    if copies is not None:
        server.on_reload(copies.reload)  # SIGHUP: a renewed certificate, checked, then the workers restart
        server.on_shutdown(copies.remove)
        atexit.register(copies.remove)  # also when granian stops without its shutdown hooks
    return server


def raise_open_files_limit() -> tuple[int, int] | None:
    """Raise the soft limit of open descriptors to the hard one; the (soft, hard) now in force.

    The soft limit is often 1,024, and a worker needs many: one per connection,
    up to ``OpenFiles.max_descriptors`` (a quarter of the limit) for the large files granian sends, and
    SQLite's and the index's. Past it, small files answered 404 and SQLite could not
    open. The hard limit is what the administrator allows; the indexer and granian's
    workers, started after this, inherit it. None where there is no such limit (Windows).
    """
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError) as exc:  # an unlimited hard limit the kernel will not take as soft
            log.debug("open files limit kept at %s: %s", soft, exc)
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def serve(config: Config, reread: Callable[[], Config] | None = None) -> None:
    """Serve until interrupted: index in the background, answer at once. SIGHUP
    restarts the workers on ``reread()``'s configuration, when given."""
    # As the workers log (app.create_app): this process logs certificate reloads.
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s] %(name)s: %(message)s")
    raise_open_files_limit()
    indexer = None
    if config.index.enabled:
        from siteseer.index.process import IndexerSupervisor

        indexer = IndexerSupervisor(config).start()
    try:
        build_server(config, config.server.workers, reread).serve()
    finally:
        if indexer is not None:
            indexer.stop()
