"""PDF extraction with pdfium: pages, titles, encrypted and corrupt files."""

from pathlib import Path

import pytest
from fpdf import FPDF

from siteseer.index.extractors import ExtractError, extract

WORDS = ["aardvark", "butterfly", "crocodile"]


def make_pdf(path: Path, pages: list[str], title: str | None = None, **encryption) -> Path:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    if title:
        pdf.set_title(title)
    if encryption:
        pdf.set_encryption(**encryption)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def test_one_unit_per_page(tmp_path):
    path = make_pdf(tmp_path / "zoo.pdf", [f"Page about the {w}.\r\nSecond   line\there." for w in WORDS], title="Zoo Guide")
    result = extract(path, "docs/zoo.pdf")
    assert result.kind == "pdf"
    assert result.title == "Zoo Guide"
    assert [u.page for u in result.units] == [1, 2, 3]
    for unit, word in zip(result.units, WORDS):
        assert word in unit.text
        assert all(other not in unit.text for other in WORDS if other != word)
        assert unit.title == f"Zoo Guide — page {unit.page}"
        assert "\r" not in unit.text and "  " not in unit.text and "\t" not in unit.text


def test_title_from_first_line_and_empty_pages_skipped(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", ["Annual Report\nBody of page one", "", "Third page text"])
    result = extract(path, "r.pdf")
    assert result.title == "Annual Report"
    assert [u.page for u in result.units] == [1, 3]


def test_encrypted_pdf_needs_password(tmp_path):
    path = make_pdf(tmp_path / "secret.pdf", ["hidden"], owner_password="own", user_password="usr")
    with pytest.raises(ExtractError, match="encrypted PDF"):
        extract(path, "secret.pdf")


def test_owner_password_only_is_readable(tmp_path):
    # Permissions-only encryption: anyone may open it, so it is indexed.
    path = make_pdf(tmp_path / "perm.pdf", ["open sesame"], owner_password="own")
    assert "open sesame" in extract(path, "perm.pdf").units[0].text


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_pdf(tmp_path, keep):
    good = make_pdf(tmp_path / "good.pdf", ["some text"] * 3).read_bytes()
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(good[: int(len(good) * keep)])
    with pytest.raises(ExtractError, match="corrupt PDF"):
        extract(bad, "bad.pdf")


def test_not_a_pdf(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("<html>I am not a PDF</html>")
    with pytest.raises(ExtractError, match="corrupt PDF"):
        extract(path, "fake.pdf")


def test_long_page_split_keeps_page(tmp_path):
    text = " ".join(f"Sentence number {i} talks about llamas." for i in range(60))
    path = make_pdf(tmp_path / "long.pdf", [text, "short"])
    units = extract(path, "long.pdf", max_unit_chars=500).units
    assert len(units) >= 5
    assert all(len(u.text) <= 500 for u in units)
    assert {u.page for u in units[:-1]} == {1} and units[-1].page == 2


def test_a_hyphen_ending_a_line_inside_a_word_joins_it(tmp_path):
    """pdfium reports it as U+FFFE; made a space, "drawing" was "draw ing", found by no search."""
    path = make_pdf(tmp_path / "h.pdf", ["The keeper was draw-\ning the lamp; Papiergr\u00f6-\n\u00dfe."])
    text = extract(path, "h.pdf").units[0].text
    assert "drawing the lamp" in text and "\ufffe" not in text
