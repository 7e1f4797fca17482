"""Which files are candidates, and the catalog that remembers them."""

import os
from pathlib import Path

import pytest

from ix_helpers import kind_for, write

from siteseer.index.catalog import Catalog, FileRow, indexing_now
from siteseer.index.scan import Scope, scan


def test_scan_skips_dotfiles_state_dir_excludes_and_unknown_kinds(tmp_path: Path):
    for rel in ["a.txt", "docs/b.md", ".hidden.txt", ".git/c.txt", "sub/.d/e.txt", ".siteseer/x.txt",
                "drafts/f.txt", "notes/g.tmp.txt", "img.png", "deep/drafts/h.txt", "back\\slash.txt",
                "tab\tname.txt", "line\nbreak.md", "sub\x7f/i.txt"]:
        write(tmp_path, rel, "x")
    scope = Scope(tmp_path, tmp_path / ".siteseer", ["drafts", "*.tmp.txt"])
    found = scan(tmp_path, scope, kind_for)
    assert sorted(found) == ["a.txt", "deep/drafts/h.txt", "docs/b.md"]
    assert found["a.txt"].size == 1 and found["a.txt"].mtime_ns > 0


def test_scan_state_dir_with_custom_name_and_subtree(tmp_path: Path):
    write(tmp_path, "state/catalog.txt", "x")
    write(tmp_path, "docs/a.txt", "x")
    write(tmp_path, "docs/sub/b.txt", "x")
    scope = Scope(tmp_path, tmp_path / "state")
    assert sorted(scan(tmp_path, scope, kind_for)) == ["docs/a.txt", "docs/sub/b.txt"]
    assert sorted(scan(tmp_path, scope, kind_for, under="docs/sub")) == ["docs/sub/b.txt"]
    assert sorted(scan(tmp_path, scope, kind_for, under="docs/a.txt")) == ["docs/a.txt"]
    assert scan(tmp_path, scope, kind_for, under="gone") == {}


def test_scan_never_takes_siteseers_own_files_even_through_a_link(tmp_path: Path):
    """A link to the config file had its password hash and secret in snippets."""
    write(tmp_path, "a.txt", "x")
    write(tmp_path, "site.conf.txt", "secret_key = 'k'")  # a config file (TOML by any name)
    write(tmp_path, "state/catalog.txt", "x")
    (tmp_path / "notes.txt").symlink_to(tmp_path / "site.conf.txt")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "readme.md").symlink_to(Path("..") / "site.conf.txt")
    (tmp_path / "state.txt").symlink_to(tmp_path / "state" / "catalog.txt")
    scope = Scope(tmp_path, tmp_path / "state", config_path=tmp_path / "site.conf.txt")
    assert sorted(scan(tmp_path, scope, kind_for)) == ["a.txt"]
    for under in ("notes.txt", "docs/readme.md", "site.conf.txt", "state.txt"):  # as the watcher asks
        assert scan(tmp_path, scope, kind_for, under=under) == {}, under
    # Without a config file, the links are indexed as any link inside the folder is.
    assert "notes.txt" in scan(tmp_path, Scope(tmp_path, tmp_path / "state"), kind_for)


def test_scan_ignores_dangling_symlinks(tmp_path: Path):
    write(tmp_path, "a.txt", "x")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    assert sorted(scan(tmp_path, Scope(tmp_path, tmp_path / ".siteseer"), kind_for)) == ["a.txt"]


def test_scan_indexes_only_what_the_file_server_would_serve_through_a_symlink(tmp_path: Path):
    site, outside = tmp_path / "site", tmp_path / "outside"
    write(site, "a.txt", "x")
    write(site, "docs/b.txt", "x")
    write(site, ".private/p.txt", "x")
    write(outside, "secret.txt", "x")
    (site / "link-in.txt").symlink_to(site / "docs" / "b.txt")  # served: indexed
    (site / "link-out.txt").symlink_to(outside / "secret.txt")  # 404 from the file server
    (site / "link-dot.txt").symlink_to(site / ".private" / "p.txt")  # 404 too: a dot-folder
    (site / "etc").symlink_to(outside)  # symlinked folders are never walked
    (site / "loop").symlink_to(site)
    scope = Scope(site, site / ".siteseer")
    expected = ["a.txt", "docs/b.txt", "link-in.txt"]
    assert sorted(scan(site, scope, kind_for)) == expected
    # What the watcher asks when a link appears: the same answer as the whole walk.
    for under in ("etc", "etc/secret.txt", "loop", "loop/docs", "link-out.txt", "link-dot.txt"):
        assert scan(site, scope, kind_for, under=under) == {}, under
    assert sorted(scan(site, scope, kind_for, under="link-in.txt")) == ["link-in.txt"]


def test_scan_takes_folders_named_as_the_servers_own_pages(tmp_path: Path):
    """Only /search, /healthz and /metrics themselves are the server's: the files in folders
    of those names are served, and were left out of every full scan (the watcher indexed
    them, the next start removed them)."""
    for rel in ["search/inner.html", "healthz/status.txt", "metrics/sub/m.md", "docs/search", "metrics.txt",
                "api/r.txt", "admin/r.txt", "_siteseer/r.txt"]:
        write(tmp_path, rel, "x")
    write(tmp_path / "elsewhere", "healthz", "x")
    scope = Scope(tmp_path, tmp_path / ".siteseer")
    served = ["healthz/status.txt", "metrics.txt", "metrics/sub/m.md", "search/inner.html"]
    assert sorted(scan(tmp_path, scope, lambda p: "text")) == ["docs/search", "elsewhere/healthz", *served]
    for under in ("search", "healthz", "metrics/sub", "search/inner.html"):  # as the watcher asks
        assert sorted(scan(tmp_path, scope, kind_for, under=under)) == [r for r in served if r.startswith(under)]
    assert [rel for rel in ("search", "healthz", "metrics", "api", "admin", "api/x") if scope.excluded(rel)] == [
        "api", "admin", "api/x"]


def test_catalog_apply_under_and_meta(tmp_path: Path):
    cat = Catalog(tmp_path / "catalog.db")
    rows = [FileRow(p, 1, 2, "h", "text", "ok", None, 1, 0.0) for p in ["a/x.txt", "a/y.txt", "a_b.txt", "ab/z.txt"]]
    rows.append(FileRow("bad.txt", 1, 2, "h", None, "skipped", "broken", 0, 0.0))
    cat.apply(rows, [])
    assert sorted(cat.under("a")) == ["a/x.txt", "a/y.txt"]  # "_" and prefixes are not wildcards
    assert sorted(cat.under("a/x.txt")) == ["a/x.txt"]
    assert len(cat.under("")) == 5
    assert cat.meta()["documents"] == "4"
    assert list(cat.problems()) == [("bad.txt", "skipped", "broken")]
    cat.apply([], ["a/x.txt"])
    assert cat.get("a/x.txt") is None and cat.meta()["documents"] == "3"
    cat.set_indexing(True)
    reader = Catalog(tmp_path / "catalog.db", readonly=True)
    assert indexing_now(reader.meta()) is True
    cat.set_indexing(False)
    assert indexing_now(reader.meta()) is False


def test_the_catalog_never_makes_the_served_folder(tmp_path: Path):
    """The served folder moved away (``mv site site.away``) must not be made again: it
    could not come back (``mv site.away site`` put it inside the new one)."""
    with pytest.raises(OSError):
        Catalog(tmp_path / "site" / ".siteseer" / "catalog.db")
    assert not (tmp_path / "site").exists()
    (tmp_path / "site").mkdir()
    Catalog(tmp_path / "site" / ".siteseer" / "catalog.db").close()  # its state folder, though


def test_indexing_flag_of_a_dead_indexer_is_ignored():
    assert indexing_now({"indexing": "1", "indexer_pid": "999999999"}) is False
    assert indexing_now({"indexing": "1", "indexer_pid": "0"}) is False


def test_catalog_under_takes_names_literally_and_reads_by_key(tmp_path: Path):
    cat = Catalog(tmp_path / "catalog.db")
    paths = ["a/x.txt", "a/b/y.txt", "a.txt", "a b/z.txt", "a%/w.txt", "a0/v.txt", "a-/u.txt", "é/t.txt", "éa/s.txt"]
    cat.apply([FileRow(p, 1, 2, "h", "text", "ok", None, 1, 0.0) for p in paths], [])
    assert sorted(cat.under("a")) == ["a/b/y.txt", "a/x.txt"]
    assert sorted(cat.under("a/")) == ["a/b/y.txt", "a/x.txt"]
    assert sorted(cat.under("a%")) == ["a%/w.txt"]
    assert sorted(cat.under("é")) == ["é/t.txt"]
    assert sorted(cat.under("a.txt")) == ["a.txt"]
    # A watcher batch asks once per path: each must be a key lookup, not a pass over every row.
    statements: list[str] = []
    cat.db.set_trace_callback(statements.append)
    cat.under("a/b")
    cat.db.set_trace_callback(None)
    (select,) = [s for s in statements if s.startswith("SELECT")]
    plan = " ".join(row[-1] for row in cat.db.execute("EXPLAIN QUERY PLAN " + select))
    assert "SCAN" not in plan, plan


def test_scan_skips_names_that_are_not_utf8(tmp_path: Path):
    write(tmp_path, "a.txt", "x")
    (tmp_path / os.fsdecode(b"caf\xe9.txt")).write_text("x")
    (tmp_path / os.fsdecode(b"d\xe9j\xe0")).mkdir()
    (tmp_path / os.fsdecode(b"d\xe9j\xe0") / "b.txt").write_text("x")
    scope = Scope(tmp_path, tmp_path / ".siteseer")
    assert sorted(scan(tmp_path, scope, kind_for)) == ["a.txt"]
    assert scope.excluded(os.fsdecode(b"caf\xe9.txt"))
    assert not scope.excluded("café.txt")
