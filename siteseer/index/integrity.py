"""Is the index on disk what tantivy wrote? Checked once, as the indexer opens it.

A segment file deleted, emptied or overwritten (a disk fault, a hand, a
restore that missed a file) made tantivy fail to open the index on every
retry, forever, or open it and fail every search that read the bad bytes
("Unsupported dictionary type"); the catalog, meanwhile, claimed its files
indexed. The index is derived data: the indexer builds it again instead.

tantivy ends every segment file with a footer holding a CRC-32 of the rest
(what ``Index::validate_checksum`` checks, which tantivy-py does not expose):
reading the segments that meta.json names checks every byte a search could
read, at about the speed of reading the files.
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
import zlib
from pathlib import Path

# The files of a segment with documents (tantivy's SegmentComponent, but for the
# temporary store a writer has while it writes, and the deletes, named by their opstamp).
SEGMENT_FILES = (".idx", ".pos", ".term", ".store", ".fast", ".fieldnorm")
# A footer is the JSON {"version": …, "crc": …}, its length and this number, both u32 little-endian.
FOOTER_MAGIC = 1337
_CHUNK = 1 << 20


def index_damage(path: str | Path) -> str | None:
    """Why the index at ``path`` is not what tantivy wrote, or None when it is.

    Only the files meta.json names are read: a writer killed mid-commit leaves
    files of a segment no meta.json names yet, which are not damage. A file
    that cannot be read for want of permission is not damage either (rebuilding
    would fail the same way): that ``PermissionError`` is raised.
    """
    path = Path(path)
    try:
        names = segment_files(json.loads((path / "meta.json").read_bytes()))
    except PermissionError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"meta.json cannot be read: {type(exc).__name__}: {exc}"
    for name in names:
        try:
            problem = file_damage(path / name)
        except PermissionError:
            raise
        except FileNotFoundError:
            problem = "missing"
        except OSError as exc:  # a bad sector: the file cannot be read as written
            problem = f"cannot be read: {exc}"
        if problem is not None:
            return f"{name} {problem}"
    return None


def segment_files(meta: dict) -> list[str]:
    """The names of the files of the segments ``meta`` (meta.json) lists."""
    names: list[str] = []
    for segment in meta["segments"]:
        if not segment["max_doc"]:  # tantivy writes no files for an empty segment
            continue
        stem = segment["segment_id"].replace("-", "")
        names += [stem + suffix for suffix in SEGMENT_FILES]
        if segment.get("deletes"):
            names.append(f"{stem}.{segment['deletes']['opstamp']}.del")
    return names


def file_damage(path: Path) -> str | None:
    """What is wrong with one segment file's footer or checksum, or None."""
    with open(path, "rb", buffering=0) as f:
        size = f.seek(0, 2)
        if size < 8:
            return f"is truncated ({size} bytes)"
        f.seek(size - 8)
        length, magic = struct.unpack("<II", f.read(8))
        if magic != FOOTER_MAGIC or length > size - 8:
            return "has no footer (truncated or overwritten)"
        body = size - 8 - length
        f.seek(body)
        try:
            expected = json.loads(f.read(length))["crc"]
        except (ValueError, KeyError, TypeError):
            return "has a damaged footer"
        f.seek(0)
        crc, left = 0, body
        buffer = bytearray(_CHUNK)
        view = memoryview(buffer)
        while left:
            n = f.readinto(view[:min(_CHUNK, left)])
            if not n:
                return "is shorter than its footer says"
            crc = zlib.crc32(view[:n], crc)
            left -= n
        if crc != expected:
            return "does not match its checksum (its bytes were changed)"
    return None


def writer_lock_held(path: str | Path) -> bool:
    """True while a writer (of any process) holds the index's lock: tantivy's is an flock."""
    try:
        fd = os.open(Path(path) / ".tantivy-writer.lock", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # and with it the lock, if taken
    return False
