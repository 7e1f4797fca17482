"""HTML extraction: boilerplate removal, sections with real anchors, encodings."""

from pathlib import Path

import pytest

from siteseer.index.extractors import extract

FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20  # ~1,100 chars


def page(tmp_path: Path, html: str | bytes, name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_bytes(html.encode("utf-8") if isinstance(html, str) else html)
    return path


SITE = f"""<!doctype html><html><head><title>Guide to Widgets</title>
<style>.x {{color: red}}</style><script>var secretScript = 1;</script></head>
<body>
<header><a href="/">Sitebanner</a></header>
<nav><ul><li>Navmenuitem</li></ul></nav>
<div class="sidebar">Sidebarjunk</div>
<div role="navigation">Rolenavjunk</div>
<main>
  <p>Intro paragraph before any heading. {FILLER}</p>
  <h2 id="install">Installing widgets</h2>
  <p>Run the installer carefully. {FILLER}</p>
  <h4>Troubleshooting tips</h4><p>Reboot.</p>
  <section id="config"><h2>Configuring <em>widgets</em></h2><p>Edit the configfile. {FILLER}</p></section>
  <h3><a name="legacy"></a>Legacy anchors</h3><p>Old style named anchor. {FILLER}</p>
  <h3>No anchor here</h3><p>Unanchored section text. {FILLER}</p>
</main>
<aside>Asidejunk</aside>
<footer>Footerjunk copyright</footer>
<form><input name=q><button>Searchbutton</button></form>
</body></html>"""


def test_sections_anchors_and_boilerplate(tmp_path):
    result = extract(page(tmp_path, SITE), "page.html")
    assert result.kind == "html"
    assert result.title == "Guide to Widgets"
    everything = " ".join(u.title + " " + u.text + " " + u.headings for u in result.units)
    for junk in ("Sitebanner", "Navmenuitem", "Sidebarjunk", "Rolenavjunk", "Asidejunk",
                 "Footerjunk", "Searchbutton", "secretScript", "color: red"):
        assert junk not in everything, junk
    by_title = {u.title: u for u in result.units}
    assert by_title["Guide to Widgets"].anchor is None
    assert by_title["Guide to Widgets"].text.startswith("Intro paragraph")
    assert by_title["Installing widgets"].anchor == "install"
    assert "Troubleshooting tips" in by_title["Installing widgets"].headings
    assert by_title["Configuring widgets"].anchor == "config"  # id of the enclosing <section>
    assert "configfile" in by_title["Configuring widgets"].text
    assert by_title["Legacy anchors"].anchor == "legacy"  # <a name> inside the heading
    assert by_title["No anchor here"].anchor is None
    assert "Unanchored section text" in by_title["No anchor here"].text
    for unit in result.units:  # every anchor really exists in the page
        assert unit.anchor is None or f'"{unit.anchor}"' in SITE


def test_short_page_is_one_unit_and_title_falls_back(tmp_path):
    html = "<html><body><h1>Only Heading</h1><p>Short body <b>bold</b>word.</p><h2 id=a>Sub</h2><p>x</p></body></html>"
    result = extract(page(tmp_path, html), "page.html")
    assert result.title == "Only Heading"
    assert len(result.units) == 1
    assert "boldword" in result.units[0].text  # inline markup does not split words
    assert "Sub" in result.units[0].headings
    untitled = extract(page(tmp_path, "<p>just text</p>", "bare.html"), "bare.html")
    assert untitled.title == "bare.html"
    assert untitled.units[0].text == "just text"


def test_minified_blocks_do_not_glue_words(tmp_path):
    html = "<body><table><tr><td>alpha</td><td>beta</td></tr></table><ul><li>gamma</li><li>delta</li></ul><p>eps<br>zeta</p></body>"
    text = extract(page(tmp_path, html), "page.html").units[0].text
    assert text.split() == ["alpha", "beta", "gamma", "delta", "eps", "zeta"]


@pytest.mark.parametrize("html, words", [
    ("<ul><li>Kitchen<ul><li>Oven</li></ul></li></ul>", ["Kitchen", "Oven"]),  # a nested list, minified
    ("<div>Preface<div>Chapter</div></div>", ["Preface", "Chapter"]),
    ("<body>Hello<p>World</p>", ["Hello", "World"]),
    ("<dl><dt>Term</dt><dd>Meaning</dd></dl>After<table><tr><td>cell</td></tr></table>", ["Term", "Meaning", "After", "cell"]),
    ("<textarea>alpha</textarea><select><option>beta</option></select>", ["alpha", "beta"]),
    ("<p><b>S</b>ite and <i>it</i>alic</p>", ["Site", "and", "italic"]),  # inline markup still joins
])
def test_text_before_a_block_is_not_glued_to_it(tmp_path, html, words):
    # Only a space after each block was added: "Kitchen<ul><li>Oven" was the word "KitchenOven".
    assert extract(page(tmp_path, html), "page.html").units[0].text.split() == words


def test_article_header_kept(tmp_path):
    html = "<body><header>Banner</header><article><header><h1>Post title</h1></header><p>Body</p></article></body>"
    result = extract(page(tmp_path, html), "page.html")
    assert "Banner" not in result.units[0].text
    assert "Post title" in result.units[0].headings + result.units[0].text


def test_a_page_inside_one_form_is_kept_and_a_search_form_is_not(tmp_path):
    """ASP.NET wraps a whole page in one <form>: with no <main> or <h1> in it, the page was indexed empty."""
    html = '<html><head><title>A</title></head><body><form id="form1"><div><p>Aspnet content words.</p></div></form></body></html>'
    assert [u.text for u in extract(page(tmp_path, html), "page.html").units] == ["Aspnet content words."]
    html = ("<html><body><p>The page's own words, long enough to be most of it.</p>"
            "<form><label>Search this site</label><input name=q></form></body></html>")
    assert [u.text for u in extract(page(tmp_path, html), "page.html").units] == ["The page's own words, long enough to be most of it."]


def test_hidden_elements_are_not_indexed(tmp_path):
    html = ('<html><body><p>Shown words.</p><div hidden>hiddenattr</div><span style="DISPLAY: none">nonestyle</span>'
            '<span style="color:red;display:none">nonestyle2</span><i aria-hidden="true">icon</i><p style="color:red">Red.</p></body></html>')
    assert [u.text for u in extract(page(tmp_path, html), "page.html").units] == ["Shown words. Red."]


@pytest.mark.parametrize("html", [
    "<title>D</title><body>" + "<div>" * 30000 + "w" + "</div>" * 30000,
    "<title>D</title><body>" + "<div><b>" * 30000 + "w",
])
def test_a_page_nested_thousands_deep_is_skipped_at_once(tmp_path, html):
    """lexbor's tree builder is quadratic in depth: 100,000 nested <div>s (1 MB) held a worker 41-157 s."""
    from siteseer.index.extractors import ExtractError

    with pytest.raises(ExtractError, match="nested deeper than 4,096"):
        extract(page(tmp_path, html), "page.html")


def test_a_long_page_of_shallow_markup_is_not_taken_for_a_deep_one(tmp_path):
    html = "<title>W</title><body>" + "<div><p>Para <b>x</b><br><img src=a.png> <li>item <td>cell</div>" * 6000
    assert extract(page(tmp_path, html), "page.html").units


def test_cp1252_declared_and_undeclared(tmp_path):
    body = "<html><head><meta charset=windows-1252><title>Caf\xe9</title></head><body><p>na\xefve \u201cquotes\u201d \u20ac</p></body></html>"
    result = extract(page(tmp_path, body.encode("cp1252")), "page.html")
    assert result.title == "Café"
    assert result.units[0].text == "naïve “quotes” €"
    undeclared = "<title>Caf\xe9</title><p>cr\xe8me</p>".encode("cp1252")  # not UTF-8: falls back
    assert extract(page(tmp_path, undeclared, "u.html"), "u.html").units[0].text == "crème"


def test_latin1_label_means_cp1252(tmp_path):
    body = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>\u20ac 5</p>'
    assert extract(page(tmp_path, body.encode("cp1252")), "p.html").units[0].text == "€ 5"


def test_bom_overrides_declaration(tmp_path):
    html = "<meta charset=iso-8859-1><title>Grüße</title><p>Straße</p>"
    utf8 = extract(page(tmp_path, b"\xef\xbb\xbf" + html.encode("utf-8"), "a.html"), "a.html")
    assert (utf8.title, utf8.units[0].text) == ("Grüße", "Straße")
    utf16 = extract(page(tmp_path, html.encode("utf-16"), "b.html"), "b.html")  # BOM + UTF-16
    assert (utf16.title, utf16.units[0].text) == ("Grüße", "Straße")


def test_japanese_intact(tmp_path):
    ja = "日本語のテキストは検索できる必要があります。"
    html = f"<html><head><meta charset='utf-8'><title>日本語の文書</title></head><body><h1 id='top'>概要</h1><p>{ja}</p></body></html>"
    result = extract(page(tmp_path, html), "ja.html")
    assert result.title == "日本語の文書"
    assert ja in result.units[0].text


def test_long_section_split_keeps_anchor(tmp_path):
    sentence = "Widgets need regular maintenance and care. "
    html = f"<body><h2 id='long'>Long</h2><p>{sentence * 300}</p></body>"
    result = extract(page(tmp_path, html), "page.html", max_unit_chars=2000)
    assert len(result.units) >= 6
    assert all(len(u.text) <= 2000 for u in result.units)
    assert all(u.anchor == "long" and u.title == "Long" for u in result.units)
    assert all(u.text.endswith(".") for u in result.units[:-1])  # cut at sentence ends
    assert result.units[0].headings == "Long" and result.units[1].headings == ""


def test_xhtml_self_closing_anchor_uses_own_id(tmp_path):
    # DocBook XHTML served as HTML: the parser re-opens the previous <a id="x"/> inside
    # the next heading (<h3><a id="sec0"></a><a id="sec1">…), so the last id must win.
    html = f"""<body><div class="section">
  <div class="titlepage"><div><div>
    <h2 class="title"><a id="sec0"/>Section 0</h2>
  </div></div></div>
  <p>{FILLER}</p>
  <div class="section">
    <div class="titlepage"><div><div>
      <h3 class="title"><a id="sec1"/>Section 1</h3>
    </div></div></div>
    <p>{FILLER}</p>
  </div></div></body>"""
    result = extract(page(tmp_path, html), "d.html")
    assert [(u.title, u.anchor) for u in result.units] == [("Section 0", "sec0"), ("Section 1", "sec1")]


def test_a_note_box_heading_is_a_label_not_a_section(tmp_path):
    # DocBook (PostgreSQL's manual): <div class="note"><h3 class="title">Note</h3>. As a section it took
    # the rest of "Options" (pg_dump's -F came back titled "Note", linked to the top of the page).
    html = ("<html><head><title>pg_dump</title></head><body>"
            "<h2 id='OPTIONS'>Options</h2><p>First option text. " + FILLER + "</p>"
            "<div class='note'><h3 class='title'>Note</h3><p>Careful with this.</p></div>"
            "<p>-F format selects the output format.</p>"
            "<div class='warning compact'><h3>Warning</h3><p>Really careful.</p></div>"
            "<h2 id='EXAMPLES'>Examples</h2><p>Example text. " + FILLER + "</p></body></html>")
    units = extract(page(tmp_path, html), "page.html").units
    assert [(u.title, u.anchor) for u in units] == [("Options", "OPTIONS"), ("Examples", "EXAMPLES")]
    assert "Note Careful with this. -F format selects the output format. Warning Really careful." in units[0].text


def test_a_section_of_a_line_joins_the_one_before(tmp_path):
    # Each git man page ends in <h2>GIT</h2><p>Part of the git(1) suite</p>: as a hit of its own, that
    # line with its page's title around it was the first for "git stash" (BM25 likes it short).
    html = ("<html><head><title>git-stash(1)</title></head><body>"
            "<h2 id='_description'>DESCRIPTION</h2><p>Use git stash to record the current state. " + FILLER * 2 + "</p>"
            "<h2 id='_git'>GIT</h2><p>Part of the git(1) suite</p></body></html>")
    units = extract(page(tmp_path, html), "page.html").units
    assert [(u.title, u.anchor) for u in units] == [("DESCRIPTION", "_description")]
    assert units[0].text.endswith(" GIT Part of the git(1) suite")
