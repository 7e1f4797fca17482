"""Text in a legacy encoding of a non-Latin script is read as written, not as cp1252.

A Shift_JIS note was indexed as "“ú–{Œê‚Ì..." and no search found it. The guess
(``decode.non_latin_guess``) is trusted only when it gives one non-Latin script,
so Western text keeps cp1252 (the detector alone reads "café" as UTF-16).
"""

import pytest

from siteseer.index.extractors import extract
from siteseer.index.extractors.decode import decode, non_latin_guess

NON_LATIN = [
    ("灯台守の記録。東京都港区の灯台は百年前に建てられました。", "shift_jis"),
    ("灯台守の記録。東京都港区の灯台は百年前に建てられました。", "euc_jp"),
    ("这是灯塔看守人的日志。灯塔建于一百年前。", "gbk"),
    ("這是燈塔看守人的日誌。燈塔建於一百年前。", "big5"),
    ("이것은 등대지기의 기록입니다. 등대는 백 년 전에 지어졌습니다.", "euc_kr"),
    ("Журнал смотрителя маяка. Маяк построен сто лет назад.", "cp1251"),
    ("Το ημερολόγιο του φαροφύλακα. Ο φάρος χτίστηκε πριν από εκατό χρόνια.", "cp1253"),
]
WESTERN = ["café", "Le café du phare était fermé à cause de la tempête. Noël à Saint-Malo.",
           "Die Straße zum Leuchtturm ist für Fußgänger gesperrt. Größe: 12 m².",
           "He said \u201chello\u201d \u2014 and left\u2026 It cost 5\u20ac.",
           "naïve résumé façade crème brûlée jalapeño piñata über Ångström"]


@pytest.mark.parametrize("text, encoding", NON_LATIN)
def test_non_latin_legacy_text_is_read_as_written(tmp_path, text, encoding):
    assert decode(text.encode(encoding)) == text
    path = tmp_path / "log.txt"
    path.write_bytes(f"Log\n\n{text}\n".encode(encoding))
    assert text in extract(path, "log.txt").units[0].text


@pytest.mark.parametrize("text", WESTERN)
def test_western_legacy_text_stays_cp1252(text):
    assert decode(text.encode("cp1252")) == text
    assert non_latin_guess(text.encode("cp1252")) is None


def test_utf8_and_a_true_declaration_are_not_guessed_over():
    text = NON_LATIN[0][0]
    assert decode(text.encode("utf-8")) == text
    assert decode(text.encode("shift_jis"), "shift_jis") == text
    # A wrong declaration is not believed when the bytes do not decode that way either.
    assert decode("Журнал смотрителя маяка.".encode("cp1251"), "utf-8") == "Журнал смотрителя маяка."


@pytest.mark.parametrize("text", [
    "<html><body><h1>R\xe9sum\xe9</h1><p>My work history and skills.</p></body></html>",  # was Johab: "R乶um別/h1>"
    "Oven at 50\xb0C for baking\n",  # was Big5: "50蚓"
    '<meta charset="x-bogus"><p>caf\xe9</p>',
])
def test_one_or_two_accents_are_not_read_as_an_asian_script(text):
    # One or two letters are "all of one script" whatever the guess; and a guess that
    # glued a "<" to the byte before would have broken the page's markup.
    assert decode(text.encode("cp1252")) == text


def test_a_page_whose_heading_was_glued_shut_keeps_its_text(tmp_path):
    page = tmp_path / "resume.html"
    page.write_bytes("<html><body><h1>R\xe9sum\xe9</h1><p>My work history and skills.</p></body></html>".encode("cp1252"))
    extracted = extract(page, "resume.html")
    assert extracted.title == "R\xe9sum\xe9"
    assert [(u.title, u.text) for u in extracted.units] == [("R\xe9sum\xe9", "My work history and skills.")]


@pytest.mark.parametrize("text", WESTERN[1:] + [NON_LATIN[0][0], NON_LATIN[5][0]])
@pytest.mark.parametrize("stray", [b"\x92", b"\xa0", b"\xe2\x80"])  # a cp1252 quote, a Latin-1 space, a cut "’"
def test_utf8_with_a_stray_byte_stays_utf8(text, stray):
    """One invalid byte made a whole UTF-8 file cp1252 ("cafÃ©", "Ã‰lÃ¨ve"), found by no search."""
    data = (text * 3).encode("utf-8") + stray + b" end"
    decoded = decode(data, "utf-8" if stray == b"\x92" else None)
    assert decoded.startswith(text * 3) and decoded.endswith("\ufffd end")


def test_a_short_utf8_note_with_a_stray_byte_stays_utf8():
    assert decode("café crème ".encode() + b"\xff fin") == "café crème \ufffd fin"  # was "cafÃ© crÃ¨me ÿ fin"
    assert decode("Résumé".encode("cp1252")) == "Résumé"  # two accents, no valid sequence: still cp1252


@pytest.mark.parametrize("text", WESTERN)
def test_legacy_text_with_one_utf8_looking_pair_stays_cp1252(text):
    """"Ã©" is valid UTF-8 (é): a cp1252 text with one such pair among its accents is still cp1252."""
    data = text.encode("cp1252") + " SchÃ©ma".encode("cp1252")
    assert decode(data) == text + " SchÃ©ma"
