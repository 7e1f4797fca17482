"""The example site that ships in examples/site keeps the facts other tests rely on."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pypdfium2
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from filesite import get, make_config
from siteseer.files.static import FileServer

SITE = Path(__file__).resolve().parents[2] / "examples" / "site"
PAGES = ["index.html", "history.html", "how-they-work.html", "keepers.html", "famous/index.html",
         "famous/bell-rock.html"]


def test_small_enough():
    # What ships: the state folder a local `siteseer serve` leaves there is not committed.
    shipped = subprocess.run(["git", "ls-files", "examples/site"], cwd=SITE.parents[1],
                             capture_output=True, text=True, check=True).stdout.split()
    total = sum((SITE.parents[1] / rel).stat().st_size for rel in shipped)
    assert 0 < total < 300_000


def test_pages_share_assets_and_have_section_ids():
    for rel in PAGES:
        tree = HTMLParser((SITE / rel).read_text(encoding="utf-8"))
        assert tree.css_first("title").text().strip(), rel
        assert tree.css_first("header nav") and tree.css_first("footer"), rel
        hrefs = [n.attributes["href"] for n in tree.css('link[rel="stylesheet"]')]
        assert [h.rsplit("/", 1)[-1] for h in hrefs] == ["style.css"], rel
        assert [n.attributes["src"].rsplit("/", 1)[-1] for n in tree.css("script")] == ["site.js"], rel
        ids = [n.attributes["id"] for n in tree.css("h2[id]")]
        assert len(ids) >= 3 and len(set(ids)) == len(ids), rel
        # Every local link points at a file that exists.
        for node in tree.css("a[href]"):
            href = node.attributes["href"].split("#")[0]
            if href and not href.startswith(("http:", "https:")):
                assert ((SITE / rel).parent / href).resolve().is_file(), (rel, href)


def test_data_json():
    data = json.loads((SITE / "data" / "lighthouses.json").read_text())
    assert data["title"] == "Famous lighthouses of the world"
    assert len(data["lighthouses"]) >= 5


def _pdf_pages(name):
    doc = pypdfium2.PdfDocument(str(SITE / "docs" / name))
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def test_lens_pdf_has_a_distinct_word_per_page():
    pages = _pdf_pages("fresnel-lens.pdf")
    words = ["bullseye", "catadioptric", "hyperradiant", "clockwork"]
    assert len(pages) == 4
    for number, word in enumerate(words):
        for other, text in enumerate(pages):
            assert (word in text.lower()) == (other == number), (word, other + 1)


def test_leaflet_pdf():
    pages = _pdf_pages("visitor-leaflet.pdf")
    assert len(pages) == 1 and "binoculars" in pages[0]


def test_video_and_subtitles():
    vtt = (SITE / "media" / "beam.vtt").read_text()
    assert vtt.startswith("WEBVTT")
    cues = re.findall(r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.+)", vtt)
    assert [c[0] for c in cues] == ["00:00:00.500", "00:00:01.500", "00:00:02.500"]
    for (_, _, text), word in zip(cues, ["kerosene", "gannets", "moonrise"]):
        assert word in text
    video = (SITE / "media" / "beam.mp4").read_bytes()
    assert video[4:8] == b"ftyp" and len(video) < 100_000
    try:
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                              str(SITE / "media" / "beam.mp4")], capture_output=True, text=True, check=True)
    except FileNotFoundError:
        return  # no ffprobe here: the container check above still ran
    assert 2.0 <= float(out.stdout) <= 4.0


def test_distinct_words_are_only_in_their_media():
    for path in SITE.rglob("*"):
        if path.suffix in (".html", ".md", ".txt", ".json", ".css", ".js"):
            text = path.read_text(encoding="utf-8").lower()
            for word in ("bullseye", "catadioptric", "hyperradiant", "clockwork", "binoculars",
                         "kerosene", "gannets", "moonrise"):
                assert word not in text, (path, word)


def test_file_server_serves_the_example_site():
    server = FileServer(make_config(SITE))
    assert get(server, "/famous/").status == 200
    assert get(server, "/famous").status == 301
    r = get(server, "/assets/style.css", accept_encoding="br")
    assert r.status == 200 and r.header("content-type") == "text/css; charset=utf-8"
    assert get(server, "/media/beam.vtt").header("content-type") == "text/vtt; charset=utf-8"
    r = get(server, "/media/beam.mp4", range="bytes=0-7")
    assert r.status == 206 and r.header("content-type") == "video/mp4"
    assert get(server, "/docs/").status == 200  # listing
