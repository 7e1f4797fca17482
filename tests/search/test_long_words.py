"""Long words: a git commit's SHA-1 (40 hex digits) and a SHA-256 (64) are words; longer runs are not searched."""

import pytest
from sx_fixtures import indexed_service, write

from siteseer.index.textforms import MAX_WORD_CHARS
from siteseer.search.errors import QueryError
from siteseer.search.service import SearchService

SHA1 = "647f28654894e3bd457199be38dbbdc86092693e"
SHA256 = "ccb290fd4fe6b22935cbae31449e050edd02ad44627b16ce0151668f5f53c01b"
BLOB = "x" * (MAX_WORD_CHARS + 1)


@pytest.fixture(scope="module")
def hashes(tmp_path_factory) -> SearchService:
    root = tmp_path_factory.mktemp("hashes")
    write(root, "release.txt", f"Release notes\n\nFixed in commit {SHA1}; tarball sha256 {SHA256}.\n")
    write(root, "blob.txt", f"Blob notes\n\nthe {BLOB} value\n")
    return indexed_service(root)


def test_hashes_are_searchable_words(hashes):
    for word in (SHA1, SHA256, SHA1.upper()):
        r = hashes.search(word)
        assert [h["path"] for h in r["hits"]] == ["release.txt"], word
        (hit,) = r["hits"]
        text = hit["snippet"]["text"]
        assert [text[s:e].lower() for s, e in hit["snippet"]["highlights"]] == [word.lower()]


def test_a_word_too_long_to_search_says_so(hashes):
    with pytest.raises(QueryError, match=f"longer than {MAX_WORD_CHARS} bytes of UTF-8"):
        hashes.search(BLOB)
    with pytest.raises(QueryError, match="half as many accented"):  # 33 letters, 66 bytes: it said characters
        hashes.search("ü" * 33)
    assert hashes.search(f"blob {BLOB}")["total"] == 1  # beside other words it is left out
    with pytest.raises(QueryError, match="no letters or digits"):
        hashes.search("!!! ???")
