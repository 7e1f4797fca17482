"""A query's prefixes share one budget of completions (build.QUERY_EXPANSIONS).

32 two-letter prefixes with 12 completions each took 512 ms at 1M units; a
search as it is typed (one prefix, the last word) keeps all 12.
"""

from pathlib import Path

import pytest
from sx_fixtures import indexed_service

from siteseer.search.build import PREFIX_EXPANSIONS, QUERY_EXPANSIONS, Builder
from siteseer.search.query import parse

LETTERS = "abcdefghij"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("prefixes")
    # Words of 20 different completions for each of ten two-letter prefixes.
    words = [f"{a}{b}{c}{d}word" for a in LETTERS for b in "x" for c in LETTERS for d in "ab"]
    for i in range(0, len(words), 20):
        (root / f"page{i}.txt").write_text("Page\n\n" + " ".join(words[i:i + 20]) + "\n", encoding="utf-8")
    return indexed_service(root)


def completions(service, q: str) -> list[str]:
    index = service.handle.index()
    builder = Builder(index.schema, index.searcher())
    builder.build(parse(q))
    return builder.completions


def test_one_prefix_has_all_its_completions(service):
    assert len(completions(service, "ax")) == PREFIX_EXPANSIONS + 1  # the letters typed, and 12 words


def test_many_prefixes_share_the_budget(service):
    query = " ".join(f"{a}x*" for a in LETTERS)  # ten prefixes
    found = completions(service, query)
    # Each keeps the letters typed and at least one word; 12 each would be 130.
    assert 2 * len(LETTERS) <= len(found) <= len(LETTERS) + QUERY_EXPANSIONS
    assert service.search(query)["total"] == 0  # no page has a word of every prefix
    assert service.search("ax* bx*")["total"] == 0
    assert service.search("ax*")["total"] > 0
