"""Accents and letter forms outside Latin script, which tantivy's ASCII folding leaves alone.

Greek: "Οδός" found nothing in a text saying "ΟΔΟΣ" (the tonos stayed, and
lowercasing makes every Σ a σ, never the final ς); '"η αθηνα ειναι"' found
nothing where '"Η Αθήνα είναι"' found the page. Russian: "елка еж" found nothing
where "ёлка ёж" found the page (ё is mostly written е; search engines read both as one).
Japanese: half-width katakana ("ｲﾝｽﾄｰﾙ", old terminals and forms) and full-width
("インストール") are one script in two widths, and found each other not.
"""

from pathlib import Path

import pytest
from sx_fixtures import indexed_service, paths

from siteseer.index.textforms import analyzers, cjk_bigrams, index_form

# Far enough into a text that the snippet must be aimed there (snippets.WINDOW is 700).
FAR = "Κείμενο χωρίς σημασία για να γεμίσει τη σελίδα. " * 40


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("scripts")
    (root / "el").mkdir()
    (root / "el" / "tonos.txt").write_text(
        "Πόλεις\n\nΗ Αθήνα είναι η πρωτεύουσα της Ελλάδας. Η οδός Ερμού είναι γνωστή.\n", encoding="utf-8")
    (root / "el" / "capitals.txt").write_text(
        "ΧΑΡΤΗΣ\n\nΟΔΟΣ ΣΤΑΔΙΟΥ ΚΑΙ ΠΑΝΕΠΙΣΤΗΜΙΟΥ. Η ΘΕΣΣΑΛΟΝΙΚΗ ΕΙΝΑΙ ΜΕΓΑΛΗ ΠΟΛΗ.\n", encoding="utf-8")
    (root / "el" / "far.txt").write_text(f"Μακρύ\n\n{FAR}Το λιμάνι του Πειραιώς είναι εδώ.\n", encoding="utf-8")
    (root / "ru").mkdir()
    (root / "ru" / "yo.txt").write_text("Лес\n\nВ лесу стоит ёлка, под ней спит ёж. Ёжик тоже спит.\n", encoding="utf-8")
    (root / "ru" / "ye.txt").write_text("Кошка\n\nУ нас черный котенок и желтый мед.\n", encoding="utf-8")
    (root / "ja").mkdir()
    (root / "ja" / "half.txt").write_text("ﾒﾓ\n\nｿﾌﾄｳｪｱをｲﾝｽﾄｰﾙする。ｶﾀｶﾅのﾃﾞｰﾀです。\n", encoding="utf-8")
    (root / "ja" / "full.txt").write_text("手順\n\nソフトウェアをインストールする手順。\n", encoding="utf-8")
    return indexed_service(root)


def marked(hit: dict) -> list[str]:
    """The snippet's marked words, as written."""
    text = hit["snippet"]["text"]
    return [text[start:end] for start, end in hit["snippet"]["highlights"]]


# -- Greek ---------------------------------------------------------------------
@pytest.mark.parametrize("q", ["Οδός", "οδος", "ΟΔΟΣ", "οδοσ", "ΟΔΌΣ"])
def test_greek_accents_and_final_sigma_do_not_matter(service, q):
    assert sorted(paths(service.search(q))) == ["el/capitals.txt", "el/tonos.txt"]


@pytest.mark.parametrize("q", ["αθηνα", "ΑΘΗΝΑ", "Αθήνα"])
def test_greek_word_without_accents_finds_it_with_them(service, q):
    assert paths(service.search(q)) == ["el/tonos.txt"]


@pytest.mark.parametrize("q", ["Θεσσαλονίκη", "θεσσαλονικη"])
def test_greek_word_with_accents_finds_it_in_capitals_without(service, q):
    assert paths(service.search(q)) == ["el/capitals.txt"]


@pytest.mark.parametrize("q", ['"η αθηνα ειναι"', '"Η Αθήνα είναι"', '"Η ΑΘΗΝΑ ΕΙΝΑΙ"'])
def test_greek_phrase_in_any_form(service, q):
    hit, = service.search(q)["hits"]
    assert hit["path"] == "el/tonos.txt"
    assert marked(hit) == ["Η Αθήνα είναι"]


def test_greek_phrase_with_accents_finds_capitals(service):
    assert paths(service.search('"θεσσαλονίκη είναι"')) == ["el/capitals.txt"]


@pytest.mark.parametrize("q", ["αθη", "Αθή", "ΑΘΗ"])
def test_greek_prefix_in_any_form(service, q):
    assert paths(service.search(q)) == ["el/tonos.txt"]


@pytest.mark.parametrize("q, word", [("αθηνα", "Αθήνα"), ("Οδός", "οδός"), ("πειραιως", "Πειραιώς")])
def test_greek_match_is_marked_as_written(service, q, word):
    hit = next(h for h in service.search(q)["hits"] if h["path"] != "el/capitals.txt")
    assert marked(hit) == [word]


def test_greek_capitals_marked_for_accented_query(service):
    hit, = service.search("θεσσαλονίκη")["hits"]
    assert marked(hit) == ["ΘΕΣΣΑΛΟΝΙΚΗ"]


def test_greek_completions_and_did_you_mean(service):
    assert service.suggest("Αθή") == ["Αθήνα"]  # the letters as typed, the rest folded
    assert service.suggest("η οδ") == ["η οδος"]  # a last σ shown as Greek writes it
    assert service.search("οδόςς")["corrected"] == "οδος"  # searched respelled, and says so
    assert service.search("αθηναα")["corrected"] == "αθηνα"


# -- Russian ё -------------------------------------------------------------------
@pytest.mark.parametrize("q", ["елка еж", "ёлка ёж", "ЕЛКА", "Ёжик", "ежик"])
def test_russian_yo_is_ye_for_a_search(service, q):
    assert paths(service.search(q)) == ["ru/yo.txt"]


@pytest.mark.parametrize("q", ["чёрный", "черный", "жёлтый"])
def test_russian_ye_is_found_by_yo(service, q):
    assert paths(service.search(q)) == ["ru/ye.txt"]


@pytest.mark.parametrize("q", ['"под ней спит еж"', "елк", "ёлк"])
def test_russian_yo_phrase_and_prefix(service, q):
    assert paths(service.search(q)) == ["ru/yo.txt"]


@pytest.mark.parametrize("q, words", [("елка", ["ёлка"]), ('"спит еж"', ["спит ёж"]), ("ЧЁРНЫЙ", ["черный"])])
def test_russian_match_is_marked_as_written(service, q, words):
    assert marked(service.search(q)["hits"][0]) == words


def test_russian_completions_and_did_you_mean(service):
    assert service.suggest("ёл") == ["ёлка"]  # the letters as typed, the rest folded
    assert service.suggest("ел") == ["елка"]
    assert service.search("ёлкаа")["corrected"] == "елка"


# -- half-width katakana ---------------------------------------------------------
@pytest.mark.parametrize("q", ["ｲﾝｽﾄｰﾙ", "インストール", '"ｲﾝｽﾄｰﾙする"', '"インストールする"', "ｿﾌﾄｳｪｱ"])
def test_katakana_in_either_width_finds_both(service, q):
    assert sorted(paths(service.search(q))) == ["ja/full.txt", "ja/half.txt"]


@pytest.mark.parametrize("q", ["カタカナ", "ｶﾀｶﾅ", "データ", "ﾃﾞｰﾀ", "カ", "ｶ", "メモ"])
def test_full_width_katakana_finds_half_width(service, q):
    assert paths(service.search(q)) == ["ja/half.txt"]


@pytest.mark.parametrize("q, path, words", [
    ("インストール", "ja/half.txt", ["ｲﾝｽﾄｰﾙ"]),
    ("ｲﾝｽﾄｰﾙ", "ja/full.txt", ["インストール"]),
    ("データ", "ja/half.txt", ["ﾃﾞｰﾀ"]),  # デ is two half-width characters: ﾃ and its voicing mark
    ("ｶﾀｶﾅ ﾃﾞｰﾀ", "ja/half.txt", ["ｶﾀｶﾅ", "ﾃﾞｰﾀ"]),
])
def test_katakana_marked_as_written(service, q, path, words):
    hit = next(h for h in service.search(q)["hits"] if h["path"] == path)
    assert marked(hit) == words


def test_half_width_katakana_is_indexed_full_width():
    assert cjk_bigrams("ｶﾞｲﾄﾞ") == cjk_bigrams("ガイド") == "ガイ イド ド"


def test_fold_keeps_every_offset():
    text = "ΟΔΌΣ Οδός ΐ ΰ Ϊ Ёлка ёж"
    form = index_form(text)
    assert len(form) == len(text) and len(form.encode()) == len(text.encode())
    assert analyzers()["words"].analyze(form) == ["οδοσ", "οδοσ", "ι", "υ", "ι", "елка", "еж"]
    assert index_form(form) == form


# -- Thai (and Lao, Myanmar, Khmer): no spaces between words -------------------------
def test_a_thai_word_inside_a_sentence_is_found(tmp_path):
    """"ประเทศไทย" and "เมืองหลวง" in one run of Thai were one token: found only from its start."""
    from sx_fixtures import indexed_service

    (tmp_path / "th.txt").write_text("ไทย\n\nสวัสดีครับกรุงเทพมหานครเป็นเมืองหลวงของประเทศไทยและมีประชากรมาก\n")
    (tmp_path / "en.txt").write_text("English\n\nNothing Thai here.\n")
    service = indexed_service(tmp_path)
    for q in ("ประเทศไทย", "เมืองหลวง", "สวัสดี", "สวัสดี "):
        result = service.search(q)
        assert paths(result) == ["th.txt"], q
    hit = service.search("เมืองหลวง")["hits"][0]
    assert marked(hit) == ["เมืองหลวง"]
