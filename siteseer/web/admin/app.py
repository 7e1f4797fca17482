"""``create_admin_app``: the Flask app the core mounts at ``/admin``.

It holds the dashboard (a Dash app under ``/admin/``) plus ``/admin/login``
and ``/admin/logout``. One ``before_request`` guard stands in front of
every route, Dash's own included (layout, dependencies, callbacks,
component bundles, assets):

* admin off (no password hash): 404 for everything;
* no valid session: 401 with ``WWW-Authenticate`` (``auth.CHALLENGE``; the
  dashboard URL shows the login form with it);
* a POST (every Dash callback, logout) must come from this origin and
  carry the session's CSRF token, else 403.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import dash
import flask
from dash.exceptions import DependencyException

from siteseer.stats.aggregate import TrafficStats
from siteseer.stats.auth import (CHALLENGE, CSRF_COOKIE, CSRF_HEADER, LOGIN_PATH, SESSION_COOKIE, SessionSigner,
                                 admin_enabled, csrf_ok, same_origin, verify_password)
from siteseer.stats.throttle import LoggedOut, LoginGate, LoginThrottle, throttle_key
from siteseer.web.admin import callbacks, layout
from siteseer.web.admin.login import login_page
from siteseer.web.app import check_callback_requests, inert_text
from siteseer.web.setup import set_up_now

log = logging.getLogger("siteseer.admin")

PREFIX = "/admin/"
ASSETS = Path(__file__).parent / "assets"
OPEN_PATHS = frozenset({LOGIN_PATH})
DASH_EXTENSION = "siteseer.dash"


class AdminServices(Protocol):
    """What the admin app needs from the worker (the core's ``Services`` fits)."""

    block_store: Any   # siteseer.stats.blocks.BlockStore
    recorder: Any      # siteseer.stats.recorder.TrafficRecorder | None
    access: Any        # siteseer.gatekeeper.access.AccessList | None: the lists the worker enforces


@dataclass
class SimpleServices:
    block_store: Any
    recorder: Any = None
    access: Any = None


def client_ip() -> str:
    request = flask.request.environ.get("siteseer.request")
    return getattr(request, "client_ip", None) or flask.request.remote_addr or "unknown"


# Dash's page shell, in English (a screen reader reads a page with no lang in its
# user's language), with the scripts outside any landmark (Dash's <footer> held only them).
_INDEX_STRING = (dash.dash._default_index.replace("<html>", '<html lang="en">', 1)
                 .replace("<footer>", "", 1).replace("</footer>", "", 1))


def create_admin_app(config, services: AdminServices) -> flask.Flask:
    server = flask.Flask("siteseer.web.admin", static_folder=None)
    server.config.update(MAX_CONTENT_LENGTH=config.server.max_body_bytes)
    site_name = config.server.site_name
    enabled = admin_enabled(config)
    if not enabled:
        if config.admin.password_hash:
            log.warning("admin dashboard is off: admin.password_hash is not a valid scrypt hash")
        else:
            log.info("admin dashboard is off: no admin.password_hash (or %s) is set", "SITESEER_ADMIN_PASSWORD")

        @server.before_request
        def off():
            return flask.Response("Not found\n", 404, mimetype="text/plain")

        return server

    signer = SessionSigner(config)
    throttle = LoginThrottle(config.state_dir)
    gate = LoginGate()
    logged_out = LoggedOut(config.state_dir)
    stats = TrafficStats(config.state_dir)

    def load_session(req):
        session = signer.load(req.cookies.get(SESSION_COOKIE))
        return None if session is None or session.csrf in logged_out else session

    @server.before_request
    def guard():
        req = flask.request
        if req.path in OPEN_PATHS:
            return None
        session = load_session(req)
        if session is None:
            if req.method == "GET" and req.path in ("/admin", PREFIX):
                return _login_response(site_name, "", 401)
            return flask.Response("Log in at /admin/ first.\n", 401, mimetype="text/plain",
                                  headers={"cache-control": "no-store"})
        flask.g.admin_session = session
        if req.method not in ("GET", "HEAD"):
            if not same_origin(req.headers, req.scheme, req.host):
                return flask.Response("Cross-origin request refused.\n", 403, mimetype="text/plain")
            token = req.headers.get(CSRF_HEADER)
            if token is None and req.path == "/admin/logout":
                token = req.form.get("csrf")
            if not csrf_ok(session, token):
                return flask.Response("Missing or wrong CSRF token.\n", 403, mimetype="text/plain")
        return None

    @server.after_request
    def no_store(response: flask.Response) -> flask.Response:
        # Nothing under /admin may sit in a shared cache; fingerprinted bundles are fine in the browser's.
        if "/_dash-component-suites/" not in flask.request.path:
            response.headers["cache-control"] = "no-store"
        else:
            response.headers["cache-control"] = "private, max-age=31536000"
        return response

    @server.after_request
    def challenge(response: flask.Response) -> flask.Response:
        # Every 401 (not logged in, wrong password) must name its challenge.
        if response.status_code == 401:
            response.headers.setdefault("WWW-Authenticate", CHALLENGE)
        return response

    @server.route(LOGIN_PATH, methods=["GET", "POST"])
    def login():
        req = flask.request
        if req.method == "GET":
            if load_session(req) is not None:
                return flask.redirect(PREFIX, 303)
            return _login_response(site_name, "", 200)
        if not same_origin(req.headers, req.scheme, req.host):
            return flask.Response("Cross-origin request refused.\n", 403, mimetype="text/plain")
        ip = client_ip()
        key = throttle_key(ip)
        wait = throttle.wait(key)
        if wait > 0:
            return _too_many(site_name, "Too many failed logins", wait)
        wait = gate.try_enter()
        if wait > 0:
            log.warning("admin login from %s refused: too many logins at once", ip)
            return _too_many(site_name, "Too many logins at once", wait)
        try:
            ok = verify_password(req.form.get("password", ""), config.admin.password_hash)
        finally:
            gate.leave()
        if not ok:
            throttle.failed(key)
            log.warning("failed admin login from %s", ip)
            return _login_response(site_name, "Wrong password.", 401)
        throttle.succeeded(key)
        log.info("admin login from %s", ip)
        value, csrf = signer.issue()
        response = flask.redirect(PREFIX, 303)
        _set_cookies(response, value, csrf, signer.max_age, req.scheme == "https")
        return response

    @server.route("/admin/logout", methods=["POST"])
    def logout():
        session = flask.g.admin_session  # the guard let only a session with its CSRF token in
        logged_out.add(session.csrf, session.issued + signer.max_age)
        response = flask.redirect("/admin/login", 303)
        _set_cookies(response, "", "", 0, flask.request.scheme == "https")
        return response

    app = dash.Dash(
        "siteseer.web.admin", server=server,
        requests_pathname_prefix=PREFIX, routes_pathname_prefix=PREFIX,
        assets_folder=str(ASSETS), assets_url_path="_siteseer",
        serve_locally=True, compress=False, title=inert_text(f"{site_name} admin"), update_title=None,
        csrf_token_name=CSRF_COOKIE, csrf_header_name=CSRF_HEADER,
        enable_mcp=False, health_endpoint=None,
        # Sync callbacks: Dash's async mode starts an event loop per call, which
        # fails in the core's worker threads.
        use_async=False,
        index_string=_INDEX_STRING,
    )

    def serve_layout():
        # Dash also calls this once at start-up (outside any request) to check it.
        session = flask.g.get("admin_session") if flask.has_request_context() else None
        return layout.page(site_name, session.csrf if session else "")

    # A bundle Dash does not know (DependencyException), or one it lists but the
    # installed package lacks (dash_renderer.min.js.map: FileNotFoundError), was a
    # 500 with a traceback in the log: a 404, as the main app answers them.
    server.register_error_handler(DependencyException, _bundle_missing)
    server.register_error_handler(FileNotFoundError, _bundle_missing)

    app.layout = serve_layout
    access = getattr(services, "access", None)

    def config_blocks() -> tuple[str, ...]:
        # As the worker enforces them: the file's edits apply within seconds, with no
        # signal, and the list showed the blocks the worker started with.
        return access.config_block if access is not None else tuple(config.access.block)

    callbacks.register(app, stats, services.block_store, config_blocks=config_blocks)
    # A logged-in admin's malformed callback body ({}, null, an unknown output,
    # inputs not the callback's) was a 500 and a traceback, as on the public
    # pages before the same check: a 400 now.
    check_callback_requests(app)
    set_up_now(app, PREFIX)
    server.extensions[DASH_EXTENSION] = app
    return server


def _bundle_missing(exc: Exception) -> flask.Response:
    if "/_dash-component-suites/" not in flask.request.path:
        raise exc  # not a bundle: a real error, answered 500 and logged
    return flask.Response("Not found\n", 404, mimetype="text/plain")


def _login_response(site_name: str, message: str, status: int) -> flask.Response:
    return flask.Response(login_page(site_name, message), status, mimetype="text/html",
                          headers={"cache-control": "no-store"})


def _too_many(site_name: str, why: str, wait: float) -> flask.Response:
    seconds = int(wait) + 1
    response = _login_response(site_name, f"{why}: try again in {seconds} s.", 429)
    response.headers["retry-after"] = str(seconds)
    return response


def _set_cookies(response: flask.Response, session: str, csrf: str, max_age: int, secure: bool) -> None:
    """The session (HttpOnly) and the CSRF token Dash's renderer reads (not HttpOnly)."""
    for name, value, http_only in ((SESSION_COOKIE, session, True), (CSRF_COOKIE, csrf, False)):
        response.set_cookie(name, value, max_age=max_age, path="/", secure=secure, httponly=http_only,
                            samesite="Strict")


def csp_script_hashes(app: flask.Flask) -> list[str]:
    """Hashes of the admin Dash app's inline scripts, without quotes (for ``app_csp``)."""
    dash_app = app.extensions.get(DASH_EXTENSION)
    if dash_app is None:
        return []
    return [h.strip("'") for h in dash_app.csp_hashes()]
