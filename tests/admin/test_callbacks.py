"""The dashboard callbacks through the Flask test client, with a session."""

from __future__ import annotations

import json
import os
import time

from admin_helpers import callback_body, dependencies, post_callback
from siteseer.stats import store
from siteseer.web.admin.callbacks import resolve_range
from synth import entry


def _dep(admin, client, prefix):
    return next(d for d in dependencies(admin, client) if d["output"].startswith(prefix))


def test_refresh_draws_every_panel(admin):
    now = time.time()
    conn = store.open_db(admin.config.state_dir)
    store.write_batch(conn, [entry(now - 120, path="/docs/<b>bold</b>.html")] * 5
                      + [entry(now - 100, path="/missing", status=404, referrer="https://ref.example/")]
                      + [entry(now - 90, status=429, ip="203.0.113.66", blocked="ratelimit")]
                      + [entry(now - 80, path="/api/search", search={"query": "nothing here", "hits": 0, "page": 1})])
    client = admin.client()
    admin.login(client)
    dep = _dep(admin, client, "..cards")
    body = callback_body(dep, {"range.value": "hour", "tick.n_intervals": 1})
    response = post_callback(client, body, admin.csrf(client))
    assert response.status_code == 200, response.data[:300]
    out = response.get_json()["response"]
    requests = out["g-requests"]["figure"]
    assert sum(sum(v for v in t["y"] if v) for t in requests["data"]) == 8
    assert out["tick"]["disabled"] is False  # the range ends now: live refresh on
    text = json.dumps(out["t-pages"]["children"])
    assert "/docs/<b>bold</b>.html" in text  # a plain string in the component tree, never markup
    assert "/missing" in json.dumps(out["t-404"]["children"]) and "https://ref.example/" in json.dumps(out["t-404"])
    assert "203.0.113.66" in json.dumps(out["t-blocked"]) and "nothing here" in json.dumps(out["t-zero"])
    assert f"server time ({time.strftime('%Z')})" in out["range-label"]["children"]  # the zone named


def test_past_custom_range_stops_live_refresh(admin):
    client = admin.client()
    admin.login(client)
    dep = _dep(admin, client, "..cards")
    body = callback_body(dep, {"range.value": "custom", "custom-range.start_date": "2024-01-01",
                               "custom-range.end_date": "2024-01-02"})
    out = post_callback(client, body, admin.csrf(client)).get_json()["response"]
    assert out["tick"]["disabled"] is True


def test_resolve_range():
    now = 1_700_000_000.0
    assert resolve_range("hour", None, None, now) == (now - 3600, now)
    assert resolve_range("month", None, None, now) == (now - 30 * 86400, now)
    since, until = resolve_range("custom", "2023-11-01", "2023-11-02", now)
    assert until - since == 2 * 86400
    assert resolve_range("custom", None, None, now) == (now - 86400, now)  # no dates yet: a day


def _block_body(dep, trigger, network=None, reason=None, minutes=1440, rows=()):
    body = callback_body(dep, {"block-network.value": network, "block-reason.value": reason,
                               "block-minutes.value": minutes, f"{trigger}.n_clicks": 1})
    body["changedPropIds"] = [f"{trigger}.n_clicks"]
    return body


def test_block_and_unblock_through_the_callback(admin):
    client = admin.client()
    admin.login(client)
    dep = _dep(admin, client, "..block-list")
    token = admin.csrf(client)
    out = post_callback(client, _block_body(dep, "block-button", "198.51.100.23", "scraping"), token).get_json()
    assert "Blocked 198.51.100.23/32" in json.dumps(out["response"]["block-message"])
    (block,) = admin.blocks.active()
    assert block.network == "198.51.100.23/32" and block.reason == "scraping" and block.source == "admin"
    assert block.expires is not None and abs(block.expires - time.time() - 86400) < 60
    assert "198.51.100.23/32" in json.dumps(out["response"]["block-list"])

    out = post_callback(client, _block_body(dep, "block-button", "not an ip", "x"), token).get_json()
    assert "Not done" in json.dumps(out["response"]["block-message"])
    out = post_callback(client, _block_body(dep, "block-button", "192.0.2.1", ""), token).get_json()
    assert "Give a reason" in json.dumps(out["response"]["block-message"])
    assert len(admin.blocks.active()) == 1

    out = post_callback(client, _block_body(dep, "unblock-button", "198.51.100.23"), token).get_json()
    assert "Unblocked" in json.dumps(out["response"]["block-message"])
    assert admin.blocks.active() == []


def test_the_config_files_blocks_are_listed_and_lifted_only_there(tmp_path):
    """The list said "No addresses are blocked" while the config's were refused, and
    Unblock said such an address "was not blocked"."""
    from admin_helpers import build_admin

    admin = build_admin(tmp_path, config_blocks=("127.0.0.2", "2001:db8::/32"))
    client = admin.client()
    admin.login(client)
    dep = _dep(admin, client, "..block-list")
    token = admin.csrf(client)
    out = post_callback(client, _block_body(dep, "unblock-button", "127.0.0.2/32"), token).get_json()
    listed = json.dumps(out["response"]["block-list"])
    assert "127.0.0.2" in listed and "2001:db8::/32" in listed and "config file" in listed
    assert "No addresses are blocked" not in listed
    message = json.dumps(out["response"]["block-message"])
    assert "blocked by the config file" in message and "was not blocked" not in message
    out = post_callback(client, _block_body(dep, "unblock-button", "192.0.2.7"), token).get_json()
    assert "192.0.2.7 was not blocked" in json.dumps(out["response"]["block-message"])


def test_the_config_files_blocks_are_listed_as_the_worker_enforces_them(tmp_path):
    """An address taken out of the file (which applies within seconds, with no signal) was
    still listed, and Unblock said to remove it there and reload."""
    from admin_helpers import build_admin

    from siteseer.gatekeeper.access import AccessList

    conf = tmp_path / "siteseer.toml"
    conf.write_text('[access]\nblock = ["127.0.0.2"]\n')
    access = AccessList(["127.0.0.2"], [], [], config_path=conf)
    admin = build_admin(tmp_path, config_blocks=("127.0.0.2",), access=access)
    client = admin.client()
    admin.login(client)
    dep = _dep(admin, client, "..block-list")
    token = admin.csrf(client)
    conf.write_text('[access]\nblock = ["127.0.0.3"]\n')
    os.utime(conf, ns=(time.time_ns() + 10**9,) * 2)
    access.refresh(force=True)
    out = post_callback(client, _block_body(dep, "unblock-button", "127.0.0.2"), token).get_json()
    listed = json.dumps(out["response"]["block-list"])
    assert "127.0.0.3" in listed and "127.0.0.2" not in listed
    assert "127.0.0.2 was not blocked" in json.dumps(out["response"]["block-message"])


def test_permanent_block(admin):
    client = admin.client()
    admin.login(client)
    dep = _dep(admin, client, "..block-list")
    post_callback(client, _block_body(dep, "block-button", "2001:db8::/32", "bad net", minutes=0), admin.csrf(client))
    (block,) = admin.blocks.active()
    assert block.network == "2001:db8::/32" and block.expires is None


def test_the_admin_cannot_block_their_own_address(admin):
    # Blocked, the admin's own address gets a 403 on /admin too: the block could then
    # be lifted only by editing state.db by hand.
    client = admin.client()
    admin.login(client)  # from 192.0.2.10 (admin_helpers)
    dep = _dep(admin, client, "..block-list")
    token = admin.csrf(client)
    for network in ("192.0.2.10", "192.0.2.0/24", "0.0.0.0/0", "::ffff:192.0.2.10"):
        out = post_callback(client, _block_body(dep, "block-button", network, "oops"), token).get_json()
        assert "holds your own address (192.0.2.10)" in json.dumps(out["response"]["block-message"]), network
    assert admin.blocks.active() == []
    out = post_callback(client, _block_body(dep, "block-button", "::/0", "v6 only"), token).get_json()
    assert "Blocked ::/0" in json.dumps(out["response"]["block-message"])  # another family: not theirs
