"""A small folder of every kind of file, indexed with the real extractors."""

from __future__ import annotations

import json
from pathlib import Path

from siteseer.config import Config, IndexConfig, SearchConfig


def write(root: Path, rel: str, data: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def html(title: str, body: str) -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"


def make_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    for text in ["Quarterly report on zebra migration.", "Appendix about giraffe feeding schedules."]:
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 10, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


def build_site(root: Path) -> None:
    write(root, "docs/manual/install.html", html("Installation guide", """
        <h1 id="install">Installing the server</h1>
        <p>Download the package and run the installer. Configuration lives in siteseer.toml.</p>
        <h2 id="upgrade">Upgrading</h2>
        <p>Stop the server before upgrading. Keep a backup of your configuration.</p>"""))
    write(root, "docs/manual/tuning.html", html("Performance tuning", """
        <h1 id="tuning">Tuning</h1>
        <p>The cache size matters most. A bigger cache makes the server faster; installation
        details are covered elsewhere.</p>"""))
    write(root, "docs/faq.md", "# Frequently asked questions\n\n## Why is search fast?\n\n"
          "Because the index is an inverted index built by tantivy. The quick brown fox jumps over the lazy dog.\n\n"
          "## Does it support phrases?\n\nYes: quote words like \"brown fox\" to keep them together.\n")
    write(root, "notes/espresso.txt", "Café notes\n\nThe crème brûlée pairs with a naïve espresso. Coffee beans from Kenya.")
    write(root, "notes/old-coffee.txt", "Old coffee notes\n\nCoffee grinder maintenance and descaling.")
    write(root, "data/animals.json", json.dumps({"animals": [{"name": "okapi", "habitat": "rainforest"},
                                                             {"name": "quokka", "habitat": "island"}]}))
    make_pdf(root / "reports/zebra.pdf")
    write(root, "media/talk.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nWelcome to the talk about volcanoes.\n\n"
          "00:01:30.000 --> 00:01:35.000\nMagma chambers feed the eruption.\n")
    write(root, "media/talk.mp4", b"\x00\x00\x00\x18ftypmp42")
    write(root, "media/lecture.srt", "1\n00:00:02,000 --> 00:00:05,000\nGlaciers carve valleys slowly.\n")
    write(root, "ja/package.html", html("パッケージ管理", """
        <h1 id="pkg">パッケージ管理システム</h1>
        <p>Debianではaptを使ってパッケージをインストールします。依存関係は自動的に解決されます。</p>"""))
    write(root, "ja/other.html", html("ネットワーク設定", "<p>ネットワークの設定ファイルを編集します。</p>"))
    write(root, "zh/guide.html", html("软件包管理", "<p>使用软件包管理器安装程序。系统会自动处理依赖关系。</p>"))
    write(root, "broken/bad.pdf", b"%PDF-1.4 this is not really a pdf")
    write(root, "broken/bad.json", "{not json")
    write(root, "broken/latin1.txt", "Caf\xe9 latin-1 text about okapi".encode("latin-1"))
    write(root, ".hidden/secret.txt", "secret hidden words")


def make_config(root: Path) -> Config:
    config = Config()
    config.root = root.resolve()
    config.index = IndexConfig(workers=2, watch=False)
    config.search = SearchConfig()
    return config


def indexed_service(root: Path):
    """A SearchService over ``root``, indexed now; no result cache, so every search runs."""
    from siteseer.index.indexer import run_index
    from siteseer.search.service import SearchService

    config = make_config(root)
    config.search.result_cache = 0
    run_index(config)
    return SearchService(config)


def paths(result: dict) -> list[str]:
    """The hit paths of a search result, in rank order."""
    return [hit["path"] for hit in result["hits"]]
