"""Dash components as plain HTML (siteseer.web.static_html), rule by rule."""

from __future__ import annotations

from dash import dcc, html

from siteseer.web.static_html import safe_url, to_html


def test_text_is_escaped_and_tags_are_the_components():
    assert to_html(html.P(["a < b & ", html.Strong("c"), " > d"])) == "<p>a &lt; b &amp; <strong>c</strong> &gt; d</p>"
    assert to_html(html.Ol(html.Li("x"), className="hits")) == '<ol class="hits"><li>x</li></ol>'


def test_attribute_values_are_escaped():
    assert to_html(html.A("x", href='/s?q="a"&b=<c>', title="it's")) == (
        '<a href="/s?q=&quot;a&quot;&amp;b=&lt;c&gt;" title="it&#x27;s">x</a>'
    )


def test_react_names_become_html_names_and_dash_props_are_dropped():
    out = to_html(html.Button("Go", id="b", className="btn", n_clicks=3, type="submit"))
    assert out == '<button class="btn" id="b" type="submit">Go</button>'
    assert to_html(html.Label("Q", htmlFor="q")) == '<label for="q">Q</label>'
    assert to_html(html.Div("x", style={"color": "red"}, key="k")) == "<div>x</div>"


def test_aria_and_data_attributes_are_kept():
    assert to_html(html.Nav("x", **{"aria-label": "Pages", "data-n": "2"})) == '<nav aria-label="Pages" data-n="2">x</nav>'


def test_booleans_and_nothing():
    assert to_html(html.Div("x", hidden=True)) == "<div hidden>x</div>"
    assert to_html(html.Div("x", hidden=False)) == "<div>x</div>"
    assert to_html([None, True, False, 0, 1.5, "a"]) == "01.5a"
    assert to_html(html.Data(id="d", value=None)) == '<data id="d"></data>'


def test_links_that_run_code_are_dropped():
    for url in ("javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:x", "vbscript:x", "data:text/html,x"):
        assert not safe_url(url), url
        assert to_html(html.A("x", href=url)) == "<a>x</a>"
    for url in ("/a.pdf#page=2", "https://example.org/", "?q=x", "b.html"):
        assert safe_url(url), url


def test_dash_link_is_a_link_and_input_is_drawn_as_dash_draws_it():
    assert to_html(dcc.Link("Next", href="/search?q=a&page=2", className="next")) == (
        '<a class="next" href="/search?q=a&amp;page=2">Next</a>'
    )
    out = to_html(dcc.Input(id="q", name="q", value='"x"', type="search", className="search-input",
                            autoFocus=True, maxLength=10, n_submit=0, debounce=False))
    assert out.startswith('<div class="dash-input-container dash-input search-input"><input class="dash-input-element"')
    assert out.endswith("></div>")
    for attr in ('id="q"', 'name="q"', 'value="&quot;x&quot;"', 'type="search"', " autofocus", 'maxlength="10"'):
        assert attr in out, attr
    assert "n_submit" not in out and "debounce" not in out and "</input>" not in out


def test_other_components_give_their_children():
    assert to_html(html.Div([dcc.Location(id="url"), dcc.Loading(html.P("in"))])) == "<div><p>in</p></div>"
