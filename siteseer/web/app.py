"""The public web app: home, search results, not-found and ``--pages`` pages.

Contract (docs/ARCHITECTURE.md, "Web (Dash)"):

* ``create_web_app(config, search_service) -> dash.Dash`` (Flask backend).
* ``web_paths(app) -> WebRoutes(exact, prefixes, post)``: the URL paths the
  server core hands to this app, and which of them take only POST. Any other
  path the core sends here (its 404 case) is rendered as the not-found page
  with status 200 (the core sets 404); a path inside the app's own space that
  nothing serves (``/_siteseer/nope.css``, ``/_dash-component-suites/x``) is
  answered 404 here, and a bad callback request 400.
* ``csp_script_hashes(app) -> list[str]``: the ``'sha256-…'`` sources the
  core adds to ``script-src 'self'`` so Dash's inline renderer script runs.
* ``load_user_pages(app, pages_dir)`` (in ``siteseer.web.user_pages``).

How a first load shows results without a second request
--------------------------------------------------------
Dash's renderer loads the page HTML, then ``GET /_dash-layout``. The layout
here is a *function*: it works out the URL of the page being shown and
renders that page (results included) straight into the layout. The page URL
reaches ``/_dash-layout`` in its ``Referer`` header; the index HTML carries
``<meta name="referrer" content="same-origin">`` so browsers always send the
full URL for our own requests, whatever ``Referrer-Policy`` the core sets
(the meta element overrides the header for this document) and nothing to
other sites. The layout also records which URL it rendered (``page-url``).

A small clientside callback (``siteseer.route`` in assets/siteseer.js)
compares the browser's real location with ``page-url`` whenever
``dcc.Location`` reports it (on mount, on ``dcc.Link`` clicks, on
Back/Forward). Only when they differ (a later navigation, or a first load
whose Referer was missing or truncated) does it hand the URL to the one
server callback, ``navigate``, which renders the page. So a first load costs
exactly one layout request, and every later move exactly one callback.
"""

from __future__ import annotations

import hashlib
import html as html_escape
import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dash
import flask
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash import _callback as dash_callback_registry
from dash._validate import validate_output_spec
from dash.dependencies import Output as DashOutput
from dash.exceptions import DependencyException
from werkzeug.exceptions import MethodNotAllowed, NotFound

from siteseer.files.resolve import PrivatePaths
from siteseer.web.render import Rendered, Site, header, known_path, no_script_page, page_title, render_url
from siteseer.web.setup import set_up_now
from siteseer.web.static_html import to_html
from siteseer.web.user_pages import UserPageError, load_user_pages

log = logging.getLogger("siteseer.web")

ASSETS_DIR = Path(__file__).with_name("assets")
ASSETS_URL_PATH = "_siteseer"  # → /_siteseer/<file>
MAX_SUGGEST_PREFIX = 100
_FINGERPRINT_RE = re.compile(r"\.v([\w-]+)m([0-9a-fA-F]+)\.")

_INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>{%title%}</title>
<link rel="icon" type="image/svg+xml" href="/_siteseer/favicon.svg">
<link rel="search" type="application/opensearchdescription+xml" href="/api/opensearch.xml" title="{site_title}">
{%css%}
</head>
<body>
{%app_entry%}
{%config%}
{%scripts%}
{%renderer%}
</body>
</html>"""


def _index_string(site_name: str) -> str:
    """The page shell, naming the site in its OpenSearch link (browsers show it as "Search <title>").

    Escaped for HTML, and its braces too: Dash fills ``{%...%}`` in the shell.
    """
    return _INDEX_STRING.replace("{site_title}", inert_text(site_name))


def inert_text(text: str) -> str:
    """``text`` escaped for HTML, and its braces and percent signs too: Dash fills the
    shell's ``{%...%}`` one after another, so one in a value filled before (the title,
    which says the query) would be filled with the page's config or scripts."""
    return html_escape.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")


_APP_ENTRY = """<div id="react-entry-point"><div class="_dash-loading" role="status">Loading…</div></div>"""
# Readers without JavaScript: the page itself (``_no_script_html``), else this.
_NO_SCRIPT = """<noscript><p class="noscript">This page needs JavaScript. Files are still reachable at their own addresses.</p></noscript>"""


def _no_script_html(page: Rendered) -> str:
    """``page`` for readers without scripts; Dash's "Loading…" is hidden for them."""
    return ("<noscript><style>#react-entry-point{display:none}</style>"
            f'<div class="site"><div id="page" class="page">{to_html(page.children)}</div></div></noscript>')

# Keys of Dash's front-end config that only advertise versions.
_VERSION_KEYS = (
    "dash_version", "python_version", "plotly_version", "ddk_version", "dash_version_url", "plotly_cloud_installed",
)

_global_callbacks_lock = threading.Lock()


@dataclass(frozen=True)
class WebRoutes:
    """Paths the server core hands to the web app: exact paths and prefixes,
    and the exact paths that take only POST."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    post: frozenset[str] = frozenset()  # paths that take only POST (Dash's callbacks)

    def matches(self, path: str) -> bool:
        return path in self.exact or path.startswith(self.prefixes)

    def allow(self, path: str) -> str:
        """The ``Allow`` value for ``path``: what this app answers there.

        The app's own 405s send it; the core's ``OPTIONS`` answer must say
        the same (it says ``GET, HEAD, POST`` for every web path, yet only the
        callback endpoint takes POST and it takes nothing else).
        """
        return "POST" if path in self.post else "GET, HEAD"


class SiteseerDash(dash.Dash):
    """Dash with the version banners taken out and per-page titles."""

    site: Site

    def _config(self):  # noqa: D401 - Dash's hook
        config = super()._config()
        for key in _VERSION_KEYS:
            config.pop(key, None)
        return config

    def interpolate_index(self, **kwargs: Any) -> str:
        # Script URLs carry "<file>.v<version>m<mtime>.js"; keep the
        # cache-busting but not the version (Dash accepts any v…m<hex>).
        kwargs["scripts"] = _FINGERPRINT_RE.sub(_anonymous_fingerprint, kwargs.get("scripts", ""))
        kwargs["css"] = _FINGERPRINT_RE.sub(_anonymous_fingerprint, kwargs.get("css", ""))
        title, no_script = self.site.name, _NO_SCRIPT
        if flask.has_request_context():
            path, raw_query = flask.request.path, flask.request.query_string.decode("latin-1")
            try:
                page = no_script_page(self.site, path, raw_query)
                if page is not None:
                    title, no_script = page.title, _no_script_html(page)
                else:
                    title = page_title(self.site, path, raw_query)
            except Exception:  # never worth a failed page: the scripts draw it
                log.exception("rendering %s without scripts failed", path)
        kwargs["app_entry"] = _APP_ENTRY + no_script
        kwargs["title"] = inert_text(title)
        kwargs["metas"] = ""
        kwargs["favicon"] = ""
        return super().interpolate_index(**kwargs)

    def index(self, *args: Any, **kwargs: Any):
        # Dash's catch-all: pages, and any path the core sends for its 404
        # (answered 200, the core sets the status). A path in the app's own
        # space that no route serves ("/_siteseer/", GET on the callback
        # endpoint) must not look like a page: answer it for real.
        if flask.has_request_context():
            path = flask.request.path
            if not known_path(self.site, path) and web_paths(self).matches(path):
                return _missing(self)
        return super().index(*args, **kwargs)

    def _setup_server(self):
        # Dash moves every callback registered with ``dash.callback`` into
        # the first app that answers a request. Other Dash apps live in this
        # process (admin, user pages we move ourselves), so this app must not
        # take theirs: hide the global registries while Dash sets up.
        if self._got_first_request.get("setup_server"):
            return
        registry = dash_callback_registry
        with _global_callbacks_lock:
            saved_map = dict(registry.GLOBAL_CALLBACK_MAP)
            saved_list = list(registry.GLOBAL_CALLBACK_LIST)
            saved_inline = list(registry.GLOBAL_INLINE_SCRIPTS)
            registry.GLOBAL_CALLBACK_MAP.clear()
            registry.GLOBAL_CALLBACK_LIST.clear()
            registry.GLOBAL_INLINE_SCRIPTS.clear()
            try:
                super()._setup_server()
            finally:
                registry.GLOBAL_CALLBACK_MAP.update(saved_map)
                registry.GLOBAL_CALLBACK_LIST[:0] = saved_list
                registry.GLOBAL_INLINE_SCRIPTS[:0] = saved_inline

    def csp_hashes(self, hash_algorithm="sha256"):
        # Same as Dash's, without taking other apps' global inline scripts.
        registry = dash_callback_registry
        with _global_callbacks_lock:
            saved_inline = list(registry.GLOBAL_INLINE_SCRIPTS)
            registry.GLOBAL_INLINE_SCRIPTS.clear()
            try:
                return super().csp_hashes(hash_algorithm)
            finally:
                registry.GLOBAL_INLINE_SCRIPTS[:0] = saved_inline


def _anonymous_fingerprint(match: re.Match) -> str:
    digest = hashlib.sha256(f"{match.group(1)}:{match.group(2)}".encode()).hexdigest()[:16]
    return f".v0m{digest}."


# --------------------------------------------------------------------------
# Answers for requests that are not pages


def _missing(app: SiteseerDash) -> flask.Response:
    """A real 404 (405 for a POST-only path) for a path in the app's own space.

    Browsers get the site's not-found page, as the core's 404 gives them;
    anything else plain text. Without this, Dash answered these paths 200 with
    the page, Werkzeug's bare page, or a 500 (a bundle it does not know), and
    the rate limiter, which counts 404s to block path scanners, saw none.
    """
    request = flask.request
    routes = web_paths(app)
    if request.path in routes.post:
        return _not_allowed(app)
    if request.method in ("GET", "HEAD") and "text/html" in request.headers.get("Accept", ""):
        return flask.Response(dash.Dash.index(app), 404, mimetype="text/html")
    return flask.Response(f"Nothing at {request.path}.\n", 404, mimetype="text/plain")


def _missing_bundle(app: SiteseerDash, exc: Exception) -> flask.Response:
    if "/_dash-component-suites/" not in flask.request.path:
        raise exc  # not a bundle: a real error (500, logged)
    return _missing(app)


def _not_allowed(app: SiteseerDash) -> flask.Response:
    request = flask.request
    return flask.Response(f"{request.method} is not allowed here.\n", 405, mimetype="text/plain",
                          headers={"Allow": web_paths(app).allow(request.path)})


def _callback_problem(callback_map: dict, data: bytes) -> str | None:
    """Why a ``/_dash-update-component`` body is not one Dash's renderer sends; None if it is.

    Dash trusts the body: ``{}``, ``null`` or an unknown output raised
    KeyError or AttributeError, JSON nested 100,000 deep RecursionError, and
    too few inputs a TypeError: each a 500 and a traceback in the log. This
    checks what Dash reads before it runs a callback; values stay the
    callbacks' own business.
    """
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    callback = callback_map.get(output) if isinstance(output, str) else None
    if callback is None or "callback" not in callback:  # clientside callbacks have no server part
        return "no such callback"
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list) or len(items) != len(callback[key]) or not all(map(_dependency, items)):
            return f"{key} do not match the callback"
    if not callback.get("no_output") and not _outputs_match(callback["output"], body.get("outputs")):
        return "outputs do not match the callback"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds is not a list of strings"
    return None


def _dependency(item: Any) -> bool:
    """An ``{"id": …, "property": …}`` item, or a list of them (a pattern-matching ALL)."""
    items = item if isinstance(item, list) else [item]
    return all(isinstance(i, dict) and isinstance(i.get("id"), (str, dict)) and isinstance(i.get("property"), str)
               for i in items)


def _outputs_match(declared: Any, outputs: Any) -> bool:
    """The request's ``outputs`` are the callback's ``declared`` ones, as Dash checks
    them (but before they can be a 500), and one item for an output without
    wildcards (for ``[]`` Dash's check passes and the answer fails)."""
    try:
        validate_output_spec(declared, outputs, DashOutput)
    except Exception:  # Dash's CallbackException, or a KeyError/TypeError on a bad item
        return False
    pairs = zip(declared, outputs) if isinstance(declared, (list, tuple)) else [(declared, outputs)]
    return all(isinstance(spec, dict) or (isinstance(spec, list) and out.has_wildcard()) for out, spec in pairs)


def check_callback_requests(app: SiteseerDash) -> None:
    """Answer 400 for callback requests Dash would fail on (``_callback_problem``)."""
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    dispatch = app.server.view_functions[endpoint]

    def checked_dispatch():
        problem = _callback_problem(app.callback_map, flask.request.get_data(cache=True))
        if problem is not None:
            return flask.Response(f"Bad callback request: {problem}.\n", 400, mimetype="text/plain")
        return dispatch()

    checked_dispatch.__name__ = dispatch.__name__  # Dash names it for CSRF exemptions
    app.server.view_functions[endpoint] = checked_dispatch


# --------------------------------------------------------------------------
# Which page is being shown?


def _page_url() -> tuple[str, str, str] | None:
    """(decoded path, raw query, raw "path?query") of the page being rendered.

    For ``/_dash-layout`` that is the page in the ``Referer`` header (the
    only way the page URL reaches that request). None when it cannot be
    known; the page then renders through the ``navigate`` callback.
    """
    if not flask.has_request_context():
        return None
    request = flask.request
    if not request.path.endswith("/_dash-layout"):
        # Dash validating the layout during a page request: no page to show.
        return None
    referer = request.headers.get("Referer")
    if not referer:
        return None
    try:
        parts = urlsplit(referer)
    except ValueError:
        return None
    raw_path = parts.path or "/"
    if not raw_path.startswith("/"):
        return None
    raw_query = parts.query
    return unquote(raw_path), raw_query, raw_path + ("?" + raw_query if raw_query else "")


def _render(site: Site, path: str, raw_query: str) -> Rendered:
    try:
        return render_url(site, path, raw_query)
    except Exception:  # never a blank page or a traceback
        log.exception("rendering %s failed", path)
        body = html.Main([html.H1("Something went wrong"), html.P("This page could not be shown. Please try again.")], id="main", className="results")
        try:  # like every page, with the search box
            children = [header(site, ""), body]
        except Exception:
            children = [body]
        return Rendered(f"Error – {site.name}", children, 500)


# Per-page facts travel in <data> elements, not dcc.Store: a memory Store
# with a reused id takes the *previous* page's value when it remounts, and
# sets its data on mount (which would run the callbacks behind it).
def _page_children(rendered: Rendered, rendered_url: str | None) -> list[Any]:
    return [
        html.Data(id="page-url", value=rendered_url),
        html.Data(id="page-title", value=rendered.title),
        *(rendered.children if isinstance(rendered.children, list) else [rendered.children]),
    ]


def _loading_children() -> list[Any]:
    return [
        html.Data(id="page-url"),
        html.Data(id="page-title"),
        html.P("Loading…", className="loading", role="status"),
    ]


def _shell(children: list[Any]) -> Any:
    return html.Div(
        [
            dcc.Location(id="url", refresh="callback-nav"),
            html.Data(id="nav"),
            html.Div(id="title-sink", hidden=True),
            # Filled by assets/siteseer.js after client-side navigation.
            html.Div(id="announce", role="status", className="visually-hidden"),
            html.A("Skip to content", href="#main", className="skip-link"),
            html.Div(children, id="page", className="page"),
        ],
        className="site",
    )


# --------------------------------------------------------------------------
# The app


def create_web_app(config: Any, search_service: Any, pages_must_load: bool = True) -> dash.Dash:
    """The main Dash app for ``config`` searching with ``search_service``.

    Loads ``config.server.pages_dir`` (``--pages``) when it is set. With
    ``pages_must_load=False`` (a server's workers) pages that fail to load are
    left out, with a log line, and the rest of the site is served: a worker
    restarted (SIGHUP, a crash) on a page edited into an error would otherwise
    die at once, again and again, and granian would stop the server.
    """
    site = Site(
        name=config.server.site_name or "siteseer",
        search=search_service,
        per_page=config.search.per_page,
        max_query_chars=config.search.max_query_chars,
        max_url_length=config.server.max_url_length,
        root=str(config.root),
        private=PrivatePaths(str(config.root), config.state_dir, config.config_path),
    )
    server = flask.Flask("siteseer.web", static_folder=None)
    server.config.update(DEBUG=False, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    app = SiteseerDash(
        "siteseer.web",
        server=server,
        assets_folder=str(ASSETS_DIR),
        assets_url_path=ASSETS_URL_PATH,
        assets_external_path="",
        url_base_pathname="/",
        serve_locally=True,
        compress=False,
        eager_loading=False,
        use_pages=False,
        include_pages_meta=False,
        index_string=_index_string(site.name),
        title=site.name,
        update_title=None,
        suppress_callback_exceptions=True,
        enable_mcp=False,
        # Plain sync callbacks: the core runs Flask in a thread pool, and
        # Dash's async mode would start an event loop per callback.
        use_async=False,
    )
    app.site = site
    app.config.update(hide_all_callbacks=False)

    def layout() -> Any:
        page = _page_url()
        if page is None:
            return _shell(_loading_children())
        path, raw_query, rendered_url = page
        return _shell(_page_children(_render(site, path, raw_query), rendered_url))

    app.layout = layout
    _register_callbacks(app, site)
    check_callback_requests(app)
    # A bundle Dash does not serve (DependencyException, else a 500), an asset
    # file that is not there (Werkzeug's bare page): the app's own 404.
    server.register_error_handler(DependencyException, lambda _exc: _missing(app))
    # A bundle Dash lists but the installed package lacks (dash_renderer.min.js.map)
    # was a 500 and a traceback in the log for anyone who asked.
    server.register_error_handler(FileNotFoundError, lambda exc: _missing_bundle(app, exc))
    server.register_error_handler(NotFound, lambda _exc: _missing(app))
    server.register_error_handler(MethodNotAllowed, lambda _exc: _not_allowed(app))

    @server.after_request
    def _headers_by_path(response: flask.Response) -> flask.Response:
        path = flask.request.path
        # The layout depends on the page (Referer): never reuse it for another.
        if path.endswith("/_dash-layout"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Vary"] = "Referer"
        # Results pages are not pages of the site: a crawler that follows their
        # links (pages, types, "did you mean") finds endless searches to index.
        elif path == "/search":
            response.headers["X-Robots-Tag"] = "noindex"
            response.vary.add("Accept-Language")  # its <noscript> results put the reader's languages first
        # A page's HTML holds what the index says now (results, the document count): always revalidated.
        if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-cache"
        return response

    pages_dir = getattr(config.server, "pages_dir", "")
    if pages_dir:
        try:
            load_user_pages(app, pages_dir)  # raises UserPageError (one line), having loaded none
        except UserPageError as exc:
            if pages_must_load:
                raise
            log.error("your pages are not served, the rest of the site is: %s", exc)
    set_up_now(app)
    return app


def _register_callbacks(app: dash.Dash, site: Site) -> None:
    # URL → page, only when the shown page is not that URL (see module doc).
    app.clientside_callback(
        ClientsideFunction("siteseer", "route"),
        Output("nav", "value"),
        Input("url", "pathname"),
        Input("url", "search"),
        State("page-url", "value"),
        prevent_initial_call=True,
    )

    @app.callback(Output("page", "children"), Input("nav", "value"), prevent_initial_call=True)
    def navigate(target: str | None):
        if not target or not isinstance(target, str) or not target.startswith("/"):
            raise dash.exceptions.PreventUpdate
        if len(target) > site.max_url_length:  # a 414 as a request; 900 KB of "/a" drew a 6 MB page
            raise dash.exceptions.PreventUpdate
        parts = urlsplit(target)
        return _page_children(_render(site, unquote(parts.path), parts.query), target)

    # The search box: Enter or the button → /search?q=… (history entry).
    app.clientside_callback(
        ClientsideFunction("siteseer", "submit"),
        Output("url", "href"),
        Input("q", "n_submit"),
        Input("q-go", "n_clicks"),
        State("q", "value"),
        prevent_initial_call=True,
    )

    # The document title follows the page (and the focus, scroll position
    # and screen-reader announcement are settled as it mounts).
    app.clientside_callback(
        ClientsideFunction("siteseer", "title"),
        Output("title-sink", "children"),
        Input("page-title", "value"),
        State("page-url", "value"),
    )

    # Suggestions: the box's value, once typing pauses, → search_service.suggest.
    app.clientside_callback(
        ClientsideFunction("siteseer", "pause"),
        Output("q-prefix", "value"),
        Input("q", "value"),
        prevent_initial_call=True,
    )

    @app.callback(Output("q-suggest", "children"), Input("q-prefix", "value"), prevent_initial_call=True)
    def suggest(value: str | None):
        prefix = value.strip() if isinstance(value, str) else ""  # the request's value: any JSON
        if len(prefix) < 2 or len(prefix) > MAX_SUGGEST_PREFIX:
            return []
        try:
            words = site.search.suggest(prefix, limit=8)
        except Exception:
            return []
        return [html.Option(value=str(w)) for w in (words or [])[:8] if w and str(w) != prefix]


def web_paths(app: dash.Dash) -> WebRoutes:
    """The URL paths the core must hand to ``app``.

    Pages (``/``, ``/search`` and every ``--pages`` path) plus Dash's own
    endpoints. Asset files and component bundles are prefixes.
    """
    prefix = app.config.routes_pathname_prefix  # "/"
    exact = {
        "/",
        "/search",
        prefix + "_dash-layout",
        prefix + "_dash-dependencies",
        prefix + "_dash-update-component",
        prefix + "_reload-hash",
        prefix + "_favicon.ico",
    }
    site: Site | None = getattr(app, "site", None)
    if site is not None:
        exact.update(site.user_pages)
    prefixes = (
        prefix + "_dash-component-suites/",
        prefix + ASSETS_URL_PATH + "/",
    )
    post = {rule.rule for rule in app.server.url_map.iter_rules() if rule.methods == {"POST", "OPTIONS"}}
    return WebRoutes(frozenset(exact), prefixes, frozenset(post & exact))


def csp_script_hashes(app: dash.Dash) -> list[str]:
    """CSP sources for the inline scripts Dash writes into the page.

    Use as ``script-src 'self' <hashes>``. Our clientside callbacks live in
    ``/_siteseer/siteseer.js`` (covered by ``'self'``), so this is only
    Dash's renderer bootstrap plus any inline clientside callbacks of
    ``--pages`` modules. Call after ``load_user_pages``.
    """
    return list(app.csp_hashes("sha256"))


__all__ = [
    "WebRoutes", "create_web_app", "web_paths", "csp_script_hashes", "load_user_pages", "UserPageError", "known_path",
]
