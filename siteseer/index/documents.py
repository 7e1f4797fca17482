"""From a file on disk to index documents (one per extracted unit).

``extract_batch`` runs in the extraction processes: it hashes, extracts and
does every bit of pure-Python preparation (URLs, CJK bigrams, common-word
grams), so the single writer process only wraps ready fields into tantivy
documents.
"""

from __future__ import annotations

import hashlib
import posixpath
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

import tantivy

from .languages import language_id
from .schema import ORIG_FIELDS, file_key, kind_id
from .textforms import cjk_bigrams, common_grams, index_form, nfc

ExtractFn = Callable[..., Any]


@dataclass(slots=True)
class FileResult:
    """What an extraction process reports for one file."""

    rel: str
    status: str  # ok | same | skipped | error
    hash: str | None = None
    kind: str | None = None
    reason: str | None = None
    units: list[dict[str, Any]] = field(default_factory=list)


def file_hash(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def unit_url(rel: str, unit: Any) -> str:
    target = getattr(unit, "link_path", None) or rel
    url = "/" + quote(target)
    if getattr(unit, "page", None) is not None:
        return f"{url}#page={unit.page}"
    if getattr(unit, "t", None) is not None:
        return f"{url}#t={round(float(unit.t), 3):g}"
    if getattr(unit, "anchor", None):
        return f"{url}#{quote(unit.anchor, safe='-._~!$&()*+,;=:@/?')}"
    return url


# A section's page title, at most: Sphinx's titles end in the site's name ("pathlib — ... — Python 3.11 documentation").
MAX_PAGE_TITLE_CHARS = 300


def page_title_of(unit_title: str, doc_title: str) -> str:
    """The title of the page a unit is a part of, when the unit's own title does not say it.

    A section of a long page is titled by its heading alone ("NAME", "Parameters");
    PDF pages and subtitle windows already carry their document's title ("<doc> — page 3").
    """
    doc_title = (doc_title or "").strip()
    if not doc_title or doc_title in unit_title:
        return ""
    return doc_title[:MAX_PAGE_TITLE_CHARS]


def unit_fields(rel: str, index: int, kind: str, doc_title: str, unit: Any, max_chars: int) -> dict[str, Any]:
    doc_title = nfc(doc_title or "")
    title = nfc((getattr(unit, "title", None) or doc_title or posixpath.basename(rel))[:1000])
    page_title = page_title_of(title, doc_title)
    headings = nfc((getattr(unit, "headings", None) or "")[:4000])
    body = nfc((getattr(unit, "text", None) or "")[:max_chars])
    place = nfc(posixpath.splitext(rel)[0])  # its words: "html/postgresql-doc-15/tutorial-window"
    fields: dict[str, Any] = {
        "id": f"{rel}#{index}",
        "path": rel,
        "url": unit_url(rel, unit),
        "type": kind,
        "title": title,
        "headings": headings,
        "body": body,
        "cjk": cjk_bigrams(f"{page_title}\n{place}\n{headings}\n{body}"),
        "cjk_title": cjk_bigrams(title),
        "lang": language_id(rel),
    }
    # Words a unit is found by, never shown: its page's title ("git stash" finds
    # git-stash(1)'s "NAME") and its path ("postgresql window functions" finds
    # postgresql-doc-15/tutorial-window.html, whose text never says PostgreSQL).
    # Each is a value of ``headings`` of its own, so no phrase runs from one into another.
    fields["context"] = [index_form(v) for v in (page_title, place) if v]
    if page_title:
        fields["page_title"] = page_title
    for name in ORIG_FIELDS:  # index the words in their index form, keep the text as written
        indexed = index_form(fields[name])
        if indexed != fields[name]:
            fields[f"{name}_orig"] = fields[name]
            fields[name] = indexed
    fields["grams"] = unit_grams(fields)
    for name in ("page", "t", "anchor"):
        value = getattr(unit, name, None)
        if value is not None and value != "":
            fields[name] = value
    cues = getattr(unit, "cues", None)
    if cues and len(cues) > 1:  # one cue: its window's start is its moment
        fields["cues"] = pack_cues(cues, len(body))
    return fields


_CUE = struct.Struct("<Id")  # offset in body, start in seconds


def pack_cues(cues: list[tuple[int, float]], body_chars: int) -> bytes:
    """A subtitle window's cues as stored: those that start within its (possibly cut) body."""
    return b"".join(_CUE.pack(offset, start) for offset, start in cues if 0 <= offset < body_chars)


def unpack_cues(data: bytes) -> list[tuple[int, float]]:
    return list(_CUE.iter_unpack(data)) if len(data) % _CUE.size == 0 else []


# Kinds indexed by name only: their content is never read, so never hashed.
NAME_ONLY_KINDS = frozenset({"video"})


def extract_one(extract: ExtractFn, root: str, rel: str, old_hash: str | None, max_unit_chars: int,
                max_file_bytes: int, name_only: bool = False) -> FileResult:
    path = Path(root) / rel
    digest = None
    if not name_only:
        try:
            size = path.stat().st_size
            if size > max_file_bytes:
                return FileResult(rel, "skipped", reason=f"larger than {max_file_bytes >> 20} MB")
            digest = file_hash(path)
        except OSError as exc:
            return FileResult(rel, "error", reason=f"cannot be read: {exc.strerror or exc}")
        if old_hash is not None and digest == old_hash:
            return FileResult(rel, "same", hash=digest)
    try:
        extracted = extract(path, rel, max_unit_chars=max_unit_chars, max_file_bytes=max_file_bytes)
    except Exception as exc:  # ExtractError, or a bug in an extractor: record and go on
        if type(exc).__name__ == "ExtractError":
            status, reason = "skipped", getattr(exc, "reason", None) or str(exc) or "cannot be extracted"
        else:
            status, reason = "error", f"{type(exc).__name__}: {exc}"
        return FileResult(rel, status, hash=digest, reason=str(reason)[:500])
    kind = extracted.kind
    try:  # a bug in preparing one file's fields fails that file, not its whole batch
        units = [
            unit_fields(rel, i, kind, extracted.title, unit, max_unit_chars)
            for i, unit in enumerate(extracted.units)
        ]
    except Exception as exc:
        return FileResult(rel, "error", hash=digest, reason=f"{type(exc).__name__}: {exc}"[:500])
    return FileResult(rel, "ok", hash=digest, kind=kind, units=units)


def extract_batch(extract: ExtractFn, root: str, items: list[tuple[str, str | None, bool]], max_unit_chars: int,
                  max_file_bytes: int) -> list[FileResult]:
    """Runs in a pool process: a few files per task keeps IPC overhead low."""
    return [extract_one(extract, root, rel, h, max_unit_chars, max_file_bytes, name_only) for rel, h, name_only in items]


def body_values(fields: dict[str, Any]) -> list[str]:
    """The values of ``body``: its text first (``get_first("body")`` reads it), then every other word field's.

    A unit matches a word when ``body`` has it, so a search finds its units
    through one field: counting the matches per type (every search does)
    reads one posting list per word, not one per word field and word. Each is
    a value of its own, so no phrase runs from one into the next. The title
    and headings are still searched in their own fields, for their boosts.
    """
    return [fields["body"], *(v for v in (fields["title"], fields["headings"], *fields.get("context", ())) if v)]


def unit_grams(fields: dict[str, Any]) -> str:
    """The ``grams`` of every value of ``body``, each on its own (no gram joins two)."""
    return " ".join(filter(None, map(common_grams, body_values(fields))))


# The modification times the index holds: tantivy's dates are nanoseconds in an i64
# (1677-09-21 to 2262-04-11), as are the catalog's (SQLite's INTEGER); Python's datetimes
# count microseconds. tmpfs, XFS and btrfs take any year (``touch -d @253402300800``:
# year 10000), ext4 up to 2446.
MIN_MTIME_NS = -(2**63 // 1000) * 1000
MAX_MTIME_NS = (2**63 - 1) // 1000 * 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def clamped_mtime_ns(mtime_ns: int) -> int:
    """``mtime_ns`` within the range the index and the catalog hold: a date past it failed
    the whole sync (tantivy's ValueError, SQLite's OverflowError), on every retry."""
    return min(max(mtime_ns, MIN_MTIME_NS), MAX_MTIME_NS)


def file_date(mtime_ns: int) -> datetime:
    """A file's modification time as the ``mtime`` date field takes it (UTC, to the microsecond)."""
    return _EPOCH + timedelta(microseconds=clamped_mtime_ns(mtime_ns) // 1000)


def dir_facet(folder: str) -> tantivy.Facet:
    """The ``dir`` facet ``in:`` searches, composed (NFC) as queries are: macOS names a folder
    "cafe" and a combining accent, and ``in:café`` missed it. The path and URL stay as named:
    the file is served at its name on disk."""
    return tantivy.Facet.from_string("/" + nfc(folder))


def to_document(fields: dict[str, Any], size: int, mtime_ns: int) -> tantivy.Document:
    doc = tantivy.Document()
    for name in ("id", "path", "url", "type", "title", "headings"):
        doc.add_text(name, fields[name])
    for value in fields.get("context", ()):  # after the unit's own: get_first("headings") reads those
        doc.add_text("headings", value)
    for value in body_values(fields):
        doc.add_text("body", value)
    if fields["cjk"]:
        doc.add_text("cjk", fields["cjk"])
    if fields["cjk_title"]:
        doc.add_text("cjk_title", fields["cjk_title"])
    for name in ORIG_FIELDS:
        if f"{name}_orig" in fields:
            doc.add_bytes(f"{name}_orig", fields[f"{name}_orig"].encode("utf-8"))
    if fields.get("grams"):
        doc.add_text("grams", fields["grams"])
    if fields.get("page_title"):
        doc.add_bytes("page_title", fields["page_title"].encode("utf-8"))
    if fields.get("cues"):
        doc.add_bytes("cues", fields["cues"])
    doc.add_text("vocab", fields["title"])
    doc.add_text("vocab", fields["headings"])
    doc.add_text("vocab", fields["body"])
    parent = posixpath.dirname(fields["path"])
    if parent:
        doc.add_facet("dir", dir_facet(parent))
    doc.add_unsigned("size", size)
    doc.add_unsigned("lang", int(fields.get("lang", 0)))  # every unit: a missing value reads as None
    doc.add_unsigned("kind", kind_id(fields["type"]))
    doc.add_unsigned("file", file_key(fields["path"]))
    doc.add_date("mtime", file_date(mtime_ns))
    if "page" in fields:
        doc.add_unsigned("page", int(fields["page"]))
    if "t" in fields:
        doc.add_float("t", float(fields["t"]))
    if "anchor" in fields:
        doc.add_text("anchor", str(fields["anchor"]))
    return doc
