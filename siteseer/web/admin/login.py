"""The login page: a plain server-rendered form (no scripts, so it works
under the strict CSP and before any session exists; the CSP allows inline styles)."""

from __future__ import annotations

from html import escape

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="icon" type="image/svg+xml" href="/_siteseer/favicon.svg">
<style>{css}</style>
</head>
<body>
<main class="login">
<h1>{title}</h1>
{message}
<form method="POST" action="/admin/login">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
</form>
</main>
</body>
</html>
"""

CSS = """
body { font-family: system-ui, sans-serif; background: #f4f6f8; color: #1b1f24; margin: 0; }
.login { max-width: 22rem; margin: 12vh auto; background: #fff; padding: 2rem; border-radius: 8px;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
label { display: block; margin-bottom: .3rem; }
input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; margin-bottom: 1rem; }
button { padding: .5rem 1.2rem; font-size: 1rem; background: #1565c0; color: #fff; border: 0; border-radius: 4px; }
.error { color: #b71c1c; }
"""


def login_page(site_name: str, message: str = "") -> str:
    title = escape(f"{site_name} admin")
    note = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return _PAGE.format(title=title, message=note, css=CSS)
