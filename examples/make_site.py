"""Build ``examples/site/``: the small example site siteseer serves by default.

Run from anywhere: ``python examples/make_site.py``. The output is committed,
so this only needs running after a change here. It needs ``fpdf2`` (PDFs)
and ``ffmpeg`` (the video); with ``--no-video`` an existing video is kept.

The content is written so tests can rely on it (keep these facts in sync
with the tests if you edit them):

- every HTML page has ``<h2 id=...>`` sections, a shared ``assets/style.css``
  and ``assets/site.js``; ``index.html`` links to every page;
- ``data/lighthouses.json`` has ``"title": "Famous lighthouses of the world"``;
- ``docs/fresnel-lens.pdf`` has four pages, each with one word found only
  there: page 1 ``bullseye``, page 2 ``catadioptric``, page 3 ``hyperradiant``,
  page 4 ``clockwork``;
- ``docs/visitor-leaflet.pdf`` is one page mentioning ``binoculars``;
- ``media/beam.mp4`` (3 s) has ``media/beam.vtt`` beside it with cues
  ``kerosene`` (0.5-1.4 s), ``gannets`` (1.5-2.4 s), ``moonrise`` (2.5-3.0 s).
  These PDF and subtitle words appear nowhere else in the site.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
FIXED_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)

NAV = [
    ("index.html", "Home"),
    ("history.html", "History"),
    ("how-they-work.html", "How they work"),
    ("keepers.html", "Keepers"),
    ("famous/index.html", "Famous lighthouses"),
]


def page(rel: str, title: str, sections: list[tuple[str, str, str]], intro: str = "") -> str:
    """An HTML page; ``sections`` are ``(id, heading, html_body)``."""
    depth = rel.count("/")
    up = "../" * depth
    current = ' aria-current="page"'
    nav = "\n".join(
        f'      <a href="{up}{href}"{current if href == rel else ""}>{html.escape(label)}</a>'
        for href, label in NAV
    )
    toc = "\n".join(f'        <li><a href="#{sid}">{html.escape(head)}</a></li>' for sid, head, _ in sections)
    body = "\n".join(
        f'    <section>\n      <h2 id="{sid}">{html.escape(head)}</h2>\n{text}\n    </section>'
        for sid, head, text in sections
    )
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(title)} - Lighthouses</title>
  <meta name="description" content="{html.escape(intro[:150] if intro else title)}">
  <link rel="stylesheet" href="{up}assets/style.css">
  <script src="{up}assets/site.js" defer></script>
</head>
<body>
  <header>
    <a class="brand" href="{up}index.html">Lighthouses</a>
    <nav>
{nav}
    </nav>
  </header>
  <main>
    <h1>{html.escape(title)}</h1>
    {f'<p class="intro">{intro}</p>' if intro else ''}
    <nav class="toc" aria-label="On this page">
      <ul>
{toc}
      </ul>
    </nav>
{body}
  </main>
  <footer>
    <p>An example site that ships with siteseer. Text written for this example;
    see <a href="{up}notes/glossary.txt">the glossary</a> and
    <a href="{up}data/lighthouses.json">the data file</a>.</p>
  </footer>
</body>
</html>
"""


def p(*paragraphs: str) -> str:
    return "\n".join(f"      <p>{text}</p>" for text in paragraphs)


PAGES = {
    "index.html": (
        "Lights on the edge of the sea",
        "For more than two thousand years people have lit fires and lamps on coasts to keep ships off the rocks. "
        "This small site tells their story.",
        [
            ("welcome", "Welcome", p(
                "A lighthouse does two jobs. At night its light tells a navigator where the land is, and its "
                "pattern of flashes tells which light it is. By day its tower is a landmark, often painted in bands "
                "or stripes so that it cannot be mistaken for its neighbours.",
                "Start with the <a href=\"history.html\">history</a> of coastal lights, read "
                "<a href=\"how-they-work.html\">how the optics work</a>, meet the <a href=\"keepers.html\">keepers</a> "
                "who tended them, or browse a few <a href=\"famous/index.html\">famous lighthouses</a>.",
            )),
            ("documents", "Documents and media", p(
                "The <a href=\"docs/fresnel-lens.pdf\">booklet on the Fresnel lens</a> explains the optics in four short "
                "pages, and the <a href=\"docs/visitor-leaflet.pdf\">visitor leaflet</a> is what a guide would hand you "
                "at the door. A short <a href=\"media/beam.mp4\">video of a turning beam</a> comes with subtitles.",
                "Notes kept in plain files: <a href=\"notes/keepers-log.md\">a keeper's log</a> in Markdown and "
                "<a href=\"notes/glossary.txt\">a glossary</a> in plain text.",
            )),
            ("search", "Searching this site", p(
                "Every page, PDF page and subtitle cue on this site is indexed: siteseer's search page finds a "
                "word wherever it appears, down to the page of a booklet or the moment in the video.",
            )),
        ],
    ),
    "history.html": (
        "A short history of lighthouses",
        "From bonfires on headlands to automated LED beacons.",
        [
            ("ancient", "Fires on towers", p(
                "The most famous ancient light stood on the island of Pharos at Alexandria. Built in the third century "
                "BC, it was among the tallest structures of its age, and its name became the word for lighthouse in "
                "several languages: phare in French, faro in Italian and Spanish.",
                "The Romans built lights at Ostia, at Dover and at La Coruna, where the Tower of Hercules still stands "
                "and still shines.",
            )),
            ("candles-and-coal", "Candles and coal", p(
                "For centuries a light meant an open coal fire or a cluster of tallow candles. Coal fires were bright "
                "but smoky and hard to see in rain; candles were clean but weak. Keepers spent the night feeding "
                "grates and trimming wicks.",
            )),
            ("oil-lamps", "Argand lamps and reflectors", p(
                "In 1780 Aime Argand designed a lamp with a hollow circular wick and a glass chimney that drew air "
                "through the flame. It burned far brighter and cleaner than a candle. Placed in front of polished "
                "parabolic reflectors, Argand lamps threw a beam many miles out to sea.",
            )),
            ("lenses", "The age of the lens", p(
                "In 1822 Augustin Fresnel demonstrated a lens built from rings of glass prisms. It gathered almost all "
                "of the lamp's light into a horizontal beam, and within a few decades lighthouses around the world "
                "had been refitted with Fresnel lenses.",
            )),
            ("automation", "Electricity and automation", p(
                "Electric lamps arrived at the end of the nineteenth century. During the twentieth, sensors, timers and "
                "radio links replaced the keepers, and by the 1990s almost every major light was automatic. Many towers "
                "now use small LED lanterns, while their great lenses sit in museums.",
            )),
        ],
    ),
    "how-they-work.html": (
        "How a lighthouse works",
        "A lamp, a lens, a turning mechanism and a code of flashes.",
        [
            ("the-lamp", "The lamp", p(
                "The light source has changed many times: wood, coal, candles, whale oil, colza oil, paraffin vapour, "
                "acetylene gas, incandescent electric lamps, and finally LEDs. A good source is small and bright, so "
                "that the optics can focus it precisely.",
            )),
            ("the-lens", "The lens", p(
                "A Fresnel lens surrounds the lamp with rings of glass. The central rings bend light by refraction; "
                "the outer rings are prisms that reflect it as well. Together they turn a lamp into a beam visible "
                "twenty nautical miles away.",
            )),
            ("rotation", "Rotation", p(
                "Many lenses are divided into panels, each making its own beam. Turning the whole lens makes the beams "
                "sweep the horizon, and a ship sees a flash each time a beam passes. Heavy lenses often floated in a "
                "bath of mercury so that a small weight-driven motor could turn them.",
            )),
            ("characteristics", "Light characteristics", p(
                "Each light has a characteristic: a pattern of flashes, occultations and colours that identifies it on "
                "the chart. \"Fl(2) W 10s\" means two white flashes every ten seconds. Sectors of red or green glass warn "
                "ships away from dangerous waters.",
            )),
            ("fog", "Fog signals", p(
                "Light is useless in thick fog, so many stations also had a fog signal: bells, guns, sirens and "
                "finally the deep diaphone foghorn, driven by compressed air.",
            )),
        ],
    ),
    "keepers.html": (
        "The keepers",
        "The people who kept the lights burning.",
        [
            ("daily-life", "Daily life", p(
                "A keeper's day began at sunset. The lamp was lit, the driving weights wound up, and through the night the "
                "keepers took turns on watch, trimming wicks and keeping the glass clear of soot. By day they "
                "polished brass, cleaned the lens and painted the tower.",
            )),
            ("rock-stations", "Rock stations", p(
                "On rock lighthouses far out at sea, keepers lived in rooms stacked inside the tower and were relieved "
                "by boat. A storm could delay the relief for weeks.",
            )),
            ("families", "Families", p(
                "On shore stations keepers often lived with their families in cottages beside the tower. Some of the "
                "most famous keepers were women, like Ida Lewis at Lime Rock in Rhode Island, celebrated for rescuing "
                "people from the water.",
            )),
        ],
    ),
    "famous/index.html": (
        "Famous lighthouses",
        "A few towers with stories worth telling.",
        [
            ("eddystone", "Eddystone", p(
                "Fourteen kilometres off Plymouth, the Eddystone rocks have carried four lighthouses. The second, by "
                "John Rudyerd, burned in 1755; the third, by John Smeaton, used dovetailed granite blocks and was so "
                "sound that its upper part was moved ashore to Plymouth Hoe, where it stands today.",
            )),
            ("bell-rock", "Bell Rock", p(
                "Robert Stevenson's Bell Rock lighthouse off the coast of Scotland, lit in 1811, is the oldest surviving "
                "sea-washed lighthouse. Read more on <a href=\"bell-rock.html\">its own page</a>.",
            )),
            ("tower-of-hercules", "Tower of Hercules", p(
                "At A Coruna in Spain, the Tower of Hercules is a Roman lighthouse restored in the eighteenth century. "
                "It is the oldest lighthouse still in use.",
            )),
            ("cape-hatteras", "Cape Hatteras", p(
                "The black-and-white spiral of Cape Hatteras in North Carolina is the tallest brick lighthouse in the "
                "United States. In 1999 the whole tower was moved 870 metres inland to save it from the eroding shore.",
            )),
        ],
    ),
    "famous/bell-rock.html": (
        "Bell Rock lighthouse",
        "The oldest sea-washed lighthouse still standing.",
        [
            ("the-reef", "The reef", p(
                "The Inchcape or Bell Rock reef lies eighteen kilometres off Arbroath and is covered by the sea at "
                "every high tide. Legend says an abbot once hung a bell on it to warn sailors.",
            )),
            ("construction", "Construction", p(
                "Work began in 1807. Masons could only work for a few hours at low tide, living on a ship and later in "
                "a barracks on stilts. The stones were cut ashore and dovetailed together like Smeaton's Eddystone.",
            )),
            ("today", "Today", p(
                "The light was automated in 1988. The tower still stands, two centuries on, and its light still "
                "flashes over the North Sea.",
            )),
        ],
    ),
}

STYLE = """:root { --ink: #1d2433; --sea: #0b4f6c; --foam: #f4f7f9; --lamp: #f2b632; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.6 Georgia, "Times New Roman", serif; color: var(--ink); background: var(--foam); }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .8rem 1.5rem; background: var(--sea); }
header a { color: #fff; text-decoration: none; font-family: system-ui, sans-serif; }
header .brand { font-weight: 700; margin-right: auto; }
header nav { display: flex; flex-wrap: wrap; gap: 1rem; }
header nav a[aria-current="page"] { border-bottom: 2px solid var(--lamp); }
main { max-width: 46rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 2.1rem; line-height: 1.2; }
h2 { margin-top: 2rem; color: var(--sea); scroll-margin-top: 1rem; }
h2:target { background: #fff3cf; }
.intro { font-size: 1.15rem; font-style: italic; }
.toc { background: #fff; border-left: 4px solid var(--lamp); padding: .4rem 1rem; }
.toc ul { margin: 0; padding-left: 1.2rem; }
footer { border-top: 1px solid #d5dde3; padding: 1rem 1.5rem 2rem; font-size: .9rem; text-align: center; }
a { color: var(--sea); }
"""

SCRIPT = """// Small progressive enhancements for the example site.
(function () {
  "use strict";
  // Mark the section heading currently targeted by the URL fragment.
  function markTarget() {
    document.querySelectorAll("h2.current").forEach(function (h) { h.classList.remove("current"); });
    if (location.hash.length > 1) {
      var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (el) { el.classList.add("current"); }
    }
  }
  window.addEventListener("hashchange", markTarget);
  document.addEventListener("DOMContentLoaded", markTarget);
})();
"""

LIGHTHOUSES = {
    "title": "Famous lighthouses of the world",
    "description": "A few well-known lighthouses with the year first lit and their location.",
    "lighthouses": [
        {"name": "Eddystone (Smeaton's Tower)", "country": "United Kingdom", "first_lit": 1759, "height_m": 22},
        {"name": "Bell Rock", "country": "United Kingdom", "first_lit": 1811, "height_m": 35},
        {"name": "Tower of Hercules", "country": "Spain", "first_lit": 110, "height_m": 55},
        {"name": "Cape Hatteras", "country": "United States", "first_lit": 1870, "height_m": 63},
        {"name": "Hook Head", "country": "Ireland", "first_lit": 1245, "height_m": 35},
        {"name": "Cordouan", "country": "France", "first_lit": 1611, "height_m": 68},
    ],
}

KEEPERS_LOG = """# A keeper's log

Entries from an imagined week on a rock station, written in the plain style of
the real logs kept by lighthouse keepers.

## Monday

Wind south-west, fresh. Lit up at 4.52 pm. Lens cleaned, brass polished.
Relief boat expected Thursday.

## Wednesday

Gale from the west all night. Spray over the lantern gallery at high water.
Foghorn sounded from 2 am to 7 am; eleven hours of paraffin burned.

## Friday

Relief delayed by the weather. Stores checked: flour for nine days,
paraffin for a month. Painted the kitchen door.
"""

GLOSSARY = """Lighthouse glossary
===================

Argand lamp   - an oil lamp with a hollow round wick and a glass chimney.
Characteristic - the pattern of flashes that identifies a light on the chart.
Daymark       - the painted pattern that identifies a tower by day.
Fresnel lens  - a lens built from rings of prisms that forms a strong beam.
Gallery       - the balcony around the lantern room.
Lantern       - the glazed room at the top of the tower that holds the light.
Occulting     - a light that is on longer than it is off.
Sector light  - a light showing different colours in different directions.
"""

# One distinctive word per page; see the module docstring.
LENS_PAGES = [
    ("1. Before the lens",
     "Early lights used bare flames or lamps in front of mirrors. A polished bullseye of glass in front of a "
     "lamp helped a little, but most of the light still escaped upwards and downwards and was wasted. "
     "Keepers could burn a great deal of oil for a beam that ships saw only a few miles away."),
    ("2. Prisms above and below",
     "Fresnel's answer was to surround the lamp with rings of prisms. The central rings bend the light by "
     "refraction. The rings above and below are catadioptric prisms: they refract the light, reflect it "
     "inside the glass, and refract it again, so rays that would have gone to the sky join the beam."),
    ("3. Orders of lenses",
     "Lenses were made in sizes called orders. A first-order lens stands taller than a person and was used for "
     "major coastal lights; a sixth-order lens fits on a table and marks a harbour. The largest of all, the "
     "hyperradiant lenses, were built at the end of the nineteenth century for a handful of great lights."),
    ("4. Turning the light",
     "To make flashes, the lens was built from panels and turned around the lamp. A weight hanging in the "
     "tower drove a clockwork mechanism, and the keeper wound the weight back up every few hours through "
     "the night. Later lenses floated on mercury so that they turned with very little effort."),
]

VTT = """WEBVTT

00:00:00.500 --> 00:00:01.400
The lamp once burned kerosene all night.

00:00:01.500 --> 00:00:02.400
Below the gallery, gannets circle the rock.

00:00:02.500 --> 00:00:03.000
The beam turns until moonrise.
"""


def write(rel: str, text: str) -> None:
    path = SITE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_pdfs() -> None:
    from fpdf import FPDF

    def new_pdf(title: str) -> FPDF:
        pdf = FPDF(format=(148, 210))  # A5, in mm
        pdf.set_creation_date(FIXED_DATE)
        pdf.set_title(title)
        pdf.set_author("siteseer example")
        pdf.set_auto_page_break(True, margin=15)
        return pdf

    pdf = new_pdf("The Fresnel lens")
    for heading, text in LENS_PAGES:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 9, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    (SITE / "docs").mkdir(parents=True, exist_ok=True)
    pdf.output(str(SITE / "docs" / "fresnel-lens.pdf"))

    pdf = new_pdf("Visitor leaflet")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, "Welcome to the lighthouse", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, "The tower has 128 steps to the lantern gallery. Please hold the rail, keep children close "
                         "and leave bags at the door. On a clear day you can see seabirds on the reef with the "
                         "binoculars provided. The lens room is open from 10 am to 4 pm.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(SITE / "docs" / "visitor-leaflet.pdf"))


def make_video() -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        sys.exit("ffmpeg is needed for the video (or pass --no-video)")
    out = SITE / "media" / "beam.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    # A dark sky with a bright bar sweeping across: 3 s, 160x90, 10 fps.
    source = "color=c=0x0b2033:s=160x90:d=3:r=10"
    draw = "drawbox=x='mod(t*80\\,160)-20':y=30:w=40:h=30:color=0xf2b632:t=fill"
    subprocess.run(
        [ffmpeg, "-y", "-loglevel", "error", "-f", "lavfi", "-i", source, "-vf", draw,
         "-c:v", "libx264", "-preset", "veryslow", "-crf", "36", "-pix_fmt", "yuv420p",
         "-movflags", "+faststart", "-map_metadata", "-1", "-fflags", "+bitexact",
         "-flags:v", "+bitexact", str(out)],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-video", action="store_true", help="keep the existing media/beam.mp4")
    args = parser.parse_args()

    for rel, (title, intro, sections) in PAGES.items():
        write(rel, page(rel, title, sections, intro))
    write("assets/style.css", STYLE)
    write("assets/site.js", SCRIPT)
    write("data/lighthouses.json", json.dumps(LIGHTHOUSES, indent=2) + "\n")
    write("notes/keepers-log.md", KEEPERS_LOG)
    write("notes/glossary.txt", GLOSSARY)
    write("media/beam.vtt", VTT)
    make_pdfs()
    if not args.no_video:
        make_video()
    total = sum(f.stat().st_size for f in SITE.rglob("*") if f.is_file())
    print(f"wrote {SITE} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
