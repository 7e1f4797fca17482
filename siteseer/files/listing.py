"""The directory listing page: a small, plain, escaped HTML table.

File names are data from the disk, not trusted markup: every name is
HTML-escaped for the text and percent-encoded for the link, so a file called
``<script>.html`` or ``a"b.txt`` is shown, not executed. Dotfiles and
dot-folders are left out unless the config serves them, matching what
``resolve_path`` would let through anyway. Entries whose ``stat`` fails
(broken symlinks, races with deletion) are skipped rather than failing the page,
and so are symlinks that ``resolve_real`` refuses (``link -> /etc/passwd``): the
file server answers 404 for them, and listing one would show the outside file's
size and date.
"""

from __future__ import annotations

import heapq
import html
import os
import stat
import time
from urllib.parse import quote

from siteseer.files.resolve import reachable_name, resolve_real

__all__ = ["MAX_ENTRIES", "list_directory", "render_listing"]

# A folder with more entries is cut off: the page stays small and fast.
MAX_ENTRIES = 5000
# The most names read to choose them: a folder of millions costs a bounded time
# and MAX_ENTRIES entries of memory per listing, not a copy of the folder.
MAX_READ = 100_000

_STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:.2rem .6rem;border-bottom:1px solid #eee}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "a{color:#0645ad;text-decoration:none}a:hover{text-decoration:underline}"
)


def list_directory(
    folder: str, show_dotfiles: bool = False, hidden: frozenset[str] = frozenset(), root: str | None = None
) -> tuple[list[tuple[str, bool, int, float]], bool]:
    """``([(name, is_dir, size, mtime)], truncated)``, folders first, then by name.

    ``hidden`` holds full paths never shown (siteseer's own state and config).
    ``root`` is the served folder (``folder`` lies in it); symlinks must resolve
    inside it. Without it, inside ``folder``: stricter, never more than is served.
    A folder of more than ``MAX_ENTRIES`` shows its first ones in that order
    (chosen before the sizes and dates are read: only the shown are stat-ed),
    of the first ``MAX_READ`` names the folder gives.
    """
    root = root or folder
    url = _url_path(root, folder)
    more = False

    def shown_names():
        nonlocal more
        with os.scandir(folder) as it:
            for read, entry in enumerate(it):
                if read == MAX_READ:
                    more = True
                    return
                name = entry.name
                if name.startswith(".") and not show_dotfiles:
                    continue
                if not reachable_name(name) or entry.path in hidden:
                    continue  # unreachable through the file server: do not advertise it
                if entry.is_symlink():
                    real = resolve_real(root, url + name, show_dotfiles)
                    if real is None or real in hidden:
                        continue  # outside the folder (or hidden): the file server refuses it too
                try:
                    is_dir = entry.is_dir()  # the type the folder read gave; follows symlinks, like the file server
                except OSError:
                    continue
                yield (not is_dir, name.lower(), name), entry

    # The first MAX_ENTRIES in the page's order, held MAX_ENTRIES at a time.
    first = heapq.nsmallest(MAX_ENTRIES + 1, shown_names(), key=lambda item: item[0])
    if len(first) > MAX_ENTRIES:
        more = True
        first.pop()
    entries: list[tuple[str, bool, int, float]] = []
    for (_, _, name), entry in first:
        try:
            info = entry.stat()
        except OSError:
            continue  # broken symlink, or removed meanwhile
        is_dir = stat.S_ISDIR(info.st_mode)
        if not is_dir and not stat.S_ISREG(info.st_mode):
            continue  # sockets, fifos, devices are never served
        entries.append((name, is_dir, info.st_size, info.st_mtime))
    return entries, more


def _url_path(root: str, folder: str) -> str:
    """The URL path of ``folder`` under ``root``, ending with "/" (what ``resolve_real`` checks)."""
    rel = os.path.relpath(folder, root)
    return "/" if rel == "." else "/" + rel.replace(os.sep, "/") + "/"


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        size_f = size / 1024
        if size_f < 1024 or unit == "TiB":
            return f"{size_f:.1f} {unit}"
        size = int(size_f)
    return f"{size} B"  # pragma: no cover


def render_listing(url_path: str, entries: list[tuple[str, bool, int, float]], truncated: bool = False) -> str:
    """The HTML page for the folder at ``url_path`` (which ends with ``/``)."""
    title = html.escape(f"Index of {url_path}")
    rows = []
    if url_path != "/":
        rows.append('<tr><td><a href="../">../</a></td><td class="n">-</td><td class="n">-</td></tr>')
    for name, is_dir, size, mtime in entries:
        href = quote(name, safe="") + ("/" if is_dir else "")
        label = html.escape(name) + ("/" if is_dir else "")
        size_text = "-" if is_dir else _human_size(size)
        modified = time.strftime("%Y-%m-%d %H:%M", time.gmtime(mtime))
        rows.append(
            f'<tr><td><a href="{html.escape(href)}">{label}</a></td>'
            f'<td class="n">{size_text}</td><td class="n">{modified}</td></tr>'
        )
    note = f"<p>Only the first {len(entries)} entries are shown.</p>" if truncated else ""
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head>\n<body><h1>{title}</h1>\n"
        '<table><thead><tr><th>Name</th><th class="n">Size</th><th class="n">Modified (UTC)</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + f"\n</tbody></table>{note}</body></html>\n"
    )
