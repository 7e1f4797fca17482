"""Japanese and Chinese: bigram fields find words inside unspaced text."""

from sx_fixtures import paths


def test_japanese_word_inside_a_sentence(service):
    r = service.search("パッケージ")
    assert paths(r) == ["ja/package.html"]
    snip = r["hits"][0]["snippet"]
    assert snip["highlights"]
    for start, end in snip["highlights"]:
        assert snip["text"][start:end] == "パッケージ"


def test_japanese_phrase_order_matters_and_words_combine(service):
    assert paths(service.search("依存関係")) == ["ja/package.html"]
    assert service.search("関係依存")["total"] == 0
    assert paths(service.search("設定 ネットワーク")) == ["ja/other.html"]
    assert paths(service.search("Debianパッケージ")) == ["ja/package.html"]  # mixed script


def test_chinese_and_single_characters(service):
    assert paths(service.search("软件包")) == ["zh/guide.html"]
    assert sorted(paths(service.search("管理"))) == ["ja/package.html", "zh/guide.html"]
    assert paths(service.search("序")) == ["zh/guide.html"]  # 程序: found by the run's last character


def test_cjk_title_outranks_body(service):
    # 管理 is in both titles; ネットワーク設定 has neither.
    r = service.search("パッケージ管理")
    assert paths(r) == ["ja/package.html"]
