"""Extractors: turn one file into search units (see docs/ARCHITECTURE.md, "Extractors").

Public API::

    kind_for(path) -> str | None
    extract(path, rel, max_unit_chars=30000, max_file_bytes=50 << 20) -> Extracted
    Extracted(kind, title, units), Unit(title, text, headings, anchor, page, t, link_path)
    ExtractError(reason)
"""

from .base import EXTRACTOR_VERSIONS, KINDS, Extracted, ExtractError, Unit
from .dispatch import extract, kind_for

__all__ = ["EXTRACTOR_VERSIONS", "KINDS", "Extracted", "ExtractError", "Unit", "extract", "kind_for"]
