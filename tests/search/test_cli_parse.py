"""The parser's view of a query, and terminal formatting."""

from siteseer.search.cli import BOLD, RESET, format_results
from siteseer.search.query import parse


def test_parse_structure():
    p = parse('alpha "beta gamma" -delta -"eps zeta" x OR y type:pdf -in:docs/ after:2024-01-01 las')
    assert [[t.text for t in g] for g in p.groups] == [["alpha"], ["beta gamma"], ["x", "y"], ["las"]]
    assert [t.text for t in p.excluded] == ["delta", "eps zeta"]
    assert [(f.name, f.negated) for f in p.filters] == [("type", False), ("in", True), ("after", False)]
    assert p.groups[-1][0].prefix and not p.groups[0][0].prefix
    assert not parse("las ").groups[-1][0].prefix
    assert not parse('"las"').groups[-1][0].prefix


def test_parse_unbalanced_quote_runs_to_the_end():
    p = parse('a "b c')
    assert p.groups[1][0].text == "b c" and p.groups[1][0].phrase


def test_format_results_plain_and_bold():
    result = {"query": "cof", "total": 1, "took_ms": 1.2, "page": 1, "per_page": 10, "suggestion": "coffee",
              "hits": [{"title": "Notes", "url": "/n.txt", "type": "text", "path": "n.txt",
                        "snippet": {"text": "hot coffee here", "highlights": [[4, 10]]}}],
              "index": {"documents": 1, "indexing": True}}
    plain = format_results(result, color=False)
    assert "Did you mean: coffee" in plain and "1. Notes  [text]" in plain and "/n.txt" in plain
    assert "hot coffee here" in plain and "still running" in plain and "\033" not in plain
    assert f"hot {BOLD}coffee{RESET} here" in format_results(result, color=True)
    assert "No results" in format_results({"query": "x", "total": 0, "hits": []}, color=False)
    respelled = format_results({**result, "suggestion": None, "corrected": "coffee"}, color=False)
    assert "Showing results for: coffee" in respelled and "Did you mean" not in respelled


def test_format_results_says_when_one_word_was_left_out():
    result = {"query": "a b c", "total": 2, "took_ms": 1.0, "page": 1, "per_page": 10, "relaxed": True, "hits": []}
    assert "all but one of them" in format_results(result, color=False)
    assert "all but one" not in format_results({**result, "relaxed": False}, color=False)
