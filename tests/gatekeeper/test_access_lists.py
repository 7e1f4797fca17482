import ipaddress
import sqlite3

from hypothesis import given, strategies as st

from siteseer.gatekeeper.access import (AccessList, NetworkSet, client_ip, forwarded_https, parse_ip, parse_network,
                                       peer_address)


def test_parse_ip_forms():
    assert str(parse_ip("192.0.2.1")) == "192.0.2.1"
    assert str(parse_ip("192.0.2.1:8080")) == "192.0.2.1"
    assert str(parse_ip("[2001:db8::1]:443")) == "2001:db8::1"
    assert str(parse_ip("::ffff:192.0.2.7")) == "192.0.2.7"
    assert str(parse_ip("fe80::1%eth0")) == "fe80::1"
    assert parse_ip("not-an-ip") is None
    assert parse_ip("") is None


def test_peer_address_from_granian_client():
    assert peer_address("127.0.0.1:5555") == "127.0.0.1"
    assert peer_address("[::1]:5555") == "::1"
    assert peer_address("::ffff:10.0.0.1") == "10.0.0.1"


def test_parse_network_maps_ipv4_mapped_networks():
    assert parse_network("::ffff:192.0.2.0/120") == ipaddress.ip_network("192.0.2.0/24")
    assert parse_network("10.1.2.3/8") == ipaddress.ip_network("10.0.0.0/8")


def test_network_set_membership():
    nets = NetworkSet(["192.0.2.0/24", "198.51.100.7", "2001:db8::/32"])
    assert "192.0.2.200" in nets
    assert "192.0.3.1" not in nets
    assert "198.51.100.7" in nets and "198.51.100.8" not in nets
    assert "2001:db8:1::5" in nets and "2001:db9::1" not in nets
    assert "::ffff:192.0.2.9" in nets  # IPv4-mapped is matched as IPv4
    assert "garbage" not in nets and None not in nets


@given(st.ip_addresses(), st.lists(st.ip_addresses(), max_size=5), st.integers(0, 128))
def test_network_set_agrees_with_ipaddress(address, others, prefix):
    networks = []
    for other in others:
        p = min(prefix, other.max_prefixlen)
        networks.append(ipaddress.ip_network(f"{other}/{p}", strict=False))
    nets = NetworkSet(networks)
    expected = any(address.version == n.version and address in n for n in networks)
    if address.version == 6 and address.ipv4_mapped is not None:
        return  # matched as IPv4 on purpose
    assert (str(address) in nets) == expected


def test_client_ip_ignores_forwarded_headers_from_untrusted_peers():
    trusted = NetworkSet(["10.0.0.1"])
    assert client_ip("203.0.113.9", {"x-forwarded-for": "1.1.1.1"}, trusted) == "203.0.113.9"
    assert client_ip("203.0.113.9", {"x-forwarded-for": "1.1.1.1"}, NetworkSet()) == "203.0.113.9"


def test_client_ip_from_trusted_proxy_reads_from_the_right():
    trusted = NetworkSet(["10.0.0.0/8"])
    # The client spoofed "6.6.6.6"; the proxy appended the real address.
    headers = {"x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.0.0.2"}
    assert client_ip("10.0.0.1", headers, trusted) == "198.51.100.4"
    forwarded = {"forwarded": 'for=192.0.2.60;proto=http, for="[2001:db8::7]:80"'}
    assert client_ip("10.0.0.1", forwarded, trusted, "forwarded") == "2001:db8::7"
    assert client_ip("10.0.0.1", {"x-forwarded-for": "::ffff:192.0.2.1"}, trusted) == "192.0.2.1"
    assert client_ip("10.0.0.1", {"x-forwarded-for": "junk"}, trusted) == "10.0.0.1"
    assert client_ip("10.0.0.1", {}, trusted) == "10.0.0.1"


def test_client_ip_reads_only_the_header_the_proxies_write():
    """The other one is the client's own, passed on by the proxy: when both were read,
    Forwarded first, a client behind nginx chose its address with "Forwarded: for=..."."""
    trusted = NetworkSet(["10.0.0.1"])
    both = {"x-forwarded-for": "198.51.100.4", "forwarded": "for=127.0.0.1"}
    assert client_ip("10.0.0.1", both, trusted) == "198.51.100.4"
    assert client_ip("10.0.0.1", {"forwarded": "for=192.0.2.1"}, trusted) == "10.0.0.1"
    both = {"x-forwarded-for": "127.0.0.1", "forwarded": "for=198.51.100.4"}
    assert client_ip("10.0.0.1", both, trusted, "forwarded") == "198.51.100.4"
    assert client_ip("10.0.0.1", {"x-forwarded-for": "192.0.2.1"}, trusted, "forwarded") == "10.0.0.1"


def test_client_ip_reads_every_forwarding_line():
    """A proxy that adds its own X-Forwarded-For line after the client's: the joined list names the client."""
    from siteseer.server.messages import RequestHeaders

    class Lines(dict):  # granian's headers: get() is the first line, get_all() every line
        def get_all(self, name):
            return self.get(name, [])

    trusted = NetworkSet(["10.0.0.0/8"])
    spoofed = RequestHeaders(Lines({"x-forwarded-for": ["6.6.6.6", "198.51.100.4"]}))  # the client's line first
    assert client_ip("10.0.0.1", spoofed, trusted) == "198.51.100.4"
    lines = RequestHeaders(Lines({"forwarded": ["for=6.6.6.6", "for=198.51.100.4"]}))
    assert client_ip("10.0.0.1", lines, trusted, "forwarded") == "198.51.100.4"
    cookies = RequestHeaders(Lines({"cookie": ["a=1", "siteseer_admin=x"]}))
    assert cookies.get("cookie") == "a=1; siteseer_admin=x"


def test_the_scheme_is_read_from_the_header_family_the_proxy_writes():
    assert forwarded_https({"x-forwarded-proto": "https"})
    assert not forwarded_https({"x-forwarded-proto": "http"}) and not forwarded_https({})
    # A proxy writing Forwarded says proto= there; a client's X-Forwarded-Proto passes it as it came.
    assert forwarded_https({"forwarded": "for=203.0.113.5;host=example.org;proto=https"}, "forwarded")
    assert forwarded_https({"forwarded": 'for=1.2.3.4;proto=http, for=203.0.113.5;Proto="HTTPS"'}, "forwarded")
    assert not forwarded_https({"forwarded": "for=1.2.3.4;proto=https, for=203.0.113.5;proto=http"}, "forwarded")
    assert not forwarded_https({"forwarded": "for=203.0.113.5", "x-forwarded-proto": "https"}, "forwarded")
    assert not forwarded_https({"x-forwarded-proto": "https"}, "forwarded")


def test_access_list_block_and_allow():
    acl = AccessList(block=["192.0.2.0/24"], allow=[], trusted=[])
    assert acl.denied("192.0.2.5") and not acl.denied("198.51.100.1")
    allow_only = AccessList(block=[], allow=["127.0.0.1"], trusted=[])
    assert not allow_only.denied("127.0.0.1") and allow_only.denied("198.51.100.1")


def test_access_list_reloads_config_file(tmp_path):
    config = tmp_path / "siteseer.toml"
    config.write_text('[access]\nblock = ["192.0.2.1"]\n')
    acl = AccessList(block=["192.0.2.1"], allow=[], trusted=[], config_path=config, interval=0)
    assert acl.denied("192.0.2.1") and not acl.denied("192.0.2.2")
    config.write_text('[access]\nblock = ["192.0.2.2"]\n')
    import os
    os.utime(config, ns=(1, 1))  # a different mtime, whatever the clock's resolution
    assert acl.denied("192.0.2.2") and not acl.denied("192.0.2.1")
    # A broken file keeps the old lists.
    config.write_text('[access]\nblock = ["not a network"]\n')
    os.utime(config, ns=(2, 2))
    assert acl.denied("192.0.2.2")


def test_a_proxy_header_taken_out_of_the_config_is_the_default_again(tmp_path):
    # Switching back to nginx's X-Forwarded-For by deleting the line kept "forwarded": the
    # client's own Forwarded header, passed on by the proxy, was trusted (block list bypassed).
    import os

    config = tmp_path / "siteseer.toml"
    config.write_text('[access]\ntrusted_proxies = ["127.0.0.1"]\nproxy_header = "Forwarded"\n')
    acl = AccessList(block=[], allow=[], trusted=["127.0.0.1"], config_path=config, interval=0,
                     proxy_header="forwarded")
    acl.refresh()
    assert acl.proxy_header == "forwarded"
    config.write_text('[access]\ntrusted_proxies = ["127.0.0.1"]\n')
    os.utime(config, ns=(1, 1))
    acl.refresh()
    assert acl.proxy_header == "x-forwarded-for"
    config.write_text("")  # the whole [access] table gone: the same
    acl.proxy_header = "forwarded"
    os.utime(config, ns=(2, 2))
    acl.refresh()
    assert acl.proxy_header == "x-forwarded-for"


class FakeStore:
    def __init__(self):
        self.networks, self._version = [], 0

    def add(self, network):
        self.networks.append(network)
        self._version += 1

    def version(self):
        return self._version

    def active(self):
        return [type("Block", (), {"network": n}) for n in self.networks]


def test_access_list_follows_the_block_store():
    store = FakeStore()
    acl = AccessList(block=[], allow=[], trusted=[], block_store=store, interval=0)
    assert not acl.denied("203.0.113.5")
    store.add("203.0.113.0/24")
    assert acl.denied("203.0.113.5")


def test_refusal_names_the_reason():
    store = FakeStore()
    acl = AccessList(block=["192.0.2.1"], allow=[], trusted=[], block_store=store, interval=0)
    store.networks.append("198.51.100.0/24")
    store.sources = {"198.51.100.0/24": "auto"}
    store._version += 1
    original_active = store.active
    store.active = lambda: [type("Block", (), {"network": b.network, "source": store.sources.get(b.network, "admin")})
                            for b in original_active()]
    assert acl.refusal("192.0.2.1") == "blocklist"
    assert acl.refusal("198.51.100.7") == "auto"
    assert acl.refusal("203.0.113.1") is None
    assert AccessList(block=[], allow=["10.0.0.0/8"], trusted=[]).refusal("192.0.2.1") == "allowlist"


def test_access_list_started_after_an_edit_reads_the_file(tmp_path):
    """A worker started (or respawned) after the file was edited must not keep its start-up lists."""
    config = tmp_path / "siteseer.toml"
    config.write_text('[access]\nblock = ["192.0.2.9"]\n')  # edited after the server loaded block = []
    acl = AccessList(block=[], allow=[], trusted=[], config_path=config, interval=3600)
    assert acl.refusal("192.0.2.9") == "blocklist"


def test_a_block_list_read_that_failed_is_read_again():
    # The version was taken as seen before the list was read: when that read failed
    # (state.db locked), the change was never loaded.
    store = FakeStore()
    acl = AccessList(block=["192.0.2.1"], allow=[], trusted=[], block_store=store, interval=0)
    store.add("203.0.113.0/24")
    working = store.active
    store.active = lambda: (_ for _ in ()).throw(sqlite3.OperationalError("database is locked"))
    assert not acl.denied("203.0.113.5") and acl.denied("192.0.2.1")  # the last lists kept
    store.active = working
    assert acl.denied("203.0.113.5")
