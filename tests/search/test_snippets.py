"""Snippets: plain text, highlight offsets that point at the matched words."""

from siteseer.search.snippets import _finish


def _marked(snip: dict) -> list[str]:
    return [snip["text"][s:e] for s, e in snip["highlights"]]


def test_highlights_are_str_offsets_of_matched_words(service):
    snip = service.search("installer configuration")["hits"][0]["snippet"]
    assert "<" not in snip["text"]
    assert {w.lower() for w in _marked(snip)} == {"installer", "configuration"}
    assert snip["text"].startswith("Download the package")


def test_stemmed_and_folded_matches_are_highlighted_as_written(service):
    snip = service.search("creme")["hits"][0]["snippet"]
    assert _marked(snip) == ["crème"]
    snip = service.search("upgrade")["hits"][0]["snippet"]
    assert "upgrading" in [w.lower() for w in _marked(snip)]


def test_prefix_matches_are_highlighted(service):
    snip = service.search("descal")["hits"][0]["snippet"]
    assert _marked(snip) == ["descaling"]


def test_phrase_highlight_and_title_only_match(service):
    snip = service.search('"lazy dog"')["hits"][0]["snippet"]
    assert _marked(snip) == ["lazy dog"]  # a phrase is highlighted as one run
    hit = service.search("tuning")["hits"][0]  # only in the title and headings
    assert hit["snippet"]["text"].startswith("The cache size matters most.")


def test_long_bodies_are_cut_around_the_match():
    text = "word " * 100 + "target here" + " more" * 100
    out = _finish(text[400:700], [(100, 106)], cut_start=True, cut_end=True)
    assert out["text"].startswith("…") and out["text"].endswith("…")
    (s, e), = out["highlights"]
    assert out["text"][s:e] == "target"


def test_whitespace_is_collapsed_and_offsets_follow():
    out = _finish("  a\n\n\tbig   match  ", [(6, 9), (12, 17)], cut_start=False, cut_end=False)
    assert out["text"] == "a big match"
    assert [out["text"][s:e] for s, e in out["highlights"]] == ["big", "match"]


def test_overlapping_ranges_merge():
    out = _finish("abcdef", [(0, 3), (2, 5)], cut_start=False, cut_end=False)
    assert out["highlights"] == [[0, 5]]


def _built(service, q):
    from siteseer.search.build import Builder
    from siteseer.search.query import parse

    index = service.handle.index()
    return Builder(index.schema, index.searcher()).build(parse(q))


def test_a_prefix_aims_snippets_with_the_letters_typed(service):
    built = _built(service, "inst")  # still typing: completed to "install", "installer", "instant"...
    assert built.words == ["inst"]
    assert built.retry_words is not None and len(built.retry_words) > 2 and "inst" in built.retry_words
    assert _built(service, "install ").retry_words is None  # a finished word has no completions
    assert _built(service, "install ").words == ["insta"]  # its stem "instal" less the last letter


def test_retry_words_find_a_highlight_the_first_aim_missed(service):
    from siteseer.search import snippets

    index = service.handle.index()
    searcher = index.searcher()
    built = _built(service, "coffee")
    gen = snippets.generator(searcher, built.highlight, index.schema)
    body = "filler " * 150 + "good coffee here " + "filler " * 150 + "cofzz at the end"
    missed = snippets.snippet(body, gen, [], ["cofzz"], other_form=False)
    assert missed["highlights"] == []  # aimed at the end, where there is no coffee
    found = snippets.snippet(body, gen, [], ["cofzz"], other_form=False, retry_words=["coffe"])
    assert _marked(found) == ["coffee"]


def _phrase_snippet(service, q: str, body: str) -> dict:
    from siteseer.search import snippets

    index = service.handle.index()
    searcher = index.searcher()
    built = _built(service, q)
    gen = snippets.generator(searcher, built.highlight, index.schema)
    return snippets.snippet(body, gen, [], built.words, other_form=False, retry_words=built.retry_words,
                            phrases=built.phrases, loose=built.loose, common=built.common,
                            fallback=lambda: snippets.generator(searcher, built.fallback, index.schema))


def test_a_phrase_is_shown_where_it_is_not_where_its_words_are_densest(service):
    body = ("The lazy cat sat by the dog bowl. " * 12 + "filler words here. " * 30
            + "At last the quick fox jumped over the Lazy, dog asleep in the sun. " + "more filler. " * 40)
    snip = _phrase_snippet(service, '"lazy dog"', body)
    assert _marked(snip) == ["Lazy, dog"]  # the phrase as one run; its words alone are not marked
    assert snip["text"].startswith("…") and "quick fox" in snip["text"]
    assert snip["text"].index("Lazy, dog") <= 60


def test_words_searched_alone_stay_highlighted_next_to_a_phrase(service):
    body = "A dog barked. " * 3 + "The lazy dog slept while the coffee cooled. " + "End. " * 50
    snip = _phrase_snippet(service, '"lazy dog" coffee', body)
    assert _marked(snip) == ["lazy dog", "coffee"]
    # A word in the phrase and also searched alone is marked wherever it is.
    snip = _phrase_snippet(service, '"lazy dog" dog', body)
    assert "lazy dog" in _marked(snip) and _marked(snip).count("dog") >= 1


def test_a_phrase_the_needles_only_seem_to_find_falls_back_to_the_words(service):
    # "their dog" looks like "the dog" to the needles, but "their" is not "the".
    body = "Their dog and the cat. " * 20
    snip = _phrase_snippet(service, '"the dog"', body)
    assert snip["highlights"] and "dog" in [w.lower() for w in _marked(snip)]  # the usual snippet
    assert _built(service, '"the dog" -"big cat"').phrases == [("the", "dog")]  # excluded phrases are not shown
    assert _built(service, '"coffee"').phrases == [] and _built(service, '"coffee"').loose == ["coff"]


def test_a_phrase_not_in_the_body_marks_its_words_only_when_nothing_else_is_there(service):
    body = "The dog is lazy, and coffee helps. " + "End. " * 50  # "lazy dog" only in the title, say
    assert _marked(_phrase_snippet(service, '"lazy dog" coffee', body)) == ["coffee"]
    assert _marked(_phrase_snippet(service, '"lazy dog"', body)) == ["dog", "lazy"]  # better than nothing


def test_a_phrase_not_in_the_body_never_marks_its_common_words(service):
    # "the lazy dog" is not in this body: its words are marked, but for "the",
    # which is in every passage and says nothing alone.
    body = "The dog is lazy, and the coffee of the house helps. " + "End. " * 50
    assert _marked(_phrase_snippet(service, '"the lazy dog"', body)) == ["dog", "lazy"]
    # A phrase of common words only: nothing to mark, so the body's start, unmarked.
    snip = _phrase_snippet(service, '"of the"', "The end of a day, the night. " * 30)
    assert snip["highlights"] == [] and snip["text"].startswith("The end of a day")
    # Common words searched on their own are still marked.
    assert "the" in [w.lower() for w in _marked(_phrase_snippet(service, '"the lazy dog" the', body))]


def test_a_word_beside_a_title_only_phrase_is_found_past_a_false_aim(service):
    # The needle "coff" first finds "coffers", far from "coffee": a short body is then read whole.
    body = "The coffers stood. " + "Filler words here. " * 45 + "Its coffee cooled."
    assert _marked(_phrase_snippet(service, 'coffee "the lazy dog"', body)) == ["coffee"]


def test_the_builder_keeps_a_phrases_common_words_apart(service):
    built = _built(service, '"the edge of the sea"')
    assert built.common == ["the", "of"]
    assert built.fallback is not None  # "edge" and "sea"
    assert _built(service, '"of the"').fallback is None  # nothing but common words
    assert _built(service, 'coffee').fallback is None  # no phrase: the usual highlight
    assert _built(service, '"of the" -"the edge"').common == ["of", "the"]  # not the excluded phrase's


def test_a_phrase_is_shown_where_the_words_searched_beside_it_are(service):
    body = "The lazy dog slept. " + "Filler words here. " * 30 + "Later the lazy dog drank coffee. " + "End. " * 30
    snip = _phrase_snippet(service, '"lazy dog" coffee', body)
    assert _marked(snip) == ["lazy dog", "coffee"] and "drank" in snip["text"]
    snip = _phrase_snippet(service, '"lazy dog"', body)  # nothing beside it: its first place
    assert _marked(snip) == ["lazy dog"] and "slept" in snip["text"]


def test_a_needle_inside_another_word_does_not_hide_the_word(service):
    """"coffe" (coffee's needle) is first inside "coffeehouses", far from the one "coffee": the snippet finds it."""
    body = "Old coffeehouses of Vienna. " + "filler words here. " * 60 + "Then the good coffee arrived. " + "more. " * 60
    snip = _phrase_snippet(service, "coffee", body)
    assert _marked(snip) == ["coffee"] and "good coffee arrived" in snip["text"]


def test_a_snippet_never_ends_in_a_cut_word(service):
    # Words the index has: the generator marks no other.
    words = "quick brown fox jumps over the lazy dog with coffee beans from kenya espresso".split()
    for shift in range(len(words)):  # the passage's end falls on every letter of some word
        body = "filler text. " * 40 + " ".join(words[(i + shift) % len(words)] for i in range(600))
        for q in ('"brown fox"', "coffee", "kenya espresso"):
            text = _phrase_snippet(service, q, body)["text"]
            assert text.endswith("…")
            assert text[:-1].split()[-1] in words, (q, shift, text[-40:])
            assert text.lstrip("…").split()[0] in words + ["filler", "text."], (q, shift, text[:40])


def test_the_passage_is_where_the_words_are_together_and_starts_on_a_word(service):
    # "coffee" alone early; "coffee" and "kenya" together later: the passage shows both.
    body = ("Some coffee first. " + "Filler words here. " * 30 + "Beans from Kenya make coffee taste bright. "
            + "More filler. " * 40)
    snip = _phrase_snippet(service, "kenya coffee", body)
    assert [w.lower() for w in _marked(snip)] == ["kenya", "coffee"]
    first = snip["text"].lstrip("…").split()[0]
    assert first in ("Filler", "words", "here.", "Beans"), snip["text"][:40]  # a whole word, never a piece


def test_one_word_is_shown_where_it_is_most_often(service):
    body = ("Coffee once. " + "Filler words here. " * 12 + "Coffee, more coffee, and coffee again. "
            + "More filler. " * 40)
    snip = _phrase_snippet(service, "coffee", body)
    assert [w.lower() for w in _marked(snip)] == ["coffee"] * 3


def test_a_passage_of_wide_characters_keeps_its_last_word(service):
    # "⟨", "⟩" and "é" take 3 and 2 bytes: a passage cut at SNIPPET_CHARS bytes would lose "kenya".
    body = ("Début. " * 80 + "Coffee ⟨à⟩ " + "⟨é⟩ ⟨ô⟩ " * 14 + "Kenya. " + "Fin. " * 80)
    snip = _phrase_snippet(service, "coffee kenya", body)
    assert [w.lower() for w in _marked(snip)] == ["coffee", "kenya"]


def test_needles_are_found_in_ascii_lowered_text_at_the_same_places():
    from siteseer.search.snippets import _lowered, _places

    body = "“Quoted” Coffee—and COFFEE; décaf coffeehouse, Straße coffee"
    low = _lowered(body, ["coffe"])
    assert len(low) == len(body) and low == body.encode().lower().decode()
    assert _lowered(body, ["straß"]) == body.lower()  # a needle beyond ASCII: lowered whole
    places = [pos for pos, _ in _places(low, ["coffe"])]
    assert [body[p : p + 6].lower() for p in places] == ["coffee"] * 4  # at every word starting so, in any case
    assert _places("autovacuum vacuum", ["vacuu"]) == [(11, 0)]  # not inside another word


def test_a_short_stem_the_word_does_not_start_with_is_looked_for_as_written(service, tmp_path):
    from sx_fixtures import make_config

    from siteseer.index.indexer import run_index
    from siteseer.search.service import SearchService

    # "why" stems to "whi", "try" to "tri": the needle "tri" finds "trial" and "trials", never "try".
    assert _built(service, "why ").words == ["why"]
    assert _built(service, "coffee ").words == ["coff"]  # "coffe" less its last letter: "coffee" starts so
    (tmp_path / "notes.txt").write_text("A trial run. " + "Filler words here, trials and trials. " * 200
                                        + "We try once more. " + "End. " * 40)
    config = make_config(tmp_path)
    run_index(config)
    hit = SearchService(config).search("try ")["hits"][0]
    assert [w.lower() for w in _marked(hit["snippet"])] == ["try"]


def test_a_word_right_after_cjk_is_a_place():
    from siteseer.search.snippets import _places

    assert _places("インストールしたdebianは", ["debia"]) == [(8, 0)]  # the tokenizer sees "debian" alone there
    assert _places("xdebian", ["debia"]) == []


def test_needles_find_words_written_with_accents_and_sharp_s():
    """Needles are folded stems ("papiergros" of "Papiergröße"); the text keeps its accents."""
    from siteseer.search.snippets import _lowered, _places

    body = "Die Papiergröße ist erklärt. Maßnahmen: GRÖSSE, Æsthetik, Ørsted."
    for needle, word in [("papiergros", "Papiergröße"), ("erklart", "erklärt"), ("massnahm", "Maßnahmen"),
                         ("aesthet", "Æsthetik"), ("orst", "Ørsted")]:
        low = _lowered(body, [needle])
        assert len(low) == len(body)
        places = _places(low, [needle])
        assert [body[p : p + len(word)] for p, _ in places] == [word], needle
    assert _places(_lowered(body, ["gros"]), ["gros"]) == [(body.index("GRÖSSE"), 0)]


def test_a_word_with_accents_or_sharp_s_is_highlighted_where_it_is(tmp_path):
    """Past the first window: aimed with needles that missed "ö" and "ß", the
    snippet was the page's opening words with nothing marked ("Maßnahmen" on the
    corpus's German pages)."""
    from sx_fixtures import make_config

    from siteseer.index.indexer import run_index
    from siteseer.search.service import SearchService

    filler = "Ein langer Text über Partitionen und Dateisysteme. " * 40
    (tmp_path / "a.txt").write_text("Handbuch\n\n" + filler + "Die Papiergröße und weitere Maßnahmen, "
                                    "erklärt. Größe der Partition. " + filler)
    config = make_config(tmp_path)
    run_index(config)
    service = SearchService(config)
    for q, marked in [("Papiergröße", ["Papiergröße"]), ("massnahmen", ["Maßnahmen"]), ("Größe", ["Größe"]),
                      ("erklart", ["erklärt"]), ('"weitere Maßnahmen"', ["weitere Maßnahmen"])]:
        assert _marked(service.search(q)["hits"][0]["snippet"]) == marked, q


def test_a_rare_word_beside_a_common_one_far_down_is_shown(tmp_path):
    """A page with "alpha" 200 times and "uniqueendword" at its end showed six alphas and
    never the rare word: only the first 40 places of each word were looked at."""
    from sx_fixtures import indexed_service

    (tmp_path / "long.txt").write_text("Long\n\n" + "alpha beta gamma delta epsilon " * 200 + "uniqueendword\n")
    snip = indexed_service(tmp_path).search("alpha uniqueendword")["hits"][0]["snippet"]
    assert "uniqueendword" in _marked(snip) and "alpha" in _marked(snip)
