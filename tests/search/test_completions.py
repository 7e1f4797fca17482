"""Completions of the word being typed (``SearchService.suggest``)."""

from __future__ import annotations


def test_completions_are_the_words_used_with_those_before(tmp_path):
    """"git re" offered read, reference, result: the commonest words found with "git", which
    are the commonest words. Weighed by how much of a word's use is with them: repository."""
    from sx_fixtures import indexed_service

    for i in range(40):
        (tmp_path / f"prose-{i}.txt").write_text(f"Prose\n\nRead the result and the reference, note {i}.\n")
    for i in range(8):
        (tmp_path / f"git-{i}.txt").write_text(f"Git\n\nWith git, read the repository, note {i}.\n")
    (tmp_path / "ids.txt").write_text("Ids\n\nThe repository48173 page.\n")
    service = indexed_service(tmp_path)
    assert service.suggest("re")[:1] == ["read"]  # alone: the commonest
    assert service.suggest("git re")[:1] == ["git repository"]  # was "git read": on every page with git too
    assert "repository48173" not in service.suggest("repo")  # a number of five digits is no word to complete
    assert service.suggest("repository4")[:1] == ["repository48173"]  # unless the digits are typed


def test_completions_keep_accents_typed_and_never_offer_the_word_as_typed(tmp_path):
    from sx_fixtures import indexed_service

    (tmp_path / "de.txt").write_text("Übersetzung\n\nDie Übersetzung und die Überprüfung, in München.\n")
    (tmp_path / "or.txt").write_text("Order\n\nThe lamp order: or else the order of the lamps.\n")
    service = indexed_service(tmp_path)
    # The vocabulary is folded: "über" offered "ubersetzung".
    assert set(service.suggest("über")) == {"übersetzung", "überprufung"}
    assert service.suggest("Mün") == ["München"]
    assert service.suggest("uber")[:1] in (["ubersetzung"], ["uberprufung"])  # typed unaccented: as it is
    # "lamp OR" offered "lamp or": the operator made a word.
    assert service.suggest("lamp OR") == ["lamp order"]


def test_a_joined_word_is_completed_only_as_some_page_joins_it(tmp_path):
    """"pg_dum" offered "pg_dummy" and "pg_dumb" (found nowhere) after "pg_dump"."""
    from sx_fixtures import indexed_service

    (tmp_path / "pg.txt").write_text("Backup\n\nRun pg_dump nightly.\n")
    (tmp_path / "dummy.txt").write_text("Dummy\n\nA dummy page, dumb and dummy again.\n")
    service = indexed_service(tmp_path)
    assert service.suggest("pg_dum") == ["pg_dump"]
    assert set(service.suggest("dum")) == {"dummy", "dumb", "dump"}  # alone, every word


def test_a_joined_word_being_typed_finds_its_completions(tmp_path):
    """"pg_dum" found nothing (a phrase of "pg" and "dum") while the box offered "pg_dump"."""
    from sx_fixtures import indexed_service, paths

    (tmp_path / "dump.txt").write_text("Backup\n\nRun pg_dump nightly.\n")
    (tmp_path / "all.txt").write_text("Cluster\n\nRun pg_dumpall for roles.\n")
    (tmp_path / "apart.txt").write_text("Apart\n\nThe pg tools, and a dump truck.\n")
    service = indexed_service(tmp_path)
    assert sorted(paths(service.search("pg_dum"))) == ["all.txt", "dump.txt"]
    assert paths(service.search("pg_dump ")) == ["dump.txt"]  # typed to its end
    assert sorted(paths(service.search("pg_dump*"))) == ["all.txt", "dump.txt"]
    assert service.search("pg_dum ")["total"] == 0
    assert "pg_dump" in service.search("pg_dum")["hits"][0]["snippet"]["text"]
