"""``search.synonyms``: words that find each other, configured, applied as the query is built."""

from __future__ import annotations

import dataclasses

import pytest
from sx_fixtures import paths

from siteseer.config import ConfigError, load_config
from siteseer.search.build import synonym_stems
from siteseer.search.service import SearchService


@pytest.fixture(scope="module")
def with_synonyms(site) -> SearchService:
    config, _ = site
    search = dataclasses.replace(config.search, synonyms=["tapir, okapi", "espressos ,  ristretto"], result_cache=0)
    return SearchService(dataclasses.replace(config, search=search))


def test_a_synonym_finds_the_pages_and_is_marked_in_them(service, with_synonyms):
    assert service.search("tapir")["total"] == 0
    result = with_synonyms.search("tapir")
    assert sorted(paths(result)) == ["broken/latin1.txt", "data/animals.json"]
    for hit in result["hits"]:
        text, marks = hit["snippet"]["text"], hit["snippet"]["highlights"]
        assert [text[a:b].lower() for a, b in marks] == ["okapi"], hit["snippet"]
    assert result["suggestion"] is None  # a word the index lacks, found through its synonym: no "did you mean"


def test_synonyms_work_both_ways_stemmed_and_with_other_words(service, with_synonyms):
    assert paths(with_synonyms.search("ristretto")) == paths(service.search("espresso"))  # espressos: stemmed
    assert paths(with_synonyms.search("ristretto beans")) == ["notes/espresso.txt"]
    assert with_synonyms.search("ristretto -espresso")["total"] == 0  # excluding a word excludes its synonyms
    assert with_synonyms.search('"ristretto beans"')["total"] == 0  # not inside quotes: a phrase is exact


def test_synonym_groups_become_stems_that_find_each_other():
    assert synonym_stems(["postgres, postgresql", "postgres, pg"]) == {
        "postgr": ("postgresql", "pg"), "postgresql": ("postgr",), "pg": ("postgr",)}
    assert synonym_stems([]) == {}


@pytest.mark.parametrize("value, message", [
    ('["postgres"]', "fewer than two words"),
    ('["postgres, "]', "fewer than two words"),
    ('["new york, nyc"]', "'new york' (in 'new york, nyc') is not one word"),
    ('[["postgres", "postgresql"]]', "must be a list of strings"),
    ('"postgres, postgresql"', "must be a list of strings"),
])
def test_a_wrong_synonym_group_is_one_clear_error(tmp_path, value, message):
    (tmp_path / "siteseer.toml").write_text(f"[search]\nsynonyms = {value}\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "search.synonyms" in str(err.value) and message in str(err.value)
