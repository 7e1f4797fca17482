"""SIGHUP (``systemctl reload``): read the configuration again, and restart the workers on it.

granian restarts its workers one at a time on SIGHUP, each answering until
the next is up, and they read the configuration from the environment as they
start (``app.create_app``). This hook runs first and puts the file's new
contents there: redirects, synonyms, the site's name, limits, pages… apply
with no request refused. What the running processes were started with stays:
the address and port, the number of workers, the certificate's paths (its
files are reloaded by ``certificates``), the limits granian itself was given,
and the index settings (the indexer runs on); a change to one of those is
logged as needing a restart. A file that does not load (a typo, a page that
no longer imports) is one log line, and the workers restart on the
configuration they had.
"""

from __future__ import annotations

import copy
import logging
import os
from typing import Callable

from siteseer.config import ENV_CONFIG_JSON, Config, ConfigError
from siteseer.stats.auth import keep_session_secret

log = logging.getLogger("siteseer")

# Settings only a restart applies: the listening socket and worker count
# (granian's), the TLS files' paths (certificates.CertificateCopies holds them),
# granian's own header limits, and the indexer's settings (its process stays).
RESTART_ONLY = ("root", "server.host", "server.port", "server.workers", "server.tls_cert", "server.tls_key",
                "server.header_read_timeout", "server.max_header_bytes", "index")


def _get(config: Config, name: str):
    value = config
    for part in name.split("."):
        value = getattr(value, part)
    return value


def _set(config: Config, name: str, value) -> None:
    *parents, last = name.split(".")
    target = config
    for part in parents:
        target = getattr(target, part)
    setattr(target, last, copy.deepcopy(value))


def restart_only_changes(running: Config, fresh: Config) -> list[str]:
    """The ``RESTART_ONLY`` settings whose value in ``fresh`` differs from ``running``'s."""
    return [name for name in RESTART_ONLY if _get(running, name) != _get(fresh, name)]


class ConfigReload:
    """granian's reload hook: ``reread()`` (the file again, with the command line's
    options over it; ``ConfigError`` when wrong) becomes the workers' configuration."""

    def __init__(self, running: Config, reread: Callable[[], Config]):
        self.running = running
        self.reread = reread

    def __call__(self) -> None:
        where = self.running.config_path or "the defaults"
        try:
            fresh = self.reread()
            keep_session_secret(fresh)
        except ConfigError as exc:
            log.error("configuration not reloaded, the workers restart on the one they had: %s", exc)
            return
        except Exception as exc:  # never into granian's main loop: that would stop the server
            log.exception("configuration not reloaded, the workers restart on the one they had: %s", exc)
            return
        for name in restart_only_changes(self.running, fresh):
            log.warning("%s changed in %s: it takes a restart of siteseer to apply", name, where)
            _set(fresh, name, _get(self.running, name))
        self.running = fresh
        os.environ[ENV_CONFIG_JSON] = fresh.to_json()
        log.info("configuration reloaded from %s; the workers restart on it one at a time", where)
