"""Map a URL path to a file under the served folder - the one security check.

Every file the server sends goes through ``resolve_path``. It works on the
URL path granian has already percent-decoded, so ``%2e%2e`` arrives as
``..`` and ``%2f`` as ``/``: the checks here see what the file system will
see. Two layers, both required:

1. **Lexical**: the path is split into segments and any segment that could
   walk upwards or smuggle a separator is refused (``..``, ``.``, NUL,
   backslash) together with dotfiles and dot-folders (``.git/``, ``.env``,
   ``.siteseer/``) unless the config allows them - except a top-level
   ``/.well-known/``, which exists to be public (RFC 8615). Nothing is normalised
   "helpfully": a suspicious path is refused, not repaired.
2. **Real path**: symlinks are resolved and the result must still be the
   real root or below it. A symlink that stays inside the folder is fine; one
   that points outside (``link -> /etc``) is refused, as is a dotfile reached
   through an innocent-looking symlink.

Callers treat ``None`` as "not found" (404), so a refused path looks exactly
like a missing one and probing learns nothing.
"""

from __future__ import annotations

import os
import re
import stat
from functools import lru_cache
from pathlib import Path

from siteseer.gatekeeper.validate import CONTROL_CHARS

__all__ = ["answered_by_server", "lookup", "reachable_name", "real_root", "resolve_path", "resolve_real", "url_segments"]

# RFC 8615: the one dot-folder meant to be public (security.txt, ACME
# challenges), served at the top of the site even when dotfiles are not.
WELL_KNOWN = ".well-known"

# Characters that must never reach the file system. "\\" is a separator on
# Windows and a sign of a traversal attempt elsewhere; NUL truncates C strings.
_FORBIDDEN = ("\x00", "\\")


def reachable_name(name: str) -> bool:
    """False for a file name no request can reach, so nothing links to it.

    A backslash is refused here; a control character (a tab, a newline) in a
    path is refused by the gatekeeper (400) before any file is looked at, and
    so is U+FFFD, which is what granian makes of bytes that are not UTF-8: a
    name that is not UTF-8 (read with ``surrogateescape``: lone surrogates)
    cannot be asked for either. The folder listing and the indexer leave such
    files out (the listing failed on one with a 500: it could not encode it).
    """
    return "\\" not in name and not CONTROL_CHARS.search(name) and (name.isascii() or not _UNREACHABLE.search(name))


_UNREACHABLE = re.compile("[\ud800-\udfff\ufffd]")

# Paths the server core answers itself before it asks the file server (server/app.py
# ``route``: the API, the admin, health and metrics; web/app.py ``web_paths``: the
# pages and Dash's endpoints): a file there is never served, so it is not indexed
# either (its result's link answered 404).
SERVER_PATHS = frozenset({"healthz", "metrics", "search", "admin", "_favicon.ico", "_reload-hash",
                          "_dash-layout", "_dash-dependencies", "_dash-update-component"})
SERVER_FOLDERS = ("api/", "admin/", "_siteseer/", "_dash-component-suites/")


def answered_by_server(rel: str) -> bool:
    """Whether the core answers the URL of ``rel`` (a path relative to the folder) without the file server."""
    return rel in SERVER_PATHS or rel.startswith(SERVER_FOLDERS)


def url_segments(url_path: str, serve_dotfiles: bool) -> list[str] | None:
    """The path's non-empty segments, or ``None`` if any of them is refused.

    Empty segments (``a//b``, a trailing ``/``) are dropped: they name the
    same place and cannot climb.
    """
    if not url_path.startswith("/"):
        return None
    for bad in _FORBIDDEN:
        if bad in url_path:
            return None
    if not url_path.isascii():
        # Lone surrogates cannot be encoded for the file system; os.stat
        # would raise on them, so refuse them here.
        try:
            url_path.encode("utf-8")
        except UnicodeEncodeError:
            return None
    segments = [segment for segment in url_path.split("/") if segment]
    for position, segment in enumerate(segments):
        if segment[0] == ".":
            if segment == "." or segment == "..":
                return None
            if not serve_dotfiles and not (position == 0 and segment == WELL_KNOWN):
                return None
    return segments


@lru_cache(maxsize=16)
def real_root(root: str) -> str:
    """The symlink-free form of the served folder (computed once per root)."""
    return os.path.realpath(root)



class PrivatePaths:
    """siteseer's own files inside the folder: never served, never indexed.

    The state folder holds the index and databases, and the config file may
    hold the admin password hash and secret key. Checked on real paths, so a
    symlink that names one (``notes.txt -> siteseer.toml``) is caught too;
    the file server and the indexer's scope ask the same object.
    """

    def __init__(self, root: str, state_dir: str | os.PathLike, config_path: str | os.PathLike | None):
        root_real = real_root(root)
        files: set[str] = set()
        dirs: list[str] = []
        state_real = os.path.realpath(state_dir)
        if state_real != root_real and state_real.startswith(root_real.rstrip(os.sep) + os.sep):
            files.add(state_real)
            dirs.append(state_real + os.sep)
        if config_path is not None:
            files.add(os.path.realpath(config_path))
        self.files = frozenset(files)
        self.dirs = tuple(dirs)

    def __contains__(self, real: str) -> bool:
        return real in self.files or (bool(self.dirs) and real.startswith(self.dirs))


def resolve_real(root: str, url_path: str, serve_dotfiles: bool) -> str | None:
    """``resolve_path`` on strings: the full check with ``realpath``.

    ``lookup`` hands over to it whenever a symlink is on the way. Returns the
    real (symlink-free) path, so what is stat-ed and sent is what was checked.
    """
    segments = url_segments(url_path, serve_dotfiles)
    if segments is None:
        return None
    root_real = real_root(root)
    if not segments:
        return root_real
    try:
        real = os.path.realpath(os.path.join(root_real, *segments))
    except (OSError, ValueError):
        return None
    if not real.startswith(root_real):
        return None
    rest = real[len(root_real):]
    if not rest:
        return real
    if root_real != os.sep:
        if rest[0] != os.sep:
            return None  # "/srv/site-private" is not inside "/srv/site"
        rest = rest[1:]
    # The target of a symlink must pass the same segment rules as a URL.
    if rest != os.path.join(*segments) and url_segments("/" + rest, serve_dotfiles) is None:
        return None
    return real


def lookup(root_real: str, segments: list[str], serve_dotfiles: bool) -> tuple[str, os.stat_result] | None:
    """Resolve *and* stat checked ``segments`` under the real root, for the file server.

    The common case - no symlinks on the way - costs one ``lstat`` per
    segment and no ``realpath``: with no ``..`` and no links, the joined path
    cannot leave the root, and the last ``lstat`` is already the file's
    ``stat``. Any symlink on the way hands over to ``resolve_real``'s full
    check. ``None`` when refused or missing.
    """
    path = root_real.rstrip(os.sep)
    try:
        for segment in segments:
            path = path + os.sep + segment
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                real = resolve_real(root_real, "/" + "/".join(segments), serve_dotfiles)
                if real is None:
                    return None
                return real, os.stat(real)
        if not segments:
            return root_real, os.stat(root_real)
    except (OSError, ValueError):
        return None
    return path, info


def resolve_path(root: Path, url_path: str, serve_dotfiles: bool) -> Path | None:
    """The real path of the file or folder ``url_path`` names under ``root``.

    ``None`` when the path is refused or lies outside ``root`` once symlinks
    are resolved. The path need not exist: existence is the caller's
    ``stat``, so that the check and the use see the same resolved name.
    """
    real = resolve_real(str(root), url_path, serve_dotfiles)
    return None if real is None else Path(real)
