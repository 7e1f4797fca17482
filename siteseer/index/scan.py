"""Walking DIR: which files are candidates for the index.

Skips siteseer's own files (the state directory, the config file), dotfiles and dot-folders, and ``index.exclude``
globs (matched against the relative path and each of its parent folders,
so ``drafts`` and ``drafts/*`` both exclude a folder). Symlinked folders
are not followed (loops), nor is a path through one (the watcher names a
new link: ``docs -> /etc`` had /etc's text files indexed, and their words
shown in snippets); symlinked files are, when the file server would serve
what they point to (inside the folder, no dot-folder on the way). Names
that are not UTF-8 (old archives, other systems' encodings) are skipped:
neither the catalog nor the index can hold them, and no URL names them; so
are the paths the server answers itself (``healthz``, files under ``api/``,
``admin/``...), but not a folder named as one of its pages: ``search/inner.html``
is the file server's.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from siteseer.files.resolve import PrivatePaths, answered_by_server, reachable_name, real_root, resolve_real

from .documents import clamped_mtime_ns

KindFor = Callable[[Path], "str | None"]


class FileStat(NamedTuple):
    """What tells the indexer that a file may have changed since it was indexed."""

    size: int
    mtime_ns: int
    ino: int
    ctime_ns: int


class Scope:
    """Decides whether a relative path belongs in the index."""

    def __init__(self, root: Path, state_dir: Path, exclude: Iterable[str] = (), config_path: Path | None = None):
        self.root = root
        self.patterns = [p.strip("/") for p in exclude if p.strip("/")]
        self.root_real = real_root(str(root))
        self.private = PrivatePaths(str(root), state_dir, config_path)

    def excluded(self, rel: str) -> bool:
        """Whether ``rel`` and all below it stay out, be it a file or a folder (the watcher's
        events do not say which); a file not excluded here may still be one the server
        answers itself (``answered_by_server``)."""
        if not rel.isascii():
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:  # undecodable bytes, kept as surrogates by os.fsdecode
                return True
        # No request reaches it, nor anything in it: a result would lead nowhere. Not
        # answered_by_server(rel): /healthz is the server's, /healthz/x.html the folder's.
        if not reachable_name(rel) or answered_by_server(rel + "/"):
            return True
        parts = rel.split("/")
        if any(p.startswith(".") for p in parts):
            return True
        if os.path.join(self.root_real, rel) in self.private:  # the state folder, the config file
            return True
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if any(fnmatchcase(sub, pat) for pat in self.patterns):
                return True
        return False


def scan(root: Path, scope: Scope, kind_for: KindFor, under: str = "",
         links: dict[str, str] | None = None) -> dict[str, FileStat]:
    """``{rel: FileStat}`` of indexable files at or below ``under``; the symlinked
    ones found also go into ``links`` (if given) as ``{rel: the rel of the file it names}``."""
    found: dict[str, FileStat] = {}
    start = root / under if under else root
    if under and (scope.excluded(under) or _through_folder_link(root, under)):
        return found
    if start.is_file():
        st = _stat(start)
        if (st and not answered_by_server(under) and kind_for(start) is not None
                and (not start.is_symlink() or _linked(root, under, scope, links))):
            found[under] = st
        return found
    stack = [(start, under)]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = f"{prefix}/{entry.name}" if prefix else entry.name
            if entry.name.startswith(".") or scope.excluded(rel):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), rel))
                    continue
                if not entry.is_file() or answered_by_server(rel):  # dangling symlink, socket, ...; /healthz
                    continue
                if entry.is_symlink() and not _linked(root, rel, scope, links):
                    continue
            except OSError:
                continue
            path = Path(entry.path)
            if kind_for(path) is None:
                continue
            st = _stat(path)
            if st:
                found[rel] = st
    return found


def _through_folder_link(root: Path, rel: str) -> bool:
    """Whether ``rel`` is, or lies in, a symlinked folder: the walk never enters one."""
    path = root
    for part in rel.split("/"):
        path = path / part
        if path.is_symlink() and path.is_dir():
            return True
    return False


def _linked(root: Path, rel: str, scope: Scope, links: dict[str, str] | None) -> bool:
    """Whether the file server would serve the symlinked file ``rel`` (what it points to
    checked as a URL path, and not one of siteseer's own files: a link to the config
    file had its password hash in snippets); if so, and ``links`` is given, noted
    there with its target."""
    real = resolve_real(str(root), "/" + rel, False)
    if real is None or real in scope.private:
        return False
    if links is not None:
        links[rel] = os.path.relpath(real, real_root(str(root))).replace(os.sep, "/")
    return True


def _stat(path: Path) -> FileStat | None:
    try:
        st = path.stat()
    except OSError:
        return None
    # Year 10000 on tmpfs: the catalog and the index hold the nearest date they can.
    return FileStat(st.st_size, clamped_mtime_ns(st.st_mtime_ns), st.st_ino, clamped_mtime_ns(st.st_ctime_ns))
