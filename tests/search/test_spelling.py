"""``spelling.correct`` against a vocabulary held in a dict."""

from hypothesis import given, settings
from hypothesis import strategies as st

from siteseer.search import spelling


class Vocabulary:
    """The two calls ``correct`` makes on a tantivy searcher, over {word: df}."""

    def __init__(self, words: dict[str, int]):
        self.words = words

    def doc_freq(self, field: str, word: str) -> int:
        return self.words.get(word, 0)

    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        return sorted((w, df) for w, df in self.words.items() if w.startswith(prefix))[:limit]


def test_one_edit_beats_two_even_when_rarer():
    vocab = Vocabulary({"coffee": 3, "toffees": 50})
    assert spelling.correct(vocab, "coffe") == "coffee"


def test_the_most_frequent_word_one_edit_away_wins():
    vocab = Vocabulary({"form": 5, "farm": 9, "from": 40})
    assert spelling.correct(vocab, "fxrm") == "farm"  # "from" is two edits from "fxrm"
    assert spelling.correct(vocab, "frm") == "from"


def test_two_edits_found_among_words_with_the_same_first_two_letters():
    vocab = Vocabulary({"eruption": 4, "irruption": 90})
    assert spelling.correct(vocab, "erptoin") == "eruption"
    assert spelling.correct(vocab, "erxyzion") is None  # three edits


def test_short_odd_and_digit_words():
    vocab = Vocabulary({"h264": 2, "mp4": 7})
    assert spelling.correct(vocab, "h2x4") == "h264"  # digits are tried in words that have them
    assert spelling.correct(vocab, "mp") is None
    assert spelling.correct(vocab, "mp-4") is None


_words = st.text(alphabet="abcde", min_size=3, max_size=8)


def distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein (optimal string alignment) in plain Python, giving up past ``limit``:
    the reference that ``correct``'s rapidfuzz scan is checked against."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def reference(words: dict[str, int], word: str) -> str | None:
    """What ``correct`` promises, computed the slow, obvious way with the Python distance."""
    if len(word) < 3:
        return None
    one = [(-df, w) for w, df in words.items() if w != word and distance(word, w, 1) == 1]
    if one:
        return min(one)[1]
    if len(word) < spelling.TWO_EDITS_FROM:
        return None
    two = [(distance(word, w), -df, w) for w, df in words.items()
           if w[:2] == word[:2] and abs(len(w) - len(word)) <= 2]
    two = [t for t in two if t[0] <= 2]
    return min(two)[2] if two else None


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_words, st.integers(1, 20), min_size=1, max_size=30), _words)
def test_correct_matches_the_slow_reference(words, word):
    """One edit first (most frequent, then first by spelling); else two edits among
    words sharing the first two letters (closest, most frequent, first by spelling)."""
    assert spelling.correct(Vocabulary(words), word) == reference(words, word)


def _notes(tmp_path, *groups):
    """A service over ``(name, how many, sentence)`` groups of small notes, indexed now."""
    from sx_fixtures import indexed_service

    for name, count, sentence in groups:
        for i in range(count):
            (tmp_path / f"{name}-{i}.txt").write_text(f"{name.title()}\n\n{sentence}, note {i}.\n")
    return indexed_service(tmp_path)


def test_a_typo_is_read_as_the_spelling_found_with_the_other_words(tmp_path):
    """"git rebse" became "git reuse": "reuse" is in more pages than "rebase", but not in
    those about git. Alone, the commonest spelling still wins."""
    service = _notes(tmp_path, ("reuse", 6, "We reuse the old bottles"), ("git", 3, "With git you rebase a branch"))
    assert service.search("git rebse")["corrected"] == "git rebase"
    assert service.search("git rebse")["total"] == 3
    assert service.search("rebse")["corrected"] == "reuse"
    assert service.search("bottles rebse")["corrected"] == "bottles reuse"


def test_a_rare_spelling_of_a_common_word_gets_a_did_you_mean(tmp_path):
    """"debain" is on a few pages (typed so there): they were all the answer, with no word of
    "debian", on thousands. It is still searched as typed; the suggestion offers the other."""
    from sx_fixtures import indexed_service

    for i in range(120):
        (tmp_path / f"guide-{i}.txt").write_text(f"Guide\n\nHow to install Debian on a server, part {i}.\n")
    (tmp_path / "typo.txt").write_text("Typo\n\nSee the debain wiki for installing it.\n")
    (tmp_path / "rare.txt").write_text("Rare\n\nThe servar is down.\n")
    for i in range(2):
        (tmp_path / f"name-{i}.txt").write_text("Name\n\nThe serber project.\n")
    service = indexed_service(tmp_path)
    found = service.search("debain")
    assert found["total"] == 1 and found["suggestion"] == "debian"
    assert service.search("install debain")["suggestion"] == "install debian"
    assert service.search("debian")["suggestion"] is None
    assert service.search("guide")["suggestion"] is None
    assert service.search("servar")["suggestion"] == "server"  # 120 pages against 1: far commoner
    assert service.search("serber")["suggestion"] is None  # 120 against 2: a word of its own, maybe
    assert service.search("debain OR guide")["suggestion"] is None  # 121 results: not worth a word
    assert service.search("-debain debian")["suggestion"] is None  # an excluded word is left as typed
    # Respelled, it must find more: "pyhton kubernetes" offered "python kubernetes", on no page.
    assert service.search("debain wiki")["total"] == 1
    assert service.search("debain wiki")["suggestion"] is None


def test_a_correction_keeps_the_first_letter_when_it_can(tmp_path):
    """"git rbase" became "git base": one edit from both, and "base" is found with "git"
    twice as often as "rebase". A word's first letter is seldom the one mistyped."""
    service = _notes(tmp_path, ("base", 6, "With git, the merge base of two commits"),
                     ("rebase", 3, "With git you rebase a branch"))
    assert service.search("git rbase")["corrected"] == "git rebase"
    assert service.search("git rbase")["total"] == 3
    assert service.search("git ebase")["corrected"] == "git base"  # a first letter missing: still found
