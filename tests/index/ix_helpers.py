"""A stand-in extractor and folder helpers for indexer tests.

The indexer takes its extract function as a dependency, so these tests pin
the indexer's own behaviour without depending on the real extractors.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from siteseer.config import Config, IndexConfig
from tests.conftest import wait_until  # noqa: F401  (re-exported for the index tests)


class ExtractError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Unit:
    title: str
    text: str
    headings: str = ""
    anchor: str | None = None
    page: int | None = None
    t: float | None = None
    link_path: str | None = None


@dataclass
class Extracted:
    kind: str
    title: str
    units: list[Unit] = field(default_factory=list)


KINDS = {".txt": "text", ".md": "markdown", ".html": "html"}


def kind_for(path: Path) -> str | None:
    return KINDS.get(path.suffix.lower())


def extract(path: Path, rel: str, max_unit_chars: int = 30000, max_file_bytes: int = 50 << 20) -> Extracted:
    """First line is the title; paragraphs (blank-line separated) are units.

    A file starting with BROKEN raises ExtractError; SLOW sleeps a little
    (only used to widen the crash test's window, never to wait for results);
    HANG never returns (an extractor stuck on a hostile file) and CRASH ends
    its process at once (a segfault in a C library).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ExtractError("not UTF-8 text") from None
    if text.startswith("BROKEN"):
        raise ExtractError("broken on purpose")
    if text.startswith("SLOW"):
        time.sleep(0.02)
    if text.startswith("HANG"):
        threading.Event().wait()
    if text.startswith("CRASH"):
        os._exit(70)
    title, _, rest = text.partition("\n")
    parts = [p.strip() for p in rest.split("\n\n") if p.strip()] or [""]
    units = [Unit(title=title.strip(), text=p[:max_unit_chars], anchor=f"p{i}" if len(parts) > 1 else None)
             for i, p in enumerate(parts)]
    return Extracted(KINDS[path.suffix.lower()], title.strip(), units)


def make_config(root: Path, **index: object) -> Config:
    config = Config()
    config.root = root.resolve()
    config.index = IndexConfig(workers=2, **index)
    return config


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def indexed_paths(config: Config) -> dict[str, int]:
    """{path: number of index documents} straight from the tantivy index."""
    import tantivy

    from siteseer.index.indexer import index_dir
    from siteseer.index.schema import open_index

    index = open_index(index_dir(config))
    index.reload()
    searcher = index.searcher()
    counts: dict[str, int] = {}
    if searcher.num_docs == 0:
        return counts
    for _, address in searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs).hits:
        path = searcher.doc(address).get_first("path")
        counts[path] = counts.get(path, 0) + 1
    return counts
