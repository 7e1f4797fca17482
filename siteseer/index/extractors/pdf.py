"""PDF → one unit per page, linked as ``file.pdf#page=N``.

pdfium is not thread-safe: this runs in one process, sequentially, and every
page, text page and document is closed explicitly so a long-running worker
does not accumulate native memory until the garbage collector runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .base import Extracted, ExtractError, Unit
from .textutil import clean_nfkc, make_units, one_line

_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "encrypted PDF (needs a password)",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted PDF (unsupported security handler)",
    pdfium_c.FPDF_ERR_FORMAT: "corrupt PDF (damaged or not a PDF)",
}
# Metadata titles that say nothing: a file name, "untitled", a Word export label.
_USELESS_TITLE = re.compile(r"^(untitled|\S+\.(dvi|pdf|docx?|tex|ps|indd|qxd))$|^microsoft (word|powerpoint) - ", re.I)
_MAX_TITLE = 200


def extract_pdf(path: Path, name: str, max_chars: int) -> Extracted:
    """Extract one unit per non-empty page; raise ExtractError for unreadable PDFs."""
    doc = _open(path)
    try:
        pages = _page_texts(doc)
        meta_title = _meta_title(doc)
    finally:
        doc.close()
    if not pages:  # reported, not indexed as nothing: the owner can OCR it
        raise ExtractError("no text layer (scanned or image-only PDF)")
    title = meta_title or _first_line(pages) or name
    units: list[Unit] = []
    for number, text in pages:
        units += make_units(f"{title} — page {number}", text, max_chars, page=number)
    return Extracted("pdf", title, units)


def _open(path: Path) -> pdfium.PdfDocument:
    """The document, or ExtractError with the reason pdfium gives for refusing it.

    pdfium's last-error code is process-wide and not reset by a success, and a
    document without pages is refused without setting it: the code left by an
    earlier file (an encrypted one, say) would be its reason. Opening an empty
    path first leaves FPDF_ERR_FILE, which a file we can open cannot produce.
    """
    with open(path, "rb"):  # unreadable: an OSError, reported with its own reason
        pass
    pdfium_c.FPDF_LoadDocument(b"\x00", None)
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as err:
        if err.err_code in (pdfium_c.FPDF_ERR_FILE, pdfium_c.FPDF_ERR_SUCCESS):
            raise ExtractError("corrupt PDF (no pages)") from None
        raise ExtractError(_LOAD_ERRORS.get(err.err_code, f"corrupt PDF ({err})")) from None


def _page_texts(doc: pdfium.PdfDocument) -> list[tuple[int, str]]:
    """(page number, cleaned text) for each page with text; image-only pages are skipped."""
    count = len(doc)
    if count == 0:
        raise ExtractError("corrupt PDF (no pages)")
    texts: list[tuple[int, str]] = []
    failed = 0
    for index in range(count):
        try:
            page = doc[index]
        except pdfium.PdfiumError:
            failed += 1  # one broken page should not lose the rest of the document
            continue
        try:
            textpage = page.get_textpage()
            try:
                raw = textpage.get_text_range()
            finally:
                textpage.close()
        except pdfium.PdfiumError:
            failed += 1
            continue
        finally:
            page.close()
        text = clean_nfkc(raw)
        if text:
            texts.append((index + 1, text))
    if failed == count:
        raise ExtractError("corrupt PDF (no page could be read)")
    return texts


def _meta_title(doc: pdfium.PdfDocument) -> str:
    try:
        title = one_line(clean_nfkc(doc.get_metadata_value("Title")))
    except (pdfium.PdfiumError, KeyError, ValueError):
        return ""
    if not title or _USELESS_TITLE.search(title):
        return ""
    return title[:_MAX_TITLE]


def _first_line(pages: list[tuple[int, str]]) -> str:
    """The first line of page 1, when it is short enough to be a title."""
    if not pages or pages[0][0] != 1:
        return ""
    line = pages[0][1].split("\n", 1)[0].strip()
    return line if 0 < len(line) <= _MAX_TITLE else ""
