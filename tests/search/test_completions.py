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
