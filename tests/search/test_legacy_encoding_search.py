"""A page or note in Shift_JIS with no charset declared is found by its Japanese words."""

from sx_fixtures import indexed_service


def test_a_shift_jis_page_without_a_charset_is_searchable(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "log.txt").write_bytes("Keeper's log\n\n灯台守の記録。東京都港区の灯台。\n".encode("shift_jis"))
    (root / "page.html").write_bytes("<title>灯台</title><p>東京都港区の灯台は百年前に建てられました。</p>".encode("shift_jis"))
    service = indexed_service(root)
    hits = service.search("東京都")["hits"]
    assert {h["path"] for h in hits} == {"log.txt", "page.html"}
    assert any(h["title"] == "灯台" for h in hits)
