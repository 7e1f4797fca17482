"""The last word is also a prefix, but the word as typed counts more than its completions."""

import pytest
from sx_fixtures import html, indexed_service, paths, write

import siteseer.search.build as build


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("typed")
    for i in range(8):  # "list" is a common word here; "listener" a rare one (it weighs more)
        write(root, f"notes/n{i}.txt", f"Note {i}\n\nA shopping list for day {i}.")
    for i in range(30):
        write(root, f"other/o{i}.txt", f"Other {i}\n\nNothing about it on day {i}.")
    write(root, "a.html", html("Sequences", "<p>Keep the items in a list, in order.</p>"))
    write(root, "b.html", html("Events", "<p>Keep the items for a listener, in order.</p>"))
    return indexed_service(root)


def test_a_page_with_the_word_typed_comes_before_one_with_a_rarer_completion(service):
    # At 1.5 times its completions, "items list" had the page about a listener first
    # ("python list": "Listeners and Clients" first on the corpus).
    assert paths(service.search("items list"))[:2] == ["a.html", "b.html"]  # a.html has "list", b.html "listener"
    assert paths(service.search("items listen")) == ["b.html"]  # a prefix still finds its completions


def test_the_weight_is_what_decides(service, monkeypatch):
    monkeypatch.setattr(build, "TYPED_WEIGHT", 1.5)
    assert paths(service.search("items list"))[:2] == ["b.html", "a.html"]
