"""Error answers: a small HTML page for people, JSON for programs.

Every message shown is escaped: error pages echo parts of the request.
"""

from __future__ import annotations

import html
from http import HTTPStatus

from siteseer.server.messages import Request, Response


def wants_json(request: Request) -> bool:
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept") or ""
    return "application/json" in accept and "text/html" not in accept


# Plain HTML, no script: the way on from a bad URL is a search. A client
# refused by the access lists would be refused the search too: no form.
_SEARCH_FORM = (
    "<form action=\"/search\" method=\"get\" role=\"search\">"
    "<input type=\"search\" name=\"q\" aria-label=\"Search this site\" placeholder=\"Search this site\"> "
    "<button type=\"submit\">Search</button></form>"
)
_REFUSED = ""


def error_response(request: Request | None, status: int, message: str = "",
                   headers: list[tuple[str, str]] | None = None) -> Response:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    message = message or reason
    extra = list(headers or [])
    if request is not None and wants_json(request):
        return Response.json({"error": {"status": status, "message": message}}, status, extra)
    page = (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{status} {html.escape(reason)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:10vh auto;padding:0 1rem;color:#222}"
        "h1{font-weight:400}a{color:#1a0dab}</style></head><body>"
        f"<h1>{status} {html.escape(reason)}</h1><p>{html.escape(message)}</p>"
        f"{_REFUSED if status == 403 else _SEARCH_FORM}</body></html>"
    )
    return Response.html(page, status, extra)
