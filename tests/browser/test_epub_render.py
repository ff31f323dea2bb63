"""The e-book's XHTML in a real engine: Chromium parses it as XML, shows the noterefs as small raised numbers and
the pictures from their files, and loads nothing from the network."""

from __future__ import annotations

import zipfile
from pathlib import Path

import yaml

from glossator.load.config import Site
from glossator.outputs.epub import epub_environment, epub_of
from glossator.pipeline import checked_articles
from tests.browser.harness import REPO, PageFactory
from tests.test_epub import _png


def _unpacked(content: Path, into: Path) -> Path:
    works, _, problems = checked_articles(content)
    assert problems == [] and works[0].anchored is not None
    book = into / "book.epub"
    book.write_bytes(epub_of(works[0].anchored, Site(), epub_environment()))
    with zipfile.ZipFile(book) as archive:
        archive.extractall(into / "book")
    return into / "book" / "EPUB" / "text.xhtml"


def test_the_sample_article_s_xhtml_renders_with_its_footnotes(page_at: PageFactory, tmp_path: Path) -> None:
    text = _unpacked(REPO / "content", tmp_path)
    opened = page_at(600, 900)  # an e-reader's page, about
    page = opened.goto(text)
    assert page.evaluate("document.querySelector('parsererror') === null")  # well-formed XML, or Chromium says so
    assert page.evaluate("document.contentType") == "application/xhtml+xml"
    sizes = page.evaluate("""() => {
        const ref = document.querySelector('a.noteref'), body = document.querySelector('.article-body p');
        return [parseFloat(getComputedStyle(ref).fontSize), parseFloat(getComputedStyle(body).fontSize),
                getComputedStyle(ref).verticalAlign];
    }""")
    assert sizes[0] < sizes[1] and sizes[2] == "super"
    sidecar = yaml.safe_load((REPO / "content" / "blinken-us-china-relationship.annotations.yaml").read_text())
    footnotes = page.evaluate("document.querySelectorAll('aside[*|type=\"footnote\"]').length")
    assert footnotes == len(sidecar["annotations"])  # one footnote per annotation
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 600  # nothing runs off the side of the page
    page.screenshot(path=tmp_path / "epub-sample-600x900.png")
    assert opened.blocked == [] and opened.errors == []


def test_a_picture_shows_from_its_file_in_the_book(page_at: PageFactory, tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "plan.png").write_bytes(_png(1200, 300))
    (content / "a.md").write_text("---\ntitle: The plan\n---\nThe council saw the plan.\n\n![The plan](plan.png)\n",
                                  encoding="utf-8")
    page = page_at(600, 900).goto(_unpacked(content, tmp_path))
    natural, right = page.eval_on_selector("img", "img => [img.naturalWidth, img.getBoundingClientRect().right]")
    assert natural == 1200 and right <= 600
    page.screenshot(path=tmp_path / "epub-picture-600x900.png")
