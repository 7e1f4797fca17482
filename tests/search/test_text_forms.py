"""Words written in another form than they are typed: Turkish "İ", decomposed accents.

Lowercasing "İ" gives "i" and a combining dot, which no folding removed:
"İstanbul" in 43 Turkish pages of the corpus was found by no query but "İstanbul"
itself. Decomposed accents (an "e" and a combining acute, as macOS names files)
split a word in two for the tokenizer: "résumé" was indexed as "re" and "sume".
"""

import unicodedata
from pathlib import Path

import pytest
from sx_fixtures import indexed_service, paths

from siteseer.index.textforms import analyzers, index_form

NFD = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("forms")
    (root / "turkey.html").write_text(
        "<html><head><title>Gezi</title></head><body><p>Yaz aylarında İstanbul ve İZMİR "
        "kalabalık olur; Boğaziçi boyunca yürüyüş yapılır.</p></body></html>", encoding="utf-8")
    (root / "jobs.txt").write_text(NFD("Jobs\n\nSend your résumé to the café owner.\n"), encoding="utf-8")
    (root / NFD("crème.md")).write_text("# Dessert\n\nwhipped topping\n", encoding="utf-8")
    return indexed_service(root)


@pytest.mark.parametrize("q", ["istanbul", "İstanbul", "ISTANBUL", "izmir", "İzmir", "İZMİR"])
def test_dotted_capital_i_is_found_as_i(service, q):
    assert paths(service.search(q)) == ["turkey.html"]


def test_dotted_capital_i_is_shown_and_marked_as_written(service):
    hit = service.search("istanbul")["hits"][0]
    text, (start, end) = hit["snippet"]["text"], hit["snippet"]["highlights"][0]
    assert text[start:end] == "İstanbul"


@pytest.mark.parametrize("q", ["résumé", "resume", NFD("résumé"), "café"])
def test_decomposed_accents_in_a_text_are_whole_words(service, q):
    assert paths(service.search(q)) == ["jobs.txt"]


def test_decomposed_accents_in_a_file_name_are_whole_words(service):
    assert paths(service.search("creme")) == [NFD("crème.md")]


def test_index_form_keeps_every_offset():
    text = "İstanbul, Debianパッケージ"
    form = index_form(text)
    assert len(form) == len(text) and len(form.encode()) == len(text.encode())
    assert analyzers()["words"].analyze(form) == ["istanbul", "debian"]
