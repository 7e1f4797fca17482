"""Finish a Dash app's set-up while the worker starts, not in its first request.

Dash sets itself up in the first request a process answers: it marks the
set-up done, *then* registers the script bundles it may serve and copies in
the callbacks. The core runs Dash in a thread pool, and a browser asks for a
page's dozen bundles at once, so a fresh worker's other threads could see the
mark before the work: a 500 ("dash is not a registered library") and a page
stuck on "Loading..." (found by the two-worker admin browser test). Running
the set-up when the worker builds the app leaves nothing to race.
"""

from __future__ import annotations

import dash


def set_up_now(app: dash.Dash, page_path: str = "/") -> None:
    """Run Dash's first-request set-up for ``app`` now (idempotent, like Dash's own)."""
    with app.server.test_request_context(page_path):
        app._setup_server()
