"""The directory listing page."""

from __future__ import annotations

import os

from filesite import get, make_config

from siteseer.files.listing import list_directory, render_listing
from siteseer.files.static import FileServer


def test_list_directory_sorts_folders_first_and_hides_dotfiles(tmp_path):
    (tmp_path / "b.txt").write_text("bb")
    (tmp_path / "A.txt").write_text("a")
    (tmp_path / "zdir").mkdir()
    (tmp_path / ".secret").write_text("s")
    (tmp_path / "broken").symlink_to("nowhere")
    os.mkfifo(tmp_path / "fifo")
    entries, truncated = list_directory(str(tmp_path))
    assert [e[0] for e in entries] == ["zdir", "A.txt", "b.txt"]
    assert entries[0][1] is True and entries[2][2] == 2
    assert not truncated
    names = [e[0] for e in list_directory(str(tmp_path), show_dotfiles=True)[0]]
    assert ".secret" in names


def test_list_directory_hidden_paths(tmp_path):
    (tmp_path / "keep.txt").write_text("k")
    (tmp_path / "siteseer.toml").write_text("x")
    entries, _ = list_directory(str(tmp_path), hidden=frozenset({str(tmp_path / "siteseer.toml")}))
    assert [e[0] for e in entries] == ["keep.txt"]


def test_list_directory_leaves_out_names_no_request_reaches(tmp_path):
    # The file server refuses a backslash; the gatekeeper a control character (400).
    for name in ("keep.txt", "back\\slash.txt", "tab\tname.txt", "line\nbreak.txt", "del\x7f.txt"):
        (tmp_path / name).write_text("x")
    entries, _ = list_directory(str(tmp_path))
    assert [e[0] for e in entries] == ["keep.txt"]


def test_a_name_that_is_not_utf8_is_left_out_not_a_500(site):
    # No request can name it (granian makes U+FFFD of such bytes, refused with a 400), and the page
    # could not encode it: the whole listing answered 500.
    with open(os.fsencode(str(site / "plain")) + b"/caf\xe9.txt", "wb") as f:
        f.write(b"x")
    (site / "plain" / "r\ufffd.txt").write_text("x")
    page = get(FileServer(make_config(site, directory_listing=True)), "/plain/")
    assert page.status == 200
    assert "name.txt" in page.body.decode() and "caf" not in page.body.decode() and "r\ufffd" not in page.body.decode()


def test_list_directory_truncates(tmp_path, monkeypatch):
    import siteseer.files.listing as listing

    monkeypatch.setattr(listing, "MAX_ENTRIES", 3)
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text("x")
    entries, truncated = listing.list_directory(str(tmp_path))
    assert len(entries) == 3 and truncated
    assert "Only the first 3 entries" in listing.render_listing("/x/", entries, truncated)


def test_render_escapes_names_and_links():
    page = render_listing("/d/<x>/", [("<script>alert(1)</script>", False, 2048, 0.0), ("a b", True, 0, 0.0)])
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="%3Cscript%3Ealert%281%29%3C%2Fscript%3E"' in page
    assert 'href="a%20b/"' in page
    assert "Index of /d/&lt;x&gt;/" in page
    assert "2.0 KiB" in page
    assert "1970-01-01 00:00" in page
    assert 'href="../"' in page


def test_render_root_has_no_parent_link():
    assert 'href="../"' not in render_listing("/", [])


def test_list_directory_leaves_out_symlinks_the_file_server_refuses(site):
    (site / "config-link").symlink_to(site / "siteseer.toml")
    (site / "etc-link").symlink_to("/etc")
    hidden = frozenset({str(site / "siteseer.toml")})
    names = [e[0] for e in list_directory(str(site), hidden=hidden)[0]]
    assert "link.txt" in names and "sublink" in names  # links inside the folder stay
    for refused in ("escape.txt", "escape_rel.txt", "escape_dir", "escape_prefix", "etc-link",
                    "innocent.txt", "broken.txt", "config-link"):
        assert refused not in names, refused
    assert "innocent.txt" in [e[0] for e in list_directory(str(site), show_dotfiles=True)[0]]  # -> .env


def test_list_directory_symlinks_are_checked_against_the_root(site):
    (site / "plain" / "up.txt").symlink_to("../a.txt")  # outside the folder, inside the root
    (site / "plain" / "out.txt").symlink_to("../../secret.txt")
    names = [e[0] for e in list_directory(str(site / "plain"), root=str(site))[0]]
    assert "up.txt" in names and "out.txt" not in names
    names = [e[0] for e in list_directory(str(site / "plain"))[0]]  # no root: the folder bounds them
    assert "up.txt" not in names and "out.txt" not in names


def test_served_listing_has_no_links_out_of_the_folder(site):
    (site / "index.html").unlink()
    page = get(FileServer(make_config(site)), "/").body.decode()
    assert "link.txt" in page and "sublink/" in page
    assert "escape.txt" not in page and "escape_dir/" not in page and "escape_prefix/" not in page



def test_a_subfolders_listing_shows_its_links_to_elsewhere_in_the_site(site):
    """The file server checks links against the served folder, not the folder listed."""
    (site / "plain" / "up.txt").symlink_to("../a.txt")
    page = get(FileServer(make_config(site)), "/plain/").body.decode()
    assert 'href="up.txt"' in page


def test_a_long_folder_shows_its_first_entries_by_name(tmp_path, monkeypatch):
    """Cut after sorting, not in the order the disk lists them (tmpfs: newest first)."""
    import siteseer.files.listing as listing

    monkeypatch.setattr(listing, "MAX_ENTRIES", 5)
    for i in range(40):
        (tmp_path / f"f{i:02d}.txt").write_text("x")
    (tmp_path / "zz-folder").mkdir()
    entries, truncated = listing.list_directory(str(tmp_path))
    assert truncated
    assert [e[0] for e in entries] == ["zz-folder", "f00.txt", "f01.txt", "f02.txt", "f03.txt"]
    assert entries[1][2] == 1 and entries[0][1] is True


def test_a_huge_folder_is_read_only_so_far(tmp_path, monkeypatch):
    """A folder of millions must not cost a listing request millions of entries of memory and time."""
    import siteseer.files.listing as listing

    monkeypatch.setattr(listing, "MAX_READ", 12)
    monkeypatch.setattr(listing, "MAX_ENTRIES", 50)
    for i in range(30):
        (tmp_path / f"f{i:02d}.txt").write_text("x")
    entries, truncated = listing.list_directory(str(tmp_path))
    assert truncated and len(entries) == 12
    assert [e[0] for e in entries] == sorted(e[0] for e in entries)
