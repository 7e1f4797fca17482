"""Configuration: ``siteseer.toml`` in the served folder (or ``--config``).

Every setting has a safe default, so a folder with no config file works.
A wrong setting raises ``ConfigError`` with one line naming the key and the
reason; the CLI prints that line and exits (no traceback). Secrets can come
from environment variables so they never need to sit in the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import json
import math
import os
import ssl
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_FILE_NAME = "siteseer.toml"

# Environment variables that override the file (secrets and deploy-time knobs).
ENV_ADMIN_PASSWORD = "SITESEER_ADMIN_PASSWORD"
ENV_ADMIN_PASSWORD_HASH = "SITESEER_ADMIN_PASSWORD_HASH"
ENV_SECRET_KEY = "SITESEER_SECRET_KEY"
# How the CLI hands the resolved config to granian's worker processes.
ENV_CONFIG_JSON = "SITESEER_CONFIG_JSON"


class ConfigError(Exception):
    """A setting is wrong. ``str(err)`` is one line: ``key: reason``."""

    def __init__(self, key: str, reason: str):
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    site_name: str = "siteseer"
    header_read_timeout: float = 10.0  # seconds granian waits for a request's headers
    max_header_bytes: int = 65536
    max_url_length: int = 8192
    max_body_bytes: int = 1 << 20  # Dash callbacks and API bodies; files take no bodies
    access_log: str = "combined"  # combined | json | off
    redirect_status: int = 301  # 301 or 308
    pages_dir: str = ""  # extra Dash pages (``--pages``)
    # https: a PEM certificate chain (a "fullchain.pem") and its private key, both or
    # neither; relative to the configuration file's folder (``check_tls``).
    tls_cert: str = ""
    tls_key: str = ""
    # Strict-Transport-Security's max-age, on answers over https (0: not sent).
    # Browsers then ask this host over https alone until it runs out.
    hsts_max_age: int = 0


@dataclass
class FilesConfig:
    directory_listing: bool = True
    serve_dotfiles: bool = False
    compress_min_bytes: int = 1024
    cache_control: str = "no-cache"  # validators make revalidation cheap


PROXY_HEADERS = ("x-forwarded-for", "forwarded")


@dataclass
class AccessConfig:
    block: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)  # empty: everyone not blocked
    trusted_proxies: list[str] = field(default_factory=list)
    # The one header the trusted proxies write the client into (nginx's real_ip_header):
    # "X-Forwarded-For" or "Forwarded". The other is the client's own, passed on.
    proxy_header: str = "X-Forwarded-For"


@dataclass
class IndexConfig:
    enabled: bool = True
    state_dir: str = ".siteseer"  # relative to the served folder unless absolute
    max_unit_chars: int = 30000
    max_file_bytes: int = 50 << 20  # larger documents are recorded as skipped
    # Seconds one file's extraction may take (a batch's, until one is singled out); longer is
    # recorded as skipped. The corpus's slowest file, a 7 MB PDF of 1,611 pages, takes 2.8 s.
    extract_timeout: float = 120.0
    exclude: list[str] = field(default_factory=list)  # glob patterns, relative paths
    workers: int = 0  # extraction processes; 0 = one per core
    watch: bool = True


@dataclass
class SearchConfig:
    per_page: int = 10
    max_per_page: int = 50
    max_query_chars: int = 1000
    # Answers kept per worker until the index changes; 0 computes every search.
    result_cache: int = 2048
    # Words that find each other, a group a string: ["postgres, postgresql", "k8s, kubernetes"].
    synonyms: list[str] = field(default_factory=list)


@dataclass
class AdminConfig:
    password_hash: str = ""  # see siteseer.stats.auth for the format
    session_hours: float = 12.0
    metrics_allow: list[str] = field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])


@dataclass
class RateLimitConfig:
    enabled: bool = True
    rate: float = 100.0  # requests per second per client
    burst: int = 400
    auto_block_minutes: float = 10.0  # 0 disables automatic blocks
    max_404_per_minute: int = 120


@dataclass
class StatsConfig:
    enabled: bool = True
    retention_days: int = 30


@dataclass
class Config:
    root: Path = Path(".")
    config_path: Path | None = None
    server: ServerConfig = field(default_factory=ServerConfig)
    files: FilesConfig = field(default_factory=FilesConfig)
    access: AccessConfig = field(default_factory=AccessConfig)
    redirects: dict[str, str] = field(default_factory=dict)
    index: IndexConfig = field(default_factory=IndexConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    admin: AdminConfig = field(default_factory=AdminConfig)
    ratelimit: RateLimitConfig = field(default_factory=RateLimitConfig)
    stats: StatsConfig = field(default_factory=StatsConfig)
    secret_key: str = ""  # signs admin sessions; empty: serve makes one and keeps it in the state folder

    @property
    def state_dir(self) -> Path:
        path = Path(self.index.state_dir)
        return path if path.is_absolute() else self.root / path

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["root"] = str(self.root)
        data["config_path"] = str(self.config_path) if self.config_path else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> "Config":
        data = json.loads(text)
        root = Path(data.pop("root"))
        config_path = data.pop("config_path")
        config = _build(data, source="(worker)")
        config.root = root
        config.config_path = Path(config_path) if config_path else None
        return config


_SECTIONS = {
    "server": ServerConfig,
    "files": FilesConfig,
    "access": AccessConfig,
    "index": IndexConfig,
    "search": SearchConfig,
    "admin": AdminConfig,
    "ratelimit": RateLimitConfig,
    "stats": StatsConfig,
}


def load_config(root: str | Path, config_file: str | Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Read the configuration for serving ``root``.

    Looks for ``--config`` first, then ``siteseer.toml`` in ``root``; with
    neither, every default applies. Raises ``ConfigError`` for any problem.
    """
    env = os.environ if env is None else env
    root_path = Path(root).expanduser()
    if not root_path.is_dir():
        raise ConfigError("DIR", f"{root_path} is not a folder")
    root_path = root_path.resolve()

    path: Path | None
    if config_file is not None:
        path = Path(config_file).expanduser()
        if not path.is_file():
            raise ConfigError("--config", f"{path} {'is not a regular file' if path.exists() else 'does not exist'}")
    else:
        candidate = root_path / CONFIG_FILE_NAME
        path = candidate if candidate.is_file() else None

    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(path), f"not valid TOML ({exc})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(path), f"cannot be read ({exc})") from None

    config = _build(data, source=str(path) if path else "(defaults)")
    config.root = root_path
    config.config_path = path.resolve() if path else None
    if os.path.realpath(config.state_dir) == os.path.realpath(config.root):
        # Checked once the folder is known (in _check it was the current directory's).
        # The file server hides a state folder inside DIR, not DIR itself: the traffic
        # records and catalog would be served to anyone, and the index would index itself.
        raise ConfigError("index.state_dir", f"must not be the served folder itself ({config.index.state_dir!r}); "
                                             "the default is .siteseer inside it")

    if env.get(ENV_ADMIN_PASSWORD_HASH):
        config.admin.password_hash = env[ENV_ADMIN_PASSWORD_HASH]
    elif env.get(ENV_ADMIN_PASSWORD):
        config.admin.password_hash = _env_password_hash(env[ENV_ADMIN_PASSWORD])
    if config.admin.password_hash:
        from siteseer.stats.auth import is_valid_hash

        if not is_valid_hash(config.admin.password_hash):  # else the dashboard was off, said in a log line
            raise ConfigError(ENV_ADMIN_PASSWORD_HASH if env.get(ENV_ADMIN_PASSWORD_HASH) else "admin.password_hash",
                              "is not a hash that hash_password made (scrypt$n$r$p$salt$hash; see the README's admin section)")
    if env.get(ENV_SECRET_KEY):
        config.secret_key = env[ENV_SECRET_KEY]
    return config


_env_hashes: dict[str, str] = {"hash": ""}  # the last hash _env_password_hash made in this process


def _env_password_hash(password: str) -> str:
    """The hash of ``SITESEER_ADMIN_PASSWORD``: the one this process made before while the
    password is the same, else a new one.

    Hashed with a new random salt at every ``load_config``, each SIGHUP gave another
    hash, and the session key derives from it: every reload logged every admin out.
    Checked against the last hash (``verify_password``), so no copy of the password is
    kept; not a salt derived from the password, which would give the same password the
    same hash on every server. A changed password still ends every session.
    """
    from siteseer.stats.auth import hash_password, verify_password  # only when a password is given

    last = _env_hashes["hash"]
    if last and verify_password(password, last):
        return last
    _env_hashes["hash"] = hashed = hash_password(password)
    return hashed


def settle_state_dir(config: Config, env: dict[str, str] | None = None) -> str | None:
    """Make sure the state folder (index, catalog, traffic records) can be written.

    Returns None, or a line saying where the state went instead: a folder
    that cannot be written (a read-only mount such as Docker's ``:ro``, a
    disc, another user's documents) cannot hold ``.siteseer``, so its state
    goes to the user's cache folder, one per served folder; every command
    run on that folder finds it there. A ``state_dir`` set by the user that
    cannot be written raises ``ConfigError``: it was asked for by name.
    """
    env = os.environ if env is None else env
    problem = _unwritable(config.state_dir)
    if problem is None:
        return None
    if config.index.state_dir != IndexConfig.state_dir:
        raise ConfigError("index.state_dir", f"cannot write {config.state_dir} ({problem})")
    digest = hashlib.sha256(str(config.root).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    cache = env.get("XDG_CACHE_HOME", "")
    try:  # the XDG rule: a relative XDG_CACHE_HOME is ignored
        base = Path(cache) if cache and Path(cache).is_absolute() else Path.home() / ".cache"
    except RuntimeError:  # no home folder to be found
        raise ConfigError("index.state_dir", f"cannot write {config.state_dir} ({problem})") from None
    fallback = base / "siteseer" / f"{config.root.name or 'root'}-{digest}"
    fallback_problem = _unwritable(fallback)
    if fallback_problem is not None:
        raise ConfigError("index.state_dir", f"cannot write {config.state_dir} ({problem}) nor {fallback} "
                                             f"({fallback_problem}): set it to a folder that can be written")
    config.index.state_dir = str(fallback)
    return f"{config.root} cannot be written ({problem}): its index and traffic records are kept in {fallback}"


def make_state_dir(config: Config) -> None:
    """Make the state folder again while serving (deleted under the server), by this rule.

    Inside the served folder only the state folder itself is made, never a folder
    above it: one missing there is the served folder moved away or deleted (a
    deploy's ``mv site site.old``), and made again it could not come back (the
    recorder made ``site/.siteseer`` 0.1 s after the move, and ``mv site.old site``
    then put the site inside it). Outside it (``index.state_dir`` set to a folder
    elsewhere, or the cache folder a read-only site's state went to) the whole path
    is made, as at start: nothing there is the site's. Raises ``FileNotFoundError``
    when a folder above an inside state folder is missing.
    """
    state = Path(os.path.normpath(config.state_dir))  # "../state" is outside
    if state.is_relative_to(os.path.normpath(config.root)):
        state.mkdir(exist_ok=True)
    else:
        state.mkdir(parents=True, exist_ok=True)


def check_tls(config: Config) -> None:
    """Make ``server.tls_cert`` and ``server.tls_key`` absolute, and prove they load together.

    granian reads them once, as it starts: a wrong pair found there ends in a
    traceback, and an encrypted key in a prompt for its passphrase on a
    terminal a service does not have. Found here, either is one line naming
    the key. Relative paths are read from the configuration file's folder
    (where the file that names them is), else from the working directory.
    """
    s = config.server
    if not s.tls_cert and not s.tls_key:
        return
    if not s.tls_cert or not s.tls_key:
        missing = "server.tls_key" if s.tls_cert else "server.tls_cert"
        raise ConfigError(missing, "is needed too: https takes a certificate chain (tls_cert) and its private key (tls_key)")
    base = config.config_path.parent if config.config_path else Path.cwd()
    for key in ("tls_cert", "tls_key"):
        path = base / Path(getattr(s, key)).expanduser()
        if not path.is_file():
            raise ConfigError(f"server.{key}", f"{path} {'is not a regular file' if path.exists() else 'does not exist'}")
        # Not resolved: certbot renews by pointing its live/*.pem links at new files, and
        # SIGHUP must read them through the links again.
        setattr(s, key, os.path.abspath(path))
    problem = tls_pair_problem(s.tls_cert, s.tls_key)
    if problem is not None:
        raise ConfigError(*problem)


def tls_pair_problem(cert: str | Path, key: str | Path, shown_cert: str | None = None,
                     shown_key: str | None = None) -> tuple[str, str] | None:
    """None when the PEM files ``cert`` and ``key`` load as a certificate chain and
    its private key; else the setting at fault and what is wrong, in words
    (OpenSSL's own are "PEM lib"), naming the files as ``shown_cert`` and ``shown_key``."""
    shown_cert, shown_key = shown_cert or str(cert), shown_key or str(key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:  # a password callback, so that an encrypted key fails instead of prompting
        context.load_cert_chain(str(cert), str(key), password=lambda: b"")
        return None
    except OSError as exc:
        if not isinstance(exc, ssl.SSLError):
            return "server.tls_key", f"{shown_key} cannot be read ({exc.strerror or exc})"
        reason = exc.reason or str(exc)
    if reason == "KEY_VALUES_MISMATCH":
        return "server.tls_key", f"{shown_key} is not the private key of {shown_cert}"
    try:
        with open(key, "rb") as f:
            encrypted = b"ENCRYPTED" in f.read(4096)
    except OSError:
        encrypted = False
    if encrypted:
        return "server.tls_key", (f"{shown_key} is encrypted, and a server cannot ask for its passphrase: write it "
                                  f"out decrypted (openssl pkey -in {shown_key} -out key.pem) and keep that file private")
    return "server.tls_cert", f"{shown_cert} and {shown_key} are not a PEM certificate chain and its private key ({reason})"


def _unwritable(folder: Path) -> str | None:
    """Why ``folder`` cannot be made or written to; None when it can.

    A file is made and removed there, not ``os.access`` asked: that passes
    root on a read-only mount and misses ACLs, and cannot say which it was.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _build(data: dict[str, Any], source: str) -> Config:
    config = Config()
    for key, value in data.items():
        if key == "redirects":
            config.redirects = _check_redirects(value)
        elif key == "secret_key":
            if not isinstance(value, str):
                raise ConfigError("secret_key", "must be a string")
            config.secret_key = value
        elif key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(key, "must be a table, like [" + key + "]")
            setattr(config, key, _build_section(key, _SECTIONS[key], value))
        else:
            raise ConfigError(key, f"unknown section (known: {', '.join(sorted([*_SECTIONS, 'redirects']))})")
    _check(config)
    return config


def _build_section(section: str, cls: type, values: dict[str, Any]) -> Any:
    instance = cls()
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"{section}.{key}", f"unknown setting (known: {', '.join(fields)})")
        default = getattr(instance, key)
        setattr(instance, key, _coerce(f"{section}.{key}", value, default))
    return instance


def _coerce(key: str, value: Any, default: Any) -> Any:
    """Check ``value`` has the type of the default (ints accepted for floats)."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(key, f"must be true or false, not {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, f"must be a whole number, not {value!r}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(key, f"must be a number, not {value!r}")
        if not math.isfinite(value):  # TOML has inf and nan; no setting means them
            raise ConfigError(key, f"must be a finite number, not {value!r}")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(key, f"must be a string, not {value!r}")
        return value
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(key, "must be a list of strings")
        return list(value)
    return value


def _check_redirects(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError("redirects", 'must be a table of "/old" = "/new" entries')
    for source, target in value.items():
        key = f'redirects."{source}"'
        if not source.startswith("/"):
            raise ConfigError(key, "the old path must start with /")
        if not isinstance(target, str) or not target:
            raise ConfigError(key, "the new location must be a non-empty string")
        if source.count("*") > 1 or (source.count("*") == 1 and not source.endswith("*")):
            raise ConfigError(key, "only one trailing * is allowed, as in /blog/*")
        if "*" in target and "*" not in source:
            raise ConfigError(key, "the new location has * but the old path does not")
    return dict(value)


def _check_networks(key: str, values: list[str]) -> None:
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ConfigError(key, f"{value!r} is not an IP address or CIDR network") from None


def _check_synonyms(groups: list[str]) -> None:
    """Each group is two or more single words, comma-separated, as a search reads words."""
    from siteseer.index.textforms import analyzers  # tantivy's analyzer: what counts as one word

    words = analyzers()["words"]
    for group in groups:
        entries = [w.strip() for w in group.split(",")]
        if len([w for w in entries if w]) < 2:
            raise ConfigError("search.synonyms", f'{group!r} names fewer than two words: write "word, other word"')
        for entry in entries:
            if entry and len(words.analyze(entry)) != 1:
                raise ConfigError("search.synonyms", f"{entry!r} (in {group!r}) is not one word: only single words "
                                                     "can be synonyms")


def _positive(key: str, value: float) -> None:
    if value <= 0:
        raise ConfigError(key, f"must be greater than 0, not {value!r}")


MIN_BURST = 50  # ratelimit.burst: room for a browser loading one page, twice


def _check(config: Config) -> None:
    s = config.server
    try:
        ipaddress.ip_address(s.host)
    except ValueError:
        raise ConfigError("server.host", f"must be an IP address (like 127.0.0.1, 0.0.0.0 or ::), not {s.host!r}") from None
    # Not 0 ("any free port"): each granian worker would take a port of its own, and
    # the address printed would be ":0".
    if not 1 <= s.port <= 65535:
        raise ConfigError("server.port", f"must be between 1 and 65535, not {s.port}")
    _positive("server.workers", s.workers)
    _positive("server.header_read_timeout", s.header_read_timeout)
    if not 0.1 <= s.header_read_timeout <= 60:  # granian counts whole milliseconds: 0.0001 was 0, cut at once
        raise ConfigError("server.header_read_timeout", f"must be between 0.1 and 60 seconds, not {s.header_read_timeout}")
    if s.max_header_bytes < 8192:
        raise ConfigError("server.max_header_bytes", "must be at least 8192")
    if s.max_url_length < 256:
        raise ConfigError("server.max_url_length", "must be at least 256")
    _positive("server.max_body_bytes", s.max_body_bytes)
    if s.access_log not in ("combined", "json", "off"):
        raise ConfigError("server.access_log", f'must be "combined", "json" or "off", not {s.access_log!r}')
    if s.hsts_max_age < 0:
        raise ConfigError("server.hsts_max_age", "must be 0 (not sent) or a number of seconds, like 31536000 (a year)")
    if s.redirect_status not in (301, 302, 307, 308):
        raise ConfigError("server.redirect_status", f"must be 301, 302, 307 or 308, not {s.redirect_status}")
    if config.files.compress_min_bytes < 0:
        raise ConfigError("files.compress_min_bytes", "must not be negative")
    if not str(config.files.cache_control).isprintable() or not str(config.files.cache_control).isascii():
        # A line break would start a header of its own; granian dropped the header instead.
        raise ConfigError("files.cache_control", f"must be one line of ASCII, like \"no-cache\", not {config.files.cache_control!r}")
    _check_networks("access.block", config.access.block)
    _check_networks("access.allow", config.access.allow)
    _check_networks("access.trusted_proxies", config.access.trusted_proxies)
    if str(config.access.proxy_header).lower() not in PROXY_HEADERS:
        raise ConfigError("access.proxy_header", f'must be "X-Forwarded-For" or "Forwarded", not {config.access.proxy_header!r}')
    _check_networks("admin.metrics_allow", config.admin.metrics_allow)
    _positive("index.max_unit_chars", config.index.max_unit_chars)
    _positive("index.max_file_bytes", config.index.max_file_bytes)
    _positive("index.extract_timeout", config.index.extract_timeout)
    if config.index.workers < 0:
        raise ConfigError("index.workers", "must be 0 (one per core) or more")
    _positive("search.per_page", config.search.per_page)
    _positive("search.max_per_page", config.search.max_per_page)
    _positive("search.max_query_chars", config.search.max_query_chars)
    if config.search.per_page > config.search.max_per_page:  # else every search without per_page is refused
        raise ConfigError("search.per_page", f"must be at most search.max_per_page ({config.search.max_per_page}), "
                                             f"not {config.search.per_page}")
    if config.search.result_cache < 0:
        raise ConfigError("search.result_cache", "must be 0 (no cache) or more")
    _check_synonyms(config.search.synonyms)
    _positive("admin.session_hours", config.admin.session_hours)
    _positive("ratelimit.rate", config.ratelimit.rate)
    _positive("ratelimit.burst", config.ratelimit.burst)
    if config.ratelimit.enabled and config.ratelimit.burst < MIN_BURST:
        # Measured: the search page's first load is 15 requests at once (Dash's bundles), the dashboard's more.
        raise ConfigError("ratelimit.burst", f"must be at least {MIN_BURST}: a page of the search or the "
                                             f"dashboard takes 15-25 requests at once, not {config.ratelimit.burst}")
    if config.ratelimit.auto_block_minutes < 0:
        raise ConfigError("ratelimit.auto_block_minutes", "must not be negative")
    # -1 or 0 blocked a client at its first 404 (an old bookmark).
    _positive("ratelimit.max_404_per_minute", config.ratelimit.max_404_per_minute)
    _positive("stats.retention_days", config.stats.retention_days)
