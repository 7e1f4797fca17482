"""Who is asking, and may they: client IPs, proxies, block and allow lists.

The client IP is the socket's peer unless that peer is a configured trusted
proxy; only then does the header those proxies write count (``X-Forwarded-For``,
or ``Forwarded`` if so configured: ``access.proxy_header``), read from the right
(the entries a trusted proxy appended) until the first untrusted address. A
client cannot spoof its way past the blocklist by sending its own
``X-Forwarded-For`` or ``Forwarded``.

IPv4-mapped IPv6 addresses (``::ffff:192.0.2.1``) are matched as IPv4.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
import tomllib
from pathlib import Path
from typing import Iterable, Mapping

from siteseer.config import PROXY_HEADERS, AccessConfig

log = logging.getLogger("siteseer.access")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_ip(text: str) -> IPAddress | None:
    """An address from text (brackets, zone ids and ports tolerated), IPv4-mapped → IPv4."""
    text = text.strip().strip('"')
    if text.startswith("["):  # "[2001:db8::1]:443" or "[::1]"
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:  # "192.0.2.1:8080"
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def parse_network(text: str) -> IPNetwork:
    """A network from config text; a bare address is a /32 or /128. Raises ValueError."""
    network = ipaddress.ip_network(text.strip(), strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}", strict=False)
    return network


_peer_cache: dict[str, str] = {}


def peer_address(client: str) -> str:
    """granian's ``scope.client`` ("ip:port", "[v6]:port") → the address text.

    Runs for every request, so the common IPv4 form is split without parsing
    (the kernel's dotted quad is already canonical) and the rest is cached.
    """
    if client.count(":") == 1:
        return client.split(":", 1)[0]
    cached = _peer_cache.get(client)
    if cached is None:
        address = parse_ip(client.rsplit(":", 1)[0] if client.startswith("[") else client)
        cached = str(address) if address is not None else client
        if len(_peer_cache) > 4096:
            _peer_cache.clear()
        _peer_cache[client] = cached
    return cached


class NetworkSet:
    """Membership test for many networks in O(number of prefix lengths).

    Networks are grouped by prefix length, each group a set of integers; an
    address is masked once per length present. With 1,000 blocklist entries
    that is a handful of set lookups instead of 1,000 comparisons.
    """

    __slots__ = ("_v4", "_v6", "_cache", "networks")

    def __init__(self, networks: Iterable[IPNetwork | str] = ()):
        self.networks: list[IPNetwork] = []
        self._v4: dict[int, set[int]] = {}
        self._v6: dict[int, set[int]] = {}
        self._cache: dict[str, bool] = {}
        for network in networks:
            net = parse_network(network) if isinstance(network, str) else network
            self.networks.append(net)
            table = self._v4 if net.version == 4 else self._v6
            table.setdefault(net.prefixlen, set()).add(int(net.network_address))

    def __len__(self) -> int:
        return len(self.networks)

    def __contains__(self, address: IPAddress | str | None) -> bool:
        if address is None:
            return False
        if isinstance(address, str):
            cached = self._cache.get(address)
            if cached is not None:
                return cached
            result = self._contains(parse_ip(address))
            if len(self._cache) > 65536:  # bounded: a scan from many addresses can't grow it
                self._cache.clear()
            self._cache[address] = result
            return result
        return self._contains(address)

    def _contains(self, address: IPAddress | None) -> bool:
        if address is None:
            return False
        if address.version == 4:
            table, bits = self._v4, 32
        else:
            table, bits = self._v6, 128
        value = int(address)
        for prefixlen, members in table.items():
            shift = bits - prefixlen
            if (value >> shift) << shift in members:
                return True
        return False


def client_ip(peer: str, headers: Mapping[str, str], trusted: NetworkSet,
              header: str = "x-forwarded-for") -> str:
    """The real client address: the peer, or what trusted proxies say it was in ``header``.

    Only the one header the proxies write is read (as nginx's real_ip_header): a
    proxy passes the other on as the client sent it. When both were read,
    Forwarded first, a client behind nginx as the README sets it up chose its
    own address with "Forwarded: for=…" (past the blocklist, the rate limit and
    the login throttle; "for=127.0.0.1" passed for this machine).
    """
    if not len(trusted) or peer not in trusted:
        return peer
    hops: list[str] = []
    value = headers.get(header)
    if value and header == "forwarded":
        for element in value.split(","):
            for pair in element.split(";"):
                name, _, part = pair.partition("=")
                if name.strip().lower() == "for":
                    hops.append(part.strip())
    elif value:
        hops = value.split(",")
    # Walk from the nearest hop back; the first address not a trusted proxy is the client.
    for hop in reversed(hops):
        address = parse_ip(hop)
        if address is None:
            return peer  # garbage from a proxy: trust only what we saw ourselves
        text = str(address)
        if text not in trusted:
            return text
    return str(parse_ip(hops[0])) if hops and parse_ip(hops[0]) else peer


def forwarded_https(headers: Mapping[str, str], header: str = "x-forwarded-for") -> bool:
    """Whether the proxy says the client came over https, in the header family it writes:
    ``X-Forwarded-Proto`` beside ``X-Forwarded-For``, else ``proto=`` in the nearest
    ``Forwarded`` element. Only the proxy's own (the caller checks the peer is trusted):
    a proxy that writes ``Forwarded`` passes a client's ``X-Forwarded-Proto`` on as it came.
    """
    if header != "forwarded":
        return headers.get("x-forwarded-proto") == "https"
    value = headers.get("forwarded")
    if not value:
        return False
    for pair in value.rsplit(",", 1)[-1].split(";"):
        name, _, part = pair.partition("=")
        if name.strip().lower() == "proto":
            return part.strip().strip('"').lower() == "https"
    return False


class AccessList:
    """The block and allow lists every worker applies, kept fresh without restart.

    Sources: ``[access]`` in the config file (re-read when the file changes)
    and the dynamic ``BlockStore`` the admin dashboard and the rate limiter
    write to. ``refresh()`` is cheap and called at most once per
    ``interval`` seconds from the request path, so a change reaches every
    worker within ``interval`` (+ one request). It runs on the event loop, so
    the store is read through its ``reader()`` (no lock shared with its
    writers, a short busy timeout); a read that fails keeps the last list and
    is tried again at the next refresh.
    """

    def __init__(self, block: Iterable[str], allow: Iterable[str], trusted: Iterable[str],
                 config_path: Path | None = None, block_store=None, interval: float = 1.0,
                 proxy_header: str = "x-forwarded-for"):
        self.config_path = config_path
        self.proxy_header = proxy_header.lower()
        # Read through the store's reader (a BlockStore has one; a test's stand-in may be its own).
        reader = getattr(block_store, "reader", None)
        self.store_reader = reader() if reader is not None else block_store
        self.interval = interval
        self._static_block = list(block)
        self.allow = NetworkSet(allow)
        self.trusted = NetworkSet(trusted)
        self.blocked = NetworkSet(self._static_block)
        self.auto_blocked = NetworkSet()
        self._admin_blocks: list[str] = []  # the store's, as last read
        self._auto_blocks: list[str] = []
        self._next_check = 0.0
        # Unknown, so the first refresh reads the file: a worker started (or
        # respawned) after an edit must not keep the lists it was started with.
        self._config_mtime: int | None = None
        self._store_version: int | None = None
        self.refresh(force=True)

    def _mtime(self) -> int | None:
        try:
            return os.stat(self.config_path).st_mtime_ns if self.config_path else None
        except OSError:
            return None

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self._next_check:
            return
        self._next_check = now + self.interval
        changed = False
        mtime = self._mtime()
        if mtime != self._config_mtime:
            changed = self._reload_config(announce=self._config_mtime is not None) or changed
            self._config_mtime = mtime
        if self.store_reader is not None:
            changed = self._read_store(force) or changed
        if changed or force:
            self._rebuild()

    def _read_store(self, force: bool) -> bool:
        """Take the store's blocks when its version moved (True); on failure keep the last ones.

        The version is only taken with the list: a version read whose list then failed
        was taken as seen, and that change was never loaded.
        """
        try:
            version = self.store_reader.version()
            if version == self._store_version and not force:
                return False
            admin: list[str] = []
            auto: list[str] = []
            for block in self.store_reader.active():
                (auto if getattr(block, "source", "admin") == "auto" else admin).append(block.network)
        except Exception as exc:  # a locked or broken DB must not stop serving
            log.warning("blocklist store unreadable, keeping the last list: %s", exc)
            return False
        self._store_version, self._admin_blocks, self._auto_blocks = version, admin, auto
        return True

    def _reload_config(self, announce: bool = True) -> bool:
        try:
            data = tomllib.loads(self.config_path.read_text(encoding="utf-8")).get("access", {})
            block = [str(v) for v in data.get("block", [])]
            allow = NetworkSet(str(v) for v in data.get("allow", []))
            trusted = NetworkSet(str(v) for v in data.get("trusted_proxies", []))
            # A line taken out means the default again, not the old value: else a switch back to
            # X-Forwarded-For kept trusting the client's own Forwarded, passed on by the proxy.
            header = str(data.get("proxy_header", AccessConfig.proxy_header)).lower()
            if header not in PROXY_HEADERS:
                raise ValueError(f'proxy_header must be "X-Forwarded-For" or "Forwarded", not {header!r}')
            NetworkSet(block)  # validate before swapping anything in
        except Exception as exc:
            log.error("access lists in %s not reloaded, keeping the old ones: %s", self.config_path, exc)
            return False
        self._static_block, self.allow, self.trusted, self.proxy_header = block, allow, trusted, header
        if announce:  # not the first read at start-up
            log.info("access lists reloaded from %s", self.config_path)
        return True

    def _rebuild(self) -> None:
        self.blocked = NetworkSet([*self._static_block, *self._admin_blocks])
        self.auto_blocked = NetworkSet(self._auto_blocks)

    def refusal(self, ip: str) -> str | None:
        """Why ``ip`` gets a 403 ("blocklist", "auto" or "allowlist"), or None."""
        self.refresh()
        if ip in self.blocked:
            return "blocklist"
        if ip in self.auto_blocked:
            return "auto"
        if len(self.allow) and ip not in self.allow:
            return "allowlist"
        return None

    def denied(self, ip: str) -> bool:
        """True when ``ip`` must get a 403."""
        return self.refusal(ip) is not None

    @property
    def config_block(self) -> tuple[str, ...]:
        """The config file's ``[access] block`` as last read: what is enforced, edits included."""
        return tuple(self._static_block)
