"""Password hashes, session signing, CSRF/origin checks and the login throttle."""

from __future__ import annotations

import time

import pytest

from siteseer.config import Config, load_config
from siteseer.stats import auth
from siteseer.stats.auth import SessionSigner, hash_password, same_origin, verify_password
from siteseer.stats.throttle import FREE_TRIES, MAX_WAIT, LoginThrottle, delay_for

FAST = {"n": 2 ** 10}  # cheap hashes for tests that are not about the cost


def test_hash_and_verify():
    encoded = hash_password("correct horse")
    scheme, n, r, p, salt, digest = encoded.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", auth.SCRYPT_N, auth.SCRYPT_R, auth.SCRYPT_P)
    assert verify_password("correct horse", encoded)
    assert not verify_password("correct horsE", encoded)
    assert not verify_password("", encoded)


def test_salt_is_random():
    assert hash_password("same", **FAST) != hash_password("same", **FAST)


@pytest.mark.parametrize("bad", ["", "plain", "scrypt$1$8$1$AAAA$AAAA", "bcrypt$16384$8$1$AAAA$AAAA",
                                 "scrypt$16384$8$1$!!$AAAA", "scrypt$3000$8$1$AAAA$AAAA", None])
def test_malformed_hash_never_verifies(bad):
    assert verify_password("x", bad) is False


def test_empty_password_refused():
    with pytest.raises(ValueError):
        hash_password("")


def test_load_config_hashes_env_password(tmp_path):
    cfg = load_config(tmp_path, env={"SITESEER_ADMIN_PASSWORD": "s3cret"})
    assert verify_password("s3cret", cfg.admin.password_hash)
    assert auth.admin_enabled(cfg)
    assert not auth.admin_enabled(load_config(tmp_path, env={}))


def _config(password="pw", secret=""):
    cfg = Config()
    cfg.admin.password_hash = hash_password(password, **FAST)
    cfg.secret_key = secret
    return cfg


def test_session_round_trip_and_tamper():
    signer = SessionSigner(_config())
    value, csrf = signer.issue()
    session = signer.load(value)
    assert session is not None and session.csrf == csrf
    # One signature character changed (the last one carries padding bits, so the one before it).
    tampered = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    assert tampered != value
    assert signer.load(tampered) is None
    assert signer.load("") is None and signer.load("garbage") is None


def test_session_invalid_after_password_change():
    cfg = _config("old", secret="fixed-secret")
    value, _ = SessionSigner(cfg).issue()
    assert SessionSigner(cfg).load(value) is not None  # another worker, same config
    cfg.admin.password_hash = hash_password("new", **FAST)
    assert SessionSigner(cfg).load(value) is None


def test_session_invalid_with_other_secret():
    cfg = _config(secret="a")
    value, _ = SessionSigner(cfg).issue()
    cfg.secret_key = "b"
    assert SessionSigner(cfg).load(value) is None


def test_session_expires(monkeypatch):
    cfg = _config()
    cfg.admin.session_hours = 1
    signer = SessionSigner(cfg)
    value, _ = signer.issue()
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 2 * 3600)
    assert signer.load(value) is None


def test_cookie_header_parsing():
    signer = SessionSigner(_config())
    value, _ = signer.issue()
    assert signer.from_cookie_header(f"a=1; {auth.SESSION_COOKIE}={value}; b=2") is not None
    assert signer.from_cookie_header("a=1") is None


def test_csrf_compare():
    session = auth.Session(csrf="tok", issued=0)
    assert auth.csrf_ok(session, "tok")
    assert not auth.csrf_ok(session, "tok2") and not auth.csrf_ok(session, None) and not auth.csrf_ok(session, "")


@pytest.mark.parametrize("headers, ok", [
    ({}, True),
    ({"sec-fetch-site": "same-origin"}, True),
    ({"sec-fetch-site": "cross-site"}, False),
    ({"sec-fetch-site": "same-site"}, False),
    ({"origin": "http://admin.example:8000"}, True),
    ({"origin": "http://evil.example"}, False),
    ({"origin": "https://admin.example:8000"}, False),
    ({"origin": "null"}, False),
    ({"sec-fetch-site": "same-origin", "origin": "http://evil.example"}, False),
])
def test_same_origin(headers, ok):
    assert same_origin(headers, "http", "admin.example:8000") is ok


def test_throttle_backs_off_and_resets(tmp_path):
    now = [1000.0]
    throttle = LoginThrottle(tmp_path, clock=lambda: now[0])
    for _ in range(FREE_TRIES - 1):
        throttle.failed("192.0.2.1")
        assert throttle.wait("192.0.2.1") == 0
    throttle.failed("192.0.2.1")
    assert throttle.wait("192.0.2.1") == pytest.approx(1.0)
    throttle.failed("192.0.2.1")
    assert throttle.wait("192.0.2.1") == pytest.approx(2.0)
    assert throttle.wait("192.0.2.2") == 0  # per client
    now[0] += 2.0
    assert throttle.wait("192.0.2.1") == 0
    throttle.succeeded("192.0.2.1")
    throttle.failed("192.0.2.1")
    assert throttle.wait("192.0.2.1") == 0


def test_throttle_shared_between_workers(tmp_path):
    a, b = LoginThrottle(tmp_path), LoginThrottle(tmp_path)
    for _ in range(FREE_TRIES + 3):
        a.failed("192.0.2.1")
    assert b.wait("192.0.2.1") > 0


def test_delay_is_capped():
    assert delay_for(0) == 0 and delay_for(FREE_TRIES) == 1 and delay_for(1000) == MAX_WAIT


def test_throttle_key_is_the_address_or_its_ipv6_64():
    from siteseer.stats.throttle import throttle_key

    assert throttle_key("192.0.2.7") == "192.0.2.7"
    assert throttle_key("2001:db8:1:2:aaaa::1") == throttle_key("2001:db8:1:2::ffff") == "2001:db8:1:2::/64"
    assert throttle_key("::ffff:192.0.2.7") == "192.0.2.7"  # IPv4 seen through IPv6 is the IPv4 client
    assert throttle_key("not an address") == "not an address"


def test_login_gate_admits_one_check_at_a_time_and_refills(monkeypatch):
    from siteseer.stats import throttle

    now = [0.0]
    gate = throttle.LoginGate(clock=lambda: now[0])
    assert gate.try_enter() == 0.0
    assert gate.try_enter() > 0  # the first check is still running
    gate.leave()
    for _ in range(throttle.LOGIN_BURST - 1):
        assert gate.try_enter() == 0.0
        gate.leave()
    wait = gate.try_enter()  # the burst is spent
    assert wait == pytest.approx(1 / throttle.LOGINS_PER_SECOND)
    now[0] += wait
    assert gate.try_enter() == 0.0
    gate.leave()


def _served_config(tmp_path, secret=""):
    cfg = _config(secret=secret)
    cfg.root = tmp_path
    cfg.state_dir.mkdir(parents=True)
    return cfg


def test_session_secret_made_once_and_kept_private(tmp_path):
    """Without a secret of the user's, the hash alone must not sign sessions (a leaked
    hash would be a login): serve keeps a random secret in the state folder."""
    cfg = _served_config(tmp_path)
    auth.keep_session_secret(cfg)
    kept = cfg.state_dir / auth.SESSION_SECRET_FILE
    assert len(cfg.secret_key) >= 32 and kept.read_text().strip() == cfg.secret_key
    assert kept.stat().st_mode & 0o777 == 0o600
    again = _served_config(tmp_path / "x")  # another folder: another secret
    auth.keep_session_secret(again)
    assert again.secret_key != cfg.secret_key
    restarted = _config()  # the same folder after a restart, or another worker: the same key
    restarted.root, restarted.admin.password_hash = tmp_path, cfg.admin.password_hash
    auth.keep_session_secret(restarted)
    assert restarted.secret_key == cfg.secret_key
    value, _ = SessionSigner(cfg).issue()
    assert SessionSigner(restarted).load(value) is not None
    # The hash alone no longer signs a session that is accepted.
    derived = _config()
    derived.admin.password_hash = cfg.admin.password_hash
    assert SessionSigner(cfg).load(SessionSigner(derived).issue()[0]) is None
    assert list(cfg.state_dir.iterdir()) == [kept]  # nothing left aside


def test_session_secret_of_the_user_or_no_admin_left_alone(tmp_path):
    own = _served_config(tmp_path, secret="mine")
    auth.keep_session_secret(own)
    assert own.secret_key == "mine"
    off = Config()
    off.root = tmp_path
    auth.keep_session_secret(off)
    assert off.secret_key == "" and list(own.state_dir.iterdir()) == []


def test_session_secret_unreadable_warns_and_keeps_serving(tmp_path, caplog):
    cfg = _served_config(tmp_path)
    (cfg.state_dir / auth.SESSION_SECRET_FILE).write_text("short")
    auth.keep_session_secret(cfg)
    assert cfg.secret_key == "" and "SITESEER_SECRET_KEY" in caplog.text
    gone = _config()
    gone.root = tmp_path / "missing"  # no state folder to keep it in
    auth.keep_session_secret(gone)
    assert gone.secret_key == ""


def test_sessions_outlive_a_reload_with_the_password_in_the_environment(tmp_path):
    # Each load_config hashed the password with a new salt, and the session key derives
    # from the hash: every SIGHUP logged every admin out.
    env = {"SITESEER_ADMIN_PASSWORD": "s3cret", "SITESEER_SECRET_KEY": "k"}
    first, reloaded = load_config(tmp_path, env=env), load_config(tmp_path, env=env)
    value, csrf = SessionSigner(first).issue()
    assert SessionSigner(reloaded).load(value).csrf == csrf
    value, csrf = SessionSigner(reloaded).issue()
    assert SessionSigner(first).load(value).csrf == csrf
    changed = load_config(tmp_path, env={**env, "SITESEER_ADMIN_PASSWORD": "n3w"})
    assert verify_password("n3w", changed.admin.password_hash)
    assert SessionSigner(changed).load(value) is None  # a new password still ends the sessions
