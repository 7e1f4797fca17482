"""--pages: user Dash page modules served by the main web app."""

from __future__ import annotations

import json
import textwrap

import pytest
from dash import _callback as dash_callbacks

from siteseer.web.app import web_paths
from siteseer.web.user_pages import UserPageError, load_user_pages

from .conftest import call_callback, find, layout_for, texts

PAGE = '''
from dash import Input, Output, callback, html, dcc

layout = html.Div([dcc.Input(id="tp-in", value="a"), html.P(id="tp-out")], id="tp-root")

@callback(Output("tp-out", "children"), Input("tp-in", "value"))
def echo(value):
    return "echo " + str(value)
'''


def write(folder, name, body):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(body))


def test_page_served_with_callback(make_app, tmp_path):
    pages = tmp_path / "pages"
    write(pages, "tiny_page.py", PAGE)
    write(pages, "report.py", 'from dash import html\npath = "/reports/latest"\ntitle = "Latest"\n'
                               'def layout(year=None, **rest):\n    return html.P("year " + str(year), id="yr")\n')
    write(pages, "_helper.py", "raise RuntimeError('helpers are not pages')\n")
    app = make_app(pages_dir=str(pages))
    routes = web_paths(app)
    assert {"/tiny-page", "/reports/latest"} <= routes.exact
    assert not dash_callbacks.GLOBAL_CALLBACK_LIST, "page callbacks must move into the app"
    client = app.server.test_client()

    layout = layout_for(client, "/tiny-page")
    assert find(layout, "Div", id="tp-root")
    assert find(layout, "Input", id="q"), "pages sit under the site's header"
    assert call_callback(client, "tp-out.children", [{"id": "tp-in", "property": "value", "value": "hi"}]) == "echo hi"

    layout = layout_for(client, "/reports/latest?year=2024")
    assert texts(find(layout, "P", id="yr")[0]) == "year 2024"
    page_html = client.get("/reports/latest?year=1999").data.decode()
    assert "<title>Latest – Harbour Docs</title>" in page_html
    # A reader's own page is left to its scripts (its layout may draw graphs): not drawn for <noscript>.
    assert "This page needs JavaScript" in page_html and "year 1999" not in page_html
    assert "Not found" in json.dumps(layout_for(client, "/reports"))


def test_a_page_imports_its_folders_helpers(make_app, tmp_path):
    pages = tmp_path / "pages"
    write(pages, "_shared.py", "def banner(text):\n    from dash import html\n    return html.H2(text, id='sh-banner')\n")
    write(pages, "with_helper.py", "from ._shared import banner\nlayout = banner('from a helper')\n")
    client = make_app(pages_dir=str(pages)).server.test_client()
    assert texts(find(layout_for(client, "/with-helper"), "H2", id="sh-banner")[0]) == "from a helper"


@pytest.mark.parametrize("body, message", [
    ('from dash import html\npath = "/search"\nlayout = html.P()\n', "reserved"),
    ('from dash import html\npath = "/_dash-layout"\nlayout = html.P()\n', "reserved"),
    ('from dash import html\npath = "/admin/x"\nlayout = html.P()\n', "reserved"),
    ('from dash import html\npath = "relative"\nlayout = html.P()\n', "must be a string starting with '/'"),
    ("x = 1\n", "defines no layout"),
    ("import does_not_exist_anywhere\n", "import failed"),
    # Two "main"s: the skip link and the focus after navigation went to the page's
    ('from dash import html\nlayout = html.Div(html.Main("x", id="main"))\n', "id 'main' is siteseer's own"),
    ('from dash import html, dcc\ndef layout(**q):\n    return html.Div(dcc.Input(id="q"))\n', "id 'q' is siteseer's own"),
])
def test_bad_pages_are_refused(make_app, tmp_path, body, message):
    pages = tmp_path / "pages"
    write(pages, "bad.py", body)
    with pytest.raises(UserPageError, match=message):
        make_app(pages_dir=str(pages))


def test_a_layout_that_needs_its_arguments_is_still_loaded(make_app, tmp_path):
    pages = tmp_path / "pages"
    write(pages, "needs.py", 'from dash import html\ndef layout(name):\n    return html.P(name, id="nd-p")\n')
    assert "/needs" in web_paths(make_app(pages_dir=str(pages))).exact


def test_missing_folder_and_duplicate_path(make_app, tmp_path):
    with pytest.raises(UserPageError, match="not a folder"):
        make_app(pages_dir=str(tmp_path / "nope"))
    pages = tmp_path / "dup"
    write(pages, "a.py", 'from dash import html\npath = "/same"\nlayout = html.P()\n')
    write(pages, "b.py", 'from dash import html\npath = "/same"\nlayout = html.P()\n')
    with pytest.raises(UserPageError, match="already used"):
        make_app(pages_dir=str(pages))


def test_a_refused_folder_leaves_the_app_as_it_was(make_app, tmp_path):
    # A good page with a callback, then one that fails: neither stays half-loaded, so a worker
    # that is refused them (create_web_app(pages_must_load=False)) serves the rest of the site.
    pages = tmp_path / "pages"
    write(pages, "a_good.py", PAGE)
    write(pages, "b_bad.py", "import does_not_exist_anywhere\n")
    app = make_app()
    callbacks = (dict(app.callback_map), list(dash_callbacks.GLOBAL_CALLBACK_LIST), dict(dash_callbacks.GLOBAL_CALLBACK_MAP))
    with pytest.raises(UserPageError, match="b_bad.py: import failed"):
        load_user_pages(app, pages)
    assert app.site.user_pages == {} and "/a-good" not in web_paths(app).exact
    assert (dict(app.callback_map), list(dash_callbacks.GLOBAL_CALLBACK_LIST), dict(dash_callbacks.GLOBAL_CALLBACK_MAP)) == callbacks


def test_a_servers_worker_serves_the_site_without_pages_that_fail(make_app, tmp_path, caplog):
    pages = tmp_path / "pages"
    write(pages, "a_good.py", PAGE)
    write(pages, "b_bad.py", "raise SyntaxError('edited into an error')\n")
    with caplog.at_level("ERROR", logger="siteseer.web"):
        app = make_app(pages_dir=str(pages), pages_must_load=False)
    assert "your pages are not served, the rest of the site is" in caplog.text and "b_bad.py" in caplog.text
    client = app.server.test_client()
    assert client.get("/").status_code == 200 and find(layout_for(client, "/search?q=lighthouse"), "Input", id="q")
    assert "Not found" in json.dumps(layout_for(client, "/a-good"))


def test_load_user_pages_directly(make_app, tmp_path):
    pages = tmp_path / "pages"
    write(pages, "one.py", 'from dash import html\nlayout = html.P("one", id="one")\n')
    app = make_app()
    loaded = load_user_pages(app, pages)
    assert [p.path for p in loaded] == ["/one"]
    assert "/one" in web_paths(app).exact
    assert find(layout_for(app.server.test_client(), "/one"), "P", id="one")


def test_page_in_browser(browser, make_app, tmp_path):
    from playwright.sync_api import expect

    from .conftest import LiveApp

    pages = tmp_path / "pages"
    write(pages, "tiny_page.py", PAGE)
    app = make_app(pages_dir=str(pages))
    live = LiveApp(app, None)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live.url + "/tiny-page")
        expect(page.locator("#tp-out")).to_have_text("echo a")
        page.fill("#tp-in", "typed")
        expect(page.locator("#tp-out")).to_have_text("echo typed")
        assert page.title() == "tiny page – Harbour Docs"
    finally:
        context.close()
        live.stop()
