"""Files named like a missing one, in the folder its URL names: the 404 page's "did you mean".

A mistyped file name (``git-stsh.html``) shares its folder with the file
meant (``git-stash.html``), as Apache's mod_speling assumes; the search for
the path's words found pages about "ssh". Only names the file server would
serve are offered: no dotfiles, nothing of siteseer's own, nothing through a
link that leaves the folder, no name a request cannot spell (not UTF-8, a newline).
"""

from __future__ import annotations

import difflib
import os
import stat
from urllib.parse import quote

from siteseer.files.resolve import PrivatePaths, answered_by_server, lookup, reachable_name, real_root, url_segments

MAX_ENTRIES = 5000  # a bigger folder is not read for a 404
CUTOFF = 0.8  # difflib's ratio: "git-stsh.html" / "git-stash.html" is 0.96, "notes.txt" / "nodes.txt" 0.89


def near_files(root: str, url_path: str, private: PrivatePaths | None = None, most: int = 3) -> list[str]:
    """URL paths of up to ``most`` files in ``url_path``'s folder whose names are close to its last segment."""
    segments = url_segments(url_path, False)
    if not segments:
        return []
    *folder, name = segments
    root_real = real_root(root)
    found = lookup(root_real, folder, False)
    if found is None or not stat.S_ISDIR(found[1].st_mode):
        return []
    names = []
    try:
        with os.scandir(found[0]) as entries:
            for i, entry in enumerate(entries):
                if i >= MAX_ENTRIES:
                    return []
                # The exact name too when the URL ended in "/": "/notes.txt/" meant the file.
                if (not entry.name.startswith(".") and reachable_name(entry.name)
                        and (entry.name != name or url_path.endswith("/"))):
                    names.append(entry.name)
    except OSError:
        return []
    out = []
    for close in difflib.get_close_matches(name, names, n=most * 2, cutoff=CUTOFF):
        real = lookup(root_real, [*folder, close], False)  # as the file server would: links checked
        if real is None or not stat.S_ISREG(real[1].st_mode) or (private is not None and real[0] in private):
            continue
        if answered_by_server("/".join([*folder, close])):  # /healthz as a file: the core answers it
            continue
        out.append(quote("/" + "/".join([*folder, close]), safe="/"))
        if len(out) >= most:
            break
    return out
