"""Admin access: password hashes, signed session cookies, CSRF and origin checks.

There is no default password. Without ``admin.password_hash`` (or the
``SITESEER_ADMIN_PASSWORD[_HASH]`` environment variables) the admin is off.

Sessions are stateless cookies signed with itsdangerous. The signing key is
derived from ``secret_key`` *and* the password hash, so changing the
password invalidates every session issued before. Without a ``secret_key``
of the user's, ``serve`` makes a random one and keeps it in the state folder
(``keep_session_secret``): the hash alone, if it leaked, must not be enough
to sign a session. Each session carries a
random CSRF token that state-changing requests must echo in a header or a
form field (Dash's renderer sends the ``CSRF_COOKIE`` value as
``X-CSRFToken`` on every callback).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import time
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer

log = logging.getLogger("siteseer.admin")

SESSION_COOKIE = "siteseer_admin"
SESSION_SECRET_FILE = "session-secret"  # in the state folder
CSRF_COOKIE = "siteseer_admin_csrf"
CSRF_HEADER = "X-CSRFToken"
COOKIE_PATH = "/"   # /metrics reads the session too
LOGIN_PATH = "/admin/login"

# What a 401 of the admin carries in ``WWW-Authenticate``: RFC 9110 15.5.2 says
# a 401 MUST name at least one challenge. The admin's login is a form that sets
# a session cookie, not an HTTP scheme, so the challenge says that, in the
# "Cookie" scheme of draft-broyer-http-cookie-auth (where the form posts, which
# cookie it sets). Browsers prompt only for schemes they know (Basic, Digest…)
# and show the body of any other 401: here, the login form. Keeping 401 (not a
# redirect to the form, as many sites do) keeps "log in first" apart from the
# admin's 403s (cross-origin, CSRF) for the dashboard's own script calls.
CHALLENGE = f'Cookie realm="siteseer admin", form-action="{LOGIN_PATH}", cookie-name={SESSION_COOKIE}'

# scrypt cost: ~50–100 ms and 32 MiB per hash, so guessing offline is slow.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
_MAX_N = 2 ** 20


def hash_password(password: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$n$r$p$salt$hash`` (salt and hash in unpadded URL-safe base64)."""
    if not password:
        raise ValueError("the admin password must not be empty")
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, r, p)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """True when ``password`` matches ``encoded``; False for any malformed hash. Constant-time compare."""
    parts = _parsed(encoded)
    if parts is None:
        return False
    n, r, p, salt, digest = parts
    actual = _scrypt(password or "", salt, n, r, p, len(digest))
    return hmac.compare_digest(actual, digest)


def is_valid_hash(encoded: str) -> bool:
    """Whether ``encoded`` is a hash ``verify_password`` can check (else no password would ever log in)."""
    return _parsed(encoded) is not None


def _parsed(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    """``scrypt$n$r$p$salt$hash`` as (n, r, p, salt, hash), or None when malformed or out of bounds."""
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        n, r, p = int(n), int(r), int(p)
        if scheme != "scrypt" or not (2 <= n <= _MAX_N) or n & (n - 1) or not (1 <= r <= 32) or not (1 <= p <= 16):
            return None
        salt_bytes, digest_bytes = _unb64(salt), _unb64(digest)
    except (AttributeError, ValueError):
        return None
    return (n, r, p, salt_bytes, digest_bytes) if salt_bytes and digest_bytes else None


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int = 32) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * n * r * p + (1 << 20), dklen=length)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def admin_enabled(config) -> bool:
    return is_valid_hash(config.admin.password_hash)


# --- sessions ---------------------------------------------------------------

def keep_session_secret(config) -> None:
    """Give ``config`` the session secret kept in its state folder when it has none of
    its own (made there, readable by this user only, on first need).

    Called where the workers' configuration is made, so they all sign alike, and
    sessions outlive a restart. A secret that cannot be read or kept leaves the
    key derived from the hash alone, as before, with a warning.
    """
    if config.secret_key or not admin_enabled(config):
        return
    path = config.state_dir / SESSION_SECRET_FILE
    try:
        config.secret_key = _read_or_make_secret(path)
    except OSError as exc:
        log.warning("cannot keep a session secret in %s (%s): admin sessions are signed with a key "
                    "derived from the password hash alone; set SITESEER_SECRET_KEY", path, exc)


def _read_or_make_secret(path) -> str:
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        text = ""
    except UnicodeDecodeError:
        raise OSError("not the secret siteseer wrote") from None
    if len(text) >= 32:
        return text
    if text:
        raise OSError("not the secret siteseer wrote")
    # Written aside and linked into place: a second siteseer on this folder sees
    # either no file or the whole secret, and keeps the one that got there first.
    made = secrets.token_urlsafe(32)
    aside = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(made + "\n")
        os.link(aside, path)
    except FileExistsError:
        return _read_or_make_secret(path)
    finally:
        aside.unlink(missing_ok=True)
    return made


@dataclass(frozen=True)
class Session:
    csrf: str
    issued: float


class SessionSigner:
    """Issue and check admin session cookies for one configuration."""

    def __init__(self, config):
        key_material = f"{config.secret_key}\0{config.admin.password_hash}".encode()
        key = hmac.new(b"siteseer admin session v1", key_material, hashlib.sha256).digest()
        self._serializer = URLSafeTimedSerializer(key, salt="siteseer-admin-session")
        self.max_age = int(config.admin.session_hours * 3600)

    def issue(self) -> tuple[str, str]:
        """A new (cookie value, CSRF token)."""
        csrf = secrets.token_urlsafe(24)
        return self._serializer.dumps({"csrf": csrf}), csrf

    def load(self, value: str | None) -> Session | None:
        """The session in a cookie value, or None when missing, forged or expired."""
        if not value:
            return None
        try:
            data, issued = self._serializer.loads(value, max_age=self.max_age, return_timestamp=True)
        except BadSignature:  # SignatureExpired is a BadSignature too
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        return Session(csrf=data["csrf"], issued=issued.timestamp())

    def from_cookie_header(self, header: str | None) -> Session | None:
        """The session from a raw ``Cookie`` header (for handlers outside Flask)."""
        return self.load(parse_cookies(header).get(SESSION_COOKIE))


def parse_cookies(header: str | None) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in cookies:
            cookies[name] = value.strip().strip('"')
    return cookies


def cookie_flags(secure: bool, max_age: int | None) -> str:
    flags = f"Path={COOKIE_PATH}; SameSite=Strict"
    if max_age is not None:
        flags += f"; Max-Age={max_age}"
    return flags + ("; Secure" if secure else "")


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf.encode(), str(token).encode())


def same_origin(headers: Mapping[str, str], scheme: str, host: str | None) -> bool:
    """False when the browser says the request comes from another site.

    ``Sec-Fetch-Site`` (all current browsers) must be ``same-origin``;
    failing that, ``Origin`` must be this scheme and host. A request with
    neither header is not from a browser page and must still pass CSRF.
    """
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is not None:
        if origin == "null" or not host:
            return False
        parts = urlsplit(origin)
        return parts.scheme == scheme and parts.netloc.lower() == host.lower()
    return True
