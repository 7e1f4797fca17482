"""near_files: the 404 page's files of a close name, in the folder the URL names."""

from __future__ import annotations

from pathlib import Path

from siteseer.files.nearby import near_files
from siteseer.files.resolve import PrivatePaths


def _site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "git-doc").mkdir(parents=True)
    for name in ("git-stash.html", "git-status.html", "git-bisect.html", ".git-stash.html.swp"):
        (root / "git-doc" / name).write_text("x")
    (root / "git-doc" / "git-stish").mkdir()  # a folder: not offered as a file
    (root / "notes.txt").write_text("x")
    (root / "siteseer.toml").write_text("secret_key = 'k'")
    (tmp_path / "outside.txt").write_text("x")
    (root / "outsida.txt").symlink_to(tmp_path / "outside.txt")
    return root


def test_a_mistyped_name_finds_the_file_beside_it(tmp_path):
    root = _site(tmp_path)
    assert near_files(str(root), "/git-doc/git-stsh.html")[:1] == ["/git-doc/git-stash.html"]
    assert near_files(str(root), "/git-doc/git-stsh.html", most=1) == ["/git-doc/git-stash.html"]
    assert near_files(str(root), "/nodes.txt") == ["/notes.txt"]
    assert near_files(str(root), "/git-doc/completely-else.pdf") == []


def test_only_what_the_file_server_serves_is_offered(tmp_path):
    root = _site(tmp_path)
    assert near_files(str(root), "/git-doc/.git-stash.html.swq") == []  # a dotfile is never looked at
    assert ".git-stash.html.swp" not in " ".join(near_files(str(root), "/git-doc/git-stash.html.swp"))
    assert near_files(str(root), "/outside.txt") == []  # a link out of the folder
    private = PrivatePaths(str(root), root / ".siteseer", root / "siteseer.toml")
    assert near_files(str(root), "/siteseer.tmol", private) == []
    assert near_files(str(root), "/../site/nodes.txt") == []  # a path the server refuses
    assert near_files(str(root), "/no/such/folder/x.html") == []
    assert near_files(str(root), "/notes.txt/x") == []  # a file is no folder


def test_names_no_request_can_spell_are_not_offered(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    for name in (b"bad\xffname.html", b"new\nline.html", b"back\\slash.html", b"badname.htm"):
        (root / name.decode("utf-8", "surrogateescape")).write_text("x")
    # Quoting the name that is not UTF-8 raised, and the 404 page was an error page.
    assert near_files(str(root), "/badname.html") == ["/badname.htm"]
    assert near_files(str(root), "/newline.html") == [] and near_files(str(root), "/backslash.html") == []


def test_a_file_asked_for_as_a_folder_is_offered(tmp_path):
    root = _site(tmp_path)
    assert near_files(str(root), "/notes.txt/") == ["/notes.txt"]
    assert near_files(str(root), "/git-doc/git-stash.html/")[:1] == ["/git-doc/git-stash.html"]
