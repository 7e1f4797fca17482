"""The certificate and key granian's workers load: checked copies of the configured files.

granian's workers read the files each time they start, and a SIGHUP to the
server restarts them one by one: a renewed certificate is served with no
downtime. But a worker that finds a broken pair (a renewal written halfway,
the key of another certificate) does not start, and the site goes down with
it. So the workers read private copies, and on SIGHUP the configured files
are copied over them only once the new pair has loaded; else the log says
why and the workers come back on the pair they had.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from siteseer.config import tls_pair_problem

log = logging.getLogger("siteseer")


class CertificateCopies:
    """Checked copies of ``cert`` and ``key`` in a folder of this process's own (mode 0700, files 0600)."""

    def __init__(self, cert: str, key: str):
        self.cert, self.key = cert, key
        self.folder = Path(tempfile.mkdtemp(prefix="siteseer-tls-"))
        self.cert_copy, self.key_copy = self.folder / "cert.pem", self.folder / "key.pem"
        problem = self.refresh()
        if problem is not None:  # config.check_tls loaded them a moment ago: changed since
            self.remove()
            raise RuntimeError(problem)

    def refresh(self) -> str | None:
        """Copy the configured pair over the copies if it loads; else say why (the copies stay).

        The very bytes that were checked are the ones served: read once,
        written beside the copies, loaded from there, then renamed into place.
        """
        new_cert, new_key = self.folder / "cert.new", self.folder / "key.new"
        try:
            for source, target in ((self.cert, new_cert), (self.key, new_key)):
                data = Path(source).read_bytes()
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
        except OSError as exc:
            return f"{exc.filename or self.cert}: {exc.strerror or exc}"
        problem = tls_pair_problem(new_cert, new_key, self.cert, self.key)
        if problem is not None:
            new_cert.unlink(missing_ok=True)
            new_key.unlink(missing_ok=True)
            return f"{problem[0]}: {problem[1]}"
        os.replace(new_key, self.key_copy)
        os.replace(new_cert, self.cert_copy)
        return None

    def reload(self) -> None:
        """granian's reload hook (SIGHUP), before the workers restart."""
        problem = self.refresh()
        if problem is None:
            log.info("certificate reloaded from %s", self.cert)
        else:
            log.error("certificate not reloaded, the workers keep the one they had: %s", problem)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
