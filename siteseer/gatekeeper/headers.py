"""Security headers added to every answer.

Dash pages get a strict Content-Security-Policy: scripts only from this
origin plus the hashes of Dash's own inline renderer script. Files of the
served folder get a policy that only forbids framing by other sites, since
a folder's own HTML may rightly use inline scripts.
"""

from __future__ import annotations

BASE_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "SAMEORIGIN"),
)

FILES_CSP = "frame-ancestors 'self'"


def app_csp(script_hashes: list[str]) -> str:
    """The policy the Dash pages, the API and the error pages run under."""
    # Dash's csp_hashes() come quoted already; accept either form.
    # Unquoted before the set: the same hash quoted and not was listed twice.
    hashes = " ".join(f"'{h}'" for h in sorted({h.strip(chr(39)) for h in script_hashes}))
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {hashes}".rstrip(),
        # Dash components inject <style> elements and style attributes.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])
