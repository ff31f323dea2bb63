"""Rendering: a golden page, self-contained output, text kept as data, determinism."""

from __future__ import annotations

import base64
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from html import unescape
from pathlib import Path

from glossator.load.layouts import load_layouts
from glossator.model import Site, SiteWork
from glossator.outputs import make_outputs
from glossator.outputs.article_files import files_of
from glossator.pipeline import checked_articles
from glossator.render.look import prepare_look
from glossator.render.page import render_article

from .conftest import ARTICLE, LAYOUTS, Run

GOLDEN = Path(__file__).parent / "golden"


def _build(content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path,
           files: dict[str, str | bytes] | None = None, out: str = "site") -> Path:
    folder = content(files)
    site = tmp_path / out
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", site)
    assert result.code == 0, result.err
    return site


def test_small_article_matches_the_golden_page(content: Callable[..., Path], glossator: Callable[..., Run],
                                               tmp_path: Path) -> None:
    # The golden pages pin the markup: built with a stand-in stylesheet and script, a change of style leaves them be.
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, layouts)
    (layouts / "style.css").write_text("/* the stylesheet */\n", "utf-8")
    (layouts / "script.js").write_text("/* the script */\n", "utf-8")
    site = tmp_path / "site"
    result = glossator("build", "--content", content(), "--layouts", layouts, "--out", site)
    assert result.code == 0, result.err
    for name in ("small.html", "index.html"):
        built = (site / name).read_text("utf-8")
        if os.environ.get("GLOSSATOR_UPDATE_GOLDEN"):
            (GOLDEN / name).write_text(built, "utf-8")
        assert built == (GOLDEN / name).read_text("utf-8"), f"{name} differs; GLOSSATOR_UPDATE_GOLDEN=1 rewrites it"


def test_pages_are_self_contained(content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    html = (_build(content, glossator, tmp_path) / "small.html").read_text("utf-8")
    assert "<style>" in html and "<script>" in html
    # A link to the annotations as JSON-LD is an alternate a reader may follow, never a file the page loads.
    assert not re.search(r"<(link(?![^>]*\brel=\"alternate\")|script|img|iframe)\b[^>]*\b(href|src)=", html)
    assert "@import" not in html and "url(" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in unescape(html)


def test_margin_notes_are_numbered_and_linked_both_ways(content: Callable[..., Path], glossator: Callable[..., Run],
                                                        tmp_path: Path) -> None:
    html = (_build(content, glossator, tmp_path) / "small.html").read_text("utf-8")
    assert re.findall(r'class="marker marker-link" href="#([^"]+)"', html) == ["note-brown-fox-jumps",
                                                                             "note-long-passage"]
    assert 'role="note" id="note-brown-fox-jumps" aria-label="Note 1"' in html
    assert 'href="#ref-note-brown-fox-jumps"' in html
    assert '<span class="received">the <del>the </del>lazy dog</span>' in html
    assert html.count("<h1>") == 1 and '<html lang="en">' in html and "<article>" in html


def test_a_headings_notes_follow_it_in_a_wrapper_never_inside_it(content: Callable[..., Path],
                                                                    glossator: Callable[..., Run],
                                                                    tmp_path: Path) -> None:
    article = "---\ntitle: T\n---\n# The meeting at Woodside\n\nText after.\n"
    sidecar = "annotations:\n  - quote: Woodside\n    note: A place.\n  - quote: Text\n    note: Plain.\n"
    site = _build(content, glossator, tmp_path, {"h.md": article, "h.annotations.yaml": sidecar})
    html = (site / "h.html").read_text("utf-8")
    heading = re.search(r'<div class="heading-notes">\n<h2>(.*?)</h2>(.*?)</div>\n<p>', html, re.DOTALL)
    assert heading, html
    assert "sidenote" not in heading.group(1) and "marker" not in heading.group(1)
    assert heading.group(2).startswith('<a class="marker marker-link" href="#note-woodside"')
    assert 'role="note" id="note-woodside"' in heading.group(2)
    assert html.count('<div class="heading-notes">') == 1, "a paragraph's notes stay where they are"
    assert html.count("<h1") == 1, "the title is the page's one h1: the body's headings sit one level below"


def test_text_from_content_is_data_never_markup_or_template_code(content: Callable[..., Path],
                                                                 glossator: Callable[..., Run],
                                                                 tmp_path: Path) -> None:
    article = ('---\ntitle: "{{ 7*7 }} <script>alert(1)</script>"\n---\n'
               "Sum {{ 7*7 }} and {% raw %} and <b>bold</b> [x](java\tscript:alert(1)).\n")  # a link refused is an error
    sidecar = 'annotations:\n  - quote: "{{ 7*7 }}"\n    prefix: "Sum "\n    note: "<img src=x onerror=alert(1)> {{ 8*8 }}"\n'
    site = _build(content, glossator, tmp_path, {"evil.md": article, "evil.annotations.yaml": sidecar})
    html = (site / "evil.html").read_text("utf-8")
    assert "<title>{{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
    assert "{% raw %}" in html and "&lt;b&gt;bold&lt;/b&gt;" in html and "{{ 8*8 }}" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html and 'href="data:' not in html


def test_two_builds_are_byte_identical(content: Callable[..., Path], glossator: Callable[..., Run],
                                       tmp_path: Path) -> None:
    first = _build(content, glossator, tmp_path, out="one")
    second = _build(content, glossator, tmp_path, out="two")
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_index_lists_each_article_with_counts(content: Callable[..., Path], glossator: Callable[..., Run],
                                              tmp_path: Path) -> None:
    files = {"small.md": ARTICLE, "plain.md": "---\ntitle: Plain one\ndate: 2020-01-02\n---\nText.\n"}
    html = (_build(content, glossator, tmp_path, files) / "index.html").read_text("utf-8")
    assert html.index("A small article") < html.index("Plain one")  # newest first
    assert "By Ann Author" in html and "1 May 2024" in html and "2 January 2020" in html
    assert "0 notes, 0 corrections" in html


def test_an_article_without_byline_or_date_has_no_empty_byline(content: Callable[..., Path],
                                                                glossator: Callable[..., Run], tmp_path: Path) -> None:
    files = {"bare.md": "---\ntitle: Bare\n---\nText.\n", "dated.md": "---\ntitle: Dated\ndate: 2020-01-02\n---\nText.\n"}
    site = _build(content, glossator, tmp_path, files)
    assert '<p class="byline"></p>' not in (site / "bare.html").read_text("utf-8")
    index = (site / "index.html").read_text("utf-8")
    assert index.count('<p class="byline">') == 1
    assert '<p class="byline"><time datetime="2020-01-02">2 January 2020</time></p>' in index


def test_crlf_and_byte_order_mark_build_the_same_page(content: Callable[..., Path], glossator: Callable[..., Run],
                                                      tmp_path: Path) -> None:
    plain = _build(content, glossator, tmp_path, {"a.md": ARTICLE}, out="plain")
    (tmp_path / "content" / "a.md").write_bytes(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
    windows = _build(content, glossator, tmp_path, {}, out="windows")
    assert (plain / "a.html").read_bytes() == (windows / "a.html").read_bytes()


def test_the_editors_note_stands_under_the_byline_as_text(content: Callable[..., Path], glossator: Callable[..., Run],
                                                          tmp_path: Path) -> None:
    article = ('---\ntitle: Received\nbyline: Ann Author\neditor_note: "We fixed <b>two</b> typos; {{ 7*7 }}."\n---\n'
               "Body text.\n")
    html = (_build(content, glossator, tmp_path, {"noted.md": article}) / "noted.html").read_text("utf-8")
    note = "<strong>Editor’s note:</strong> We fixed &lt;b&gt;two&lt;/b&gt; typos; {{ 7*7 }}.</p>"
    assert note in html
    assert html.index("By Ann Author") < html.index(note) < html.index("Body text.")


def test_two_files_of_one_name_are_a_problem_never_one_written_over_the_other(content: Callable[..., Path]) -> None:
    folder = content({"404.md": ARTICLE, "a.md": ARTICLE})
    works, _, refused = checked_articles(folder)  # the name is refused; rendering past that must not write one page
    assert [str(p) for p in refused] == [f"{folder}/404.md:1:1: error: the name '404.md' is taken by the site's "
                                         "not-found page; rename it"]  # over another
    anchored = [work.anchored for work in works if work.anchored is not None]
    look, _ = prepare_look(load_layouts(LAYOUTS)[0], str(LAYOUTS), Site())
    assert look is not None
    own = tuple(file for a in anchored for file in files_of(a, render_article(a, look), look))
    files, problems = make_outputs(SiteWork(tuple(anchored), own, {}, look))
    assert files == {}
    assert [str(p) for p in problems] == [f"{folder}/404.md:1:1: error: the page of {folder}/404.md and the site's "
                                          "404.html would both be written as '404.html'; rename the article"]


PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
JPEG = b"\xff\xd8\xff\xe0\0\x10JFIF\0"  # the start of one: the page holds the bytes as they are
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>\n'


def test_a_picture_is_embedded_in_its_page_with_its_alt_text(content: Callable[..., Path],
                                                              glossator: Callable[..., Run], tmp_path: Path) -> None:
    body = ("The plan: ![the *new* plan](<plans/plan one.png>), and ![a map & key](map.SVG \"The map\").\n\n"
            "Again: ![the plan](plans/plan%20one.png), and by reference: ![the map][map]\n\n"
            "A photo saved under a PNG's name: ![photo](photo.png)\n\n[map]: map.SVG\n")
    (tmp_path / "content" / "plans").mkdir(parents=True)
    site = _build(content, glossator, tmp_path, {
        "pics.md": f"---\ntitle: Pictures\n---\n{body}", "plans/plan one.png": PNG, "map.SVG": SVG,
        "photo.png": JPEG, "unused.png": b"a picture no article shows is not read"})
    html = (site / "pics.html").read_text("utf-8")
    png = f"data:image/png;base64,{base64.b64encode(PNG).decode()}"
    assert re.findall(r"<img [^>]*>", html) == [
        f'<img src="{png}" alt="the new plan" />',
        f'<img src="data:image/svg+xml;base64,{base64.b64encode(SVG).decode()}" alt="a map &amp; key" title="The map" />',
        f'<img src="{png}" alt="the plan" />',
        f'<img src="data:image/svg+xml;base64,{base64.b64encode(SVG).decode()}" alt="the map" />',
        f'<img src="data:image/jpeg;base64,{base64.b64encode(JPEG).decode()}" alt="photo" />']
    assert "img-src 'self' data:" in unescape(html)  # the page's own policy lets it show them
    with zipfile.ZipFile(site / "offline.zip") as archive:
        assert archive.read("offline/pics.html") == (site / "pics.html").read_bytes()


def test_the_link_to_the_original_is_named_neutrally_or_as_the_front_matter_names_it(
        content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    article = ("---\ntitle: The charter\nsource: charter.source.txt\nsource_url: https://example.org/charter\n{label}"
               "---\nArticle one.\n")
    files = {"charter.md": article.format(label=""), "charter.source.txt": "Article one.\n"}
    html = (_build(content, glossator, tmp_path, files) / "charter.html").read_text("utf-8")
    assert '<a href="https://example.org/charter">the original</a>' in html and "report" not in html
    files["charter.md"] = article.format(label="source_label: the charter as <signed>\n")
    html = (_build(content, glossator, tmp_path, files, out="named") / "charter.html").read_text("utf-8")
    assert '<a href="https://example.org/charter">the charter as &lt;signed&gt;</a>' in html
