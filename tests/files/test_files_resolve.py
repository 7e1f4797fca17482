"""resolve_path: never a path outside the root, whatever the URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from filesite import build_site
from siteseer.files.resolve import lookup, resolve_path, url_segments


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/", "."),
        ("/a.txt", "a.txt"),
        ("/sub/page.html", "sub/page.html"),
        ("/sub/", "sub"),
        ("//sub//page.html", "sub/page.html"),
        ("/link.txt", "a.txt"),  # symlink inside the root: fine, resolved
        ("/sublink/page.html", "sub/page.html"),
        ("/missing.txt", "missing.txt"),  # need not exist
    ],
)
def test_allowed(site, url, expected):
    assert resolve_path(site, url, False) == (site / expected).resolve()


@pytest.mark.parametrize(
    "url",
    [
        "/../secret.txt",
        "/sub/../a.txt",  # even when it would stay inside: refused, not repaired
        "/./a.txt",
        "/..",
        "/sub/..",
        "/a.txt\x00.html",
        "/..\\secret.txt",
        "/sub\\..\\..\\secret.txt",
        "a.txt",  # not absolute
        "",
        "/.env",
        "/.git/config",
        "/.siteseer/catalog.db",
        "/sub/.hidden",
        "/escape.txt",  # absolute symlink out
        "/escape_rel.txt",  # relative symlink out
        "/escape_dir/x.txt",  # folder symlink out
        "/escape_dir",
        "/escape_prefix/p.txt",  # "/base/site-private" is not inside "/base/site"
        "/innocent.txt",  # symlink to a dotfile
        "/\udcff.txt",  # lone surrogate: cannot reach the file system
    ],
)
def test_refused(site, url):
    assert resolve_path(site, url, False) is None


def test_dotfiles_when_allowed(site):
    assert resolve_path(site, "/.env", True) == (site / ".env").resolve()
    assert resolve_path(site, "/innocent.txt", True) == (site / ".env").resolve()
    assert resolve_path(site, "/.git/config", True) == (site / ".git" / "config").resolve()
    # Dot-segments are never allowed, whatever the setting.
    assert resolve_path(site, "/../secret.txt", True) is None
    assert resolve_path(site, "/sub/./page.html", True) is None


def test_root_given_through_a_symlink(site, tmp_path):
    alias = tmp_path / "alias"
    alias.symlink_to(site)
    assert resolve_path(alias, "/a.txt", False) == (site / "a.txt").resolve()
    assert resolve_path(alias, "/escape.txt", False) is None


def test_replacement_character_is_just_a_name(site):
    # granian turns invalid UTF-8 into U+FFFD: a normal (missing) name.
    assert resolve_path(site, "/\ufffd.txt", False) == site.resolve() / "\ufffd.txt"


def test_url_segments():
    assert url_segments("/a//b/", False) == ["a", "b"]
    assert url_segments("/", False) == []
    assert url_segments("/a/..", True) is None
    assert url_segments("/...", False) is None  # a dotfile named ".."+"."
    assert url_segments("/...", True) == ["..."]


def test_lookup_stats_and_resolves(site):
    real_root = os.path.realpath(site)
    found = lookup(real_root, ["a.txt"], False)
    assert found is not None and found[0] == os.path.join(real_root, "a.txt") and found[1].st_size == 6
    found = lookup(real_root, ["sublink", "page.html"], False)
    assert found is not None and found[0] == os.path.join(real_root, "sub", "page.html")
    assert lookup(real_root, ["escape.txt"], False) is None
    assert lookup(real_root, ["escape_dir", "x.txt"], False) is None
    assert lookup(real_root, ["broken.txt"], False) is None
    assert lookup(real_root, ["missing", "x"], False) is None
    assert lookup(real_root, ["a.txt", "x"], False) is None  # a file is not a folder
    assert lookup(real_root, [], False)[0] == real_root


# -- property tests ------------------------------------------------------------

_BASE = Path(tempfile.mkdtemp(prefix="siteseer-resolve-"))
_ROOT = build_site(_BASE)
_REAL_ROOT = os.path.realpath(_ROOT)

_pieces = st.sampled_from([
    "..", ".", "", "a.txt", "sub", "sublink", "escape.txt", "escape_rel.txt", "escape_dir", "escape_prefix",
    "innocent.txt", ".env", ".git", "config", "x.txt", "p.txt", "page.html", "..\\..", "\x00", "%2e%2e",
    "\ufffd", "\udcff", "~", "site", "..%2f", " ", ".siteseer",
])
_segments = st.lists(st.one_of(_pieces, st.text(max_size=6)), max_size=8)
url_paths = st.one_of(_segments.map(lambda s: "/" + "/".join(s)), st.text(max_size=40))


def _inside(path: str) -> bool:
    return path == _REAL_ROOT or path.startswith(_REAL_ROOT + os.sep)


@settings(max_examples=800, deadline=None)
@given(url_paths, st.booleans())
def test_property_never_outside_root(url, dotfiles):
    result = resolve_path(_ROOT, url, dotfiles)
    if result is None:
        return
    real = os.path.realpath(result)
    assert _inside(real), (url, result)
    assert str(result) == real  # what is returned is already symlink-free
    if not dotfiles:
        rel = os.path.relpath(real, _REAL_ROOT)
        assert rel == "." or not any(part.startswith(".") for part in rel.split(os.sep)), (url, rel)


@settings(max_examples=800, deadline=None)
@given(url_paths, st.booleans())
def test_property_lookup_never_outside_root(url, dotfiles):
    segments = url_segments(url, dotfiles)
    if segments is None:
        return
    found = lookup(_REAL_ROOT, segments, dotfiles)
    if found is None:
        return
    assert _inside(os.path.realpath(found[0])), url
    with open(found[0], "rb") if os.path.isfile(found[0]) else open(os.devnull, "rb") as f:
        assert b"TOP SECRET" not in f.read(100)


@settings(max_examples=300, deadline=None)
@given(url_paths, st.booleans(), st.sampled_from(["GET", "HEAD", "POST"]))
def test_property_file_server_never_leaks(url, dotfiles, method):
    import asyncio

    from filesite import make_config
    from siteseer.files.static import FileServer
    from siteseer.server.messages import Request

    server = FileServer(make_config(_ROOT, serve_dotfiles=dotfiles))
    response = asyncio.run(server(Request(method, url, "", {"range": "bytes=0-50,60-"})))
    if response is None:
        return
    assert response.status in (200, 206, 301, 405, 416)
    assert b"TOP SECRET" not in response.body
    if response.file is not None:
        assert _inside(os.path.realpath(response.file))
    location = response.header("location")
    if location is not None:
        assert location.startswith("/") and not location.startswith("//")


def test_well_known_is_public_at_the_top_only(site):
    (site / ".well-known").mkdir()
    (site / ".well-known" / "security.txt").write_text("Contact: x")
    (site / "sub" / ".well-known").mkdir()
    assert resolve_path(site, "/.well-known/security.txt", False) == (site / ".well-known" / "security.txt").resolve()
    assert resolve_path(site, "/sub/.well-known", False) is None
    assert resolve_path(site, "/.well-known/.env", False) is None
    assert resolve_path(site, "/.well-known/.well-known", False) is None
