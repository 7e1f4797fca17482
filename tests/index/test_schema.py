"""Analyzers: folding, stemming, CJK separation and bigrams."""

from siteseer.index.textforms import analyzers, cjk_bigrams, query_bigrams, index_form


def test_word_analyzer_folds_stems_and_splits_off_cjk():
    words = analyzers()["words"]
    assert words.analyze("Café RUNNING naïve Straße") == ["cafe", "run", "naiv", "strass"]
    # The index blanks CJK before the word analyzer sees it (index_form).
    assert words.analyze(index_form("Debianパッケージ管理")) == ["debian"]
    assert index_form("Debianパッケージ") == "Debian" + "\u3000" * 5 and index_form("plain") == "plain"
    assert words.analyze("os.path x_y") == ["os", "path", "x", "y"]
    assert analyzers()["vocab"].analyze("Running Installation") == ["running", "installation"]


def test_cjk_bigrams_cover_each_run_and_its_last_character():
    assert cjk_bigrams("Debian パッケージ 管理") == "パッ ッケ ケー ージ ジ 管理 理"
    assert cjk_bigrams("no cjk here") == ""
    assert query_bigrams("パッケージ") == ["パッ", "ッケ", "ケー", "ージ"]
    assert query_bigrams("字") == ["字"]
