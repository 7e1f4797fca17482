"""https: the certificate checks at start-up, and a real server answering over TLS (HTTP/1.1)."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import stat
import time

import httpx
import pytest
import trustme
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect, sync_playwright

from siteseer import cli
from siteseer.config import Config, ConfigError, check_tls, load_config
from siteseer.server.certificates import CertificateCopies
from tests.conftest import free_port, wait_until

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def tls(tmp_path):
    """A CA, and a certificate it signed for 127.0.0.1 and localhost: (cert, key, ca) files."""
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path / "tls"
    folder.mkdir()
    cert, key, ca_file = folder / "fullchain.pem", folder / "privkey.pem", folder / "ca.pem"
    cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    return cert, key, ca_file


def tls_config(cert, key) -> Config:
    config = Config()
    config.server.tls_cert, config.server.tls_key = str(cert), str(key)
    return config


# --- start-up checks ------------------------------------------------------------

def test_no_certificate_is_plain_http():
    config = Config()
    check_tls(config)
    assert config.server.tls_cert == config.server.tls_key == ""


@pytest.mark.parametrize("which, missing", [("cert", "server.tls_key"), ("key", "server.tls_cert")])
def test_a_certificate_needs_its_key_and_the_key_its_certificate(tls, which, missing):
    cert, key, _ = tls
    config = tls_config(cert if which == "cert" else "", key if which == "key" else "")
    with pytest.raises(ConfigError) as err:
        check_tls(config)
    assert err.value.key == missing


def test_a_missing_file_is_named(tls, tmp_path):
    cert, _, _ = tls
    with pytest.raises(ConfigError, match="nope.pem does not exist") as err:
        check_tls(tls_config(cert, tmp_path / "nope.pem"))
    assert err.value.key == "server.tls_key"


def test_another_certificates_key_is_refused(tls):
    cert, _, _ = tls
    other = trustme.CA().issue_cert("127.0.0.1").private_key_pem.bytes()
    wrong = cert.parent / "other.pem"
    wrong.write_bytes(other)
    with pytest.raises(ConfigError, match="is not the private key of") as err:
        check_tls(tls_config(cert, wrong))
    assert err.value.key == "server.tls_key"


@pytest.mark.timeout(20)  # OpenSSL would otherwise ask for the passphrase on the terminal, and wait
def test_an_encrypted_key_is_refused_without_a_prompt(tls):
    cert, key, _ = tls
    private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    encrypted = key.parent / "encrypted.pem"
    encrypted.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.BestAvailableEncryption(b"secret")))
    with pytest.raises(ConfigError, match="is encrypted"):
        check_tls(tls_config(cert, encrypted))


def test_a_key_for_a_certificate_is_not_a_certificate(tls):
    _, key, _ = tls
    with pytest.raises(ConfigError, match="are not a PEM certificate chain") as err:
        check_tls(tls_config(key, key))
    assert err.value.key == "server.tls_cert"


def test_paths_in_the_configuration_file_are_read_from_its_folder(tls, tmp_path):
    cert, key, _ = tls
    (tmp_path / "site").mkdir()
    conf = cert.parent / "siteseer.toml"
    conf.write_text(f'[server]\ntls_cert = "{cert.name}"\ntls_key = "{key.name}"\n')
    config = load_config(tmp_path / "site", conf)
    check_tls(config)
    assert (config.server.tls_cert, config.server.tls_key) == (str(cert), str(key))


def test_the_command_says_what_is_wrong_in_one_line(tls, tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr("siteseer.server.run.serve", lambda config, reread=None: started.append(config))
    cert, _, _ = tls
    result = CliRunner().invoke(cli.main, ["serve", str(tmp_path), "--no-index", "--tls-cert", str(cert)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "siteseer: configuration error: server.tls_key: is needed too" in result.output
    assert started == []


# --- a real server ----------------------------------------------------------------

def https_args(tls) -> tuple[str, ...]:
    cert, key, _ = tls
    return ("--tls-cert", str(cert), "--tls-key", str(key))


def test_files_over_https(serve, site, tls):
    server = serve(site, args=("--no-index", *https_args(tls)), ca=tls[2])
    assert server.url.startswith("https://")
    assert "open https://127.0.0.1:" in server.log()
    expected = (site / "docs" / "guide.html").read_bytes()
    # A client that offers HTTP/2 too (ALPN) gets HTTP/1.1: see server.run for why.
    with server.client(http1=True, http2=True) as c:
        whole = c.get("/docs/guide.html")
        assert whole.http_version == "HTTP/1.1"
        assert whole.status_code == 200 and whole.content == expected
        part = c.get("/docs/guide.html", headers={"range": "bytes=10-19"})
        assert part.status_code == 206 and part.content == expected[10:20]
        assert c.get("/docs/guide.html", headers={"if-none-match": whole.headers["etag"]}).status_code == 304
        missing = c.get("/no/such/page")
        assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


def test_a_connection_silent_after_its_handshake_is_closed(serve, site, tls):
    # Held until the client went while granian told HTTP/1.1 from HTTP/2 by the first bytes.
    server = serve(site, config="[server]\nheader_read_timeout = 1.0\n", args=("--no-index", *https_args(tls)),
                   ca=tls[2])
    context = ssl.create_default_context(cafile=str(tls[2]))
    with context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=10),
                             server_hostname="127.0.0.1") as conn:
        started = time.monotonic()
        assert conn.recv(100) == b""  # closed, with no answer
        assert time.monotonic() - started < 8


def test_plain_http_to_the_https_port_gets_no_page_and_the_server_keeps_serving(serve, site, tls):
    server = serve(site, args=("--no-index", *https_args(tls)), ca=tls[2])
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{server.port}/index.html", timeout=5)
    with server.client() as c:
        assert c.get("/index.html").status_code == 200


def test_admin_login_over_https_sets_secure_cookies(serve, site, tls):
    server = serve(site, args=("--no-index", *https_args(tls)), ca=tls[2],
                   env={"SITESEER_ADMIN_PASSWORD": PASSWORD})
    with server.client() as c:
        refused = c.post("/admin/login", data={"password": PASSWORD}, headers={"origin": "https://evil.example"})
        assert refused.status_code == 403
        login = c.post("/admin/login", data={"password": PASSWORD}, headers={"origin": server.url})
        assert login.status_code == 303
        cookies = login.headers.get_list("set-cookie")
        assert cookies and all("Secure" in cookie for cookie in cookies)
        assert c.get("/admin/").status_code == 200


def test_search_page_over_https_in_chromium(serve, site, tls):
    server = serve(site, args=https_args(tls), ca=tls[2])

    def indexed() -> bool:
        with server.client() as c:
            return c.get("/api/search", params={"q": "lighthouse"}).json().get("total", 0) > 0

    wait_until(indexed, timeout=60, interval=0.2, message="the index to find 'lighthouse'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # The test CA is not the browser's: its errors are ignored, the page still comes over TLS.
            page = browser.new_context(ignore_https_errors=True).new_page()
            assert page.goto(server.url + "/search?q=lighthouse").status == 200
            hit = page.get_by_role("link", name="Lighthouse guide")
            expect(hit).to_be_visible(timeout=20_000)
            assert hit.get_attribute("href").startswith("/docs/guide.html")
            protocol = page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol")
            assert protocol == "http/1.1"
        finally:
            browser.close()


# --- a renewed certificate (SIGHUP) ---------------------------------------------------

def served_serial(port: int) -> int:
    pem = ssl.get_server_certificate(("127.0.0.1", port), timeout=5)
    return x509.load_pem_x509_certificate(pem.encode()).serial_number


def serial_of(cert_file) -> int:
    return x509.load_pem_x509_certificate(cert_file.read_bytes()).serial_number


def renew(tls) -> int:
    """Write a new certificate for 127.0.0.1 over the configured files; its serial number."""
    cert, key, _ = tls
    leaf = trustme.CA().issue_cert("127.0.0.1")
    cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    return serial_of(cert)


def test_workers_read_checked_copies(tls):
    cert, key, _ = tls
    copies = CertificateCopies(str(cert), str(key))
    try:
        assert copies.cert_copy.read_bytes() == cert.read_bytes()
        assert stat.S_IMODE(copies.key_copy.stat().st_mode) == 0o600
        assert stat.S_IMODE(copies.folder.stat().st_mode) == 0o700
        key.write_bytes(trustme.CA().issue_cert("127.0.0.1").private_key_pem.bytes())  # another certificate's
        before = copies.key_copy.read_bytes()
        assert "is not the private key of" in copies.refresh()
        assert copies.key_copy.read_bytes() == before and sorted(copies.folder.iterdir()) == [copies.cert_copy,
                                                                                               copies.key_copy]
    finally:
        copies.remove()
    assert not copies.folder.exists()


def test_a_renewal_that_moves_certbots_links_is_read_through_them(tls, tmp_path, monkeypatch):
    """certbot keeps live/fullchain.pem -> ../archive/fullchain1.pem and renews by writing
    fullchain2.pem and moving the link: the paths must keep the links (resolved, SIGHUP
    read the old archive file again, and the site served an expired certificate)."""
    cert, key, _ = tls
    archive, live = tmp_path / "archive", tmp_path / "live"
    archive.mkdir(), live.mkdir()
    os.replace(cert, archive / "fullchain1.pem"), os.replace(key, archive / "privkey1.pem")
    (live / "fullchain.pem").symlink_to("../archive/fullchain1.pem")
    (live / "privkey.pem").symlink_to("../archive/privkey1.pem")
    started = []
    monkeypatch.setattr("siteseer.server.run.serve", lambda config, reread=None: started.append(config))
    # A free port: serve checks that nothing listens there before it would start.
    result = CliRunner().invoke(cli.main, ["serve", str(tmp_path), "--no-index", "--port", str(free_port()),
                                           "--tls-cert", str(live / "fullchain.pem"),
                                           "--tls-key", str(live / "privkey.pem")])
    assert result.exit_code == 0, result.output
    config = started[0]
    assert (config.server.tls_cert, config.server.tls_key) == (str(live / "fullchain.pem"), str(live / "privkey.pem"))
    copies = CertificateCopies(config.server.tls_cert, config.server.tls_key)
    try:
        leaf = trustme.CA().issue_cert("127.0.0.1")
        (archive / "fullchain2.pem").write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(archive / "privkey2.pem"))
        for name, target in (("fullchain.pem", "fullchain2.pem"), ("privkey.pem", "privkey2.pem")):
            (live / (name + ".new")).symlink_to(f"../archive/{target}")
            os.replace(live / (name + ".new"), live / name)
        assert copies.refresh() is None
        assert serial_of(copies.cert_copy) == serial_of(archive / "fullchain2.pem")
    finally:
        copies.remove()


def test_sighup_serves_a_renewed_certificate_and_keeps_the_old_one_when_the_new_is_broken(serve, site, tls):
    server = serve(site, args=("--no-index", *https_args(tls)), ca=tls[2])
    first = served_serial(server.port)
    assert first == serial_of(tls[0])
    renewed = renew(tls)
    os.kill(server.process.pid, signal.SIGHUP)
    wait_until(lambda: served_serial(server.port) == renewed, timeout=30, interval=0.2,
               message="the renewed certificate to be served")
    assert "certificate reloaded from" in server.log()
    # A renewal written halfway: the key of another certificate. The workers come back on the pair they had.
    tls[1].write_bytes(trustme.CA().issue_cert("127.0.0.1").private_key_pem.bytes())
    os.kill(server.process.pid, signal.SIGHUP)
    wait_until(lambda: server.log().count("Started worker-1 runtime-1") >= 3, timeout=30, interval=0.2,
               message="the workers to restart")
    assert "certificate not reloaded, the workers keep the one they had" in server.log()
    assert served_serial(server.port) == renewed
    with httpx.Client(verify=False, timeout=10) as c:  # signed by the renewal's own CA
        assert c.get(server.url + "/index.html").status_code == 200


HSTS = "[server]\nhsts_max_age = 31536000\n"


def test_hsts_is_sent_over_https_on_every_kind_of_answer(serve, site, tls):
    server = serve(site, config=HSTS, args=("--no-index", *https_args(tls)), ca=tls[2])
    with server.client() as c:
        for path in ("/docs/guide.html", "/no/such/page", "/", "/api/search?q=x", "/healthz"):
            assert c.get(path).headers.get("strict-transport-security") == "max-age=31536000", path


def test_hsts_is_not_sent_over_http_unless_a_trusted_proxy_says_https(serve, site):
    server = serve(site, config=HSTS + '[access]\ntrusted_proxies = ["127.0.0.1"]\n', args=("--no-index",))
    with server.client() as c:
        assert "strict-transport-security" not in c.get("/docs/guide.html").headers
        proxied = c.get("/docs/guide.html", headers={"x-forwarded-proto": "https"})
        assert proxied.headers.get("strict-transport-security") == "max-age=31536000"


def test_a_proxy_writing_forwarded_says_https_there(serve, site):
    config = HSTS + '[access]\ntrusted_proxies = ["127.0.0.1"]\nproxy_header = "Forwarded"\n'
    server = serve(site, config=config, args=("--no-index",))
    with server.client() as c:
        said = c.get("/docs/guide.html", headers={"forwarded": "for=203.0.113.5;proto=https"})
        assert said.headers.get("strict-transport-security") == "max-age=31536000"
        passed_on = c.get("/docs/guide.html", headers={"forwarded": "for=203.0.113.5;proto=http",
                                                        "x-forwarded-proto": "https"})
        assert "strict-transport-security" not in passed_on.headers


def test_hsts_is_off_unless_asked_for(serve, site, tls):
    server = serve(site, args=("--no-index", *https_args(tls)), ca=tls[2])
    with server.client() as c:
        assert "strict-transport-security" not in c.get("/docs/guide.html").headers
