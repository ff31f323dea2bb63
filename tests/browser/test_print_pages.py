"""Printed pages a reader can use: each note on its passage's page (or the next), not many more pages than the text,
the title and page numbers on every page; and `glossator pdf`, which prints an article through headless Chromium.

The sample article and a long generated one (tests/browser/long_article.py) are printed with script on, as a
reader's browser and `glossator pdf` print them, on A4 and US Letter, and read back page by page from the PDF."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from glossator import pipeline
from glossator.cli import main
from tests.browser.harness import PAPER_POINTS, REPO, PageFactory, Paper, PrintedPdf, page_factory, read_pdf
from tests.browser.long_article import SLUG as LONG_SLUG
from tests.browser.long_article import write_long_article
from tests.browser.notes import SAMPLE_CONTENT, SAMPLE_PAGE, SAMPLE_SLUG

PAPERS: tuple[Paper, ...] = ("A4", "Letter")
# The sizes themselves: Playwright's "A4" is a point taller than 297 mm, which is enough to move a line.
PAPER_SIZES: dict[Paper, dict[str, str]] = {"A4": {"width": "210mm", "height": "297mm"},
                                            "Letter": {"width": "8.5in", "height": "11in"}}
# The bound: printed with its notes, an article takes at most half again the pages of its text alone.
MAX_PAGE_RATIO = 1.5

# Each note as the page holds it: its mark, the start of its text, and the end of its passage.
_NOTES_JS = """() => [...document.querySelectorAll('.sidenote')].map(note => {
  const walker = document.createTreeWalker(note, NodeFilter.SHOW_TEXT);
  let text = '';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!n.parentElement.closest('.vh')) text += n.data;
  const passage = [...document.querySelectorAll('mark[data-note="' + CSS.escape(note.id) + '"]')]
    .map(mark => mark.textContent).join('');
  return {id: note.id, label: note.querySelector('.note-label').textContent, text, passage};
})"""
# A rule added through the CSS object model, which the page's Content-Security-Policy allows.
_HIDE_NOTES_JS = """() => { const sheet = document.styleSheets[0];
  sheet.insertRule('.sidenote, .print-notes { display: none !important; }', sheet.cssRules.length); }"""


def flat(text: str) -> str:
    """Text without whitespace, ligatures spelled out (see test_print.py): PDF text compared with the DOM's."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class Note:
    id: str
    label: str  # its number, or † for a correction
    head: str  # the start of its text, its mark first, flattened
    passage_end: str  # the last characters of its passage, flattened


@dataclass(frozen=True)
class Printed:
    name: str
    paper: Paper
    pages: list[str]  # each page's text, flattened
    pages_without_notes: int
    notes: list[Note]
    title: str


@pytest.fixture(scope="module")
def browser_pages(browser: Browser) -> Iterator[PageFactory]:
    yield from page_factory(browser)


@pytest.fixture(scope="module")
def long_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The long article, built by the pipeline as `glossator build` builds it."""
    folder = tmp_path_factory.mktemp("long")
    words, annotations = write_long_article(folder / "content")
    assert words >= 10_000 and annotations >= 200
    result = pipeline.build(folder / "content", REPO / "layouts", folder / "site")
    assert result.problems == [], [str(p) for p in result.problems]
    return folder / "site" / f"{LONG_SLUG}.html"


def print_pdf(page: Page, paper: Paper, path: Path) -> PrintedPdf:
    """Print as a reader's browser prints (script on, backgrounds off) and read the text back."""
    page.pdf(path=path, **PAPER_SIZES[paper])
    return read_pdf(path)


def _notes(page: Page) -> list[Note]:
    rows: list[dict[str, Any]] = page.evaluate(_NOTES_JS)
    return [Note(row["id"], row["label"], flat(row["text"])[:40], flat(row["passage"])[-25:]) for row in rows]


@pytest.fixture(scope="module", params=[(a, p) for a in ("sample", "long") for p in PAPERS], ids="-".join)
def printed(request: pytest.FixtureRequest, browser_pages: PageFactory, long_page: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Printed:
    """An article printed with its notes and again with them hidden, on one paper size."""
    name, paper = request.param
    page = browser_pages(1280, 900).goto(SAMPLE_PAGE if name == "sample" else long_page)
    notes, title = _notes(page), page.title()
    folder = tmp_path_factory.mktemp(f"print-{name}-{paper}")
    with_notes = print_pdf(page, paper, folder / "notes.pdf")
    page.evaluate(_HIDE_NOTES_JS)
    without_notes = print_pdf(page, paper, folder / "no-notes.pdf")
    return Printed(name, paper, [flat(text) for text in with_notes.pages], len(without_notes.pages), notes, title)


def passage_page(pages: list[str], note: Note) -> int | None:
    """The page on which the note's passage ends: its last words, then the note's mark (after any other marks).

    Fewer of its last words are looked for when a page break cuts the passage."""
    for length in (25, 12):
        marked = re.compile(re.escape(note.passage_end[-length:]) + r"[0-9†]{0,12}?" + re.escape(note.label))
        found = next((i for i, text in enumerate(pages) if marked.search(text)), None)
        if found is not None:
            return found
    # A heading's marks stand after the heading, which may go on past the passage.
    return next((i for i, text in enumerate(pages) if note.passage_end in text), None)


def note_page(pages: list[str], note: Note, start: int) -> int | None:
    """The first page from `start` on which the note's text begins.

    Its mark may follow a number (a year closing the note before), so "1" and the forty characters after it could
    be the end of note 11's start: the test articles have no two notes whose texts start alike."""
    return next((i for i in range(start, len(pages)) if note.head in pages[i]), None)


def test_every_note_starts_on_its_passages_page_or_the_next(printed: Printed) -> None:
    assert len(printed.notes) >= (20 if printed.name == "sample" else 200)  # the sample has 22
    numbered = [note.head.removeprefix(note.label) for note in printed.notes if note.label.isdigit()]
    assert len(set(numbered)) == len(numbered), "two notes start alike: their pages cannot be told apart"
    far, lost, distances = [], [], []
    for note in printed.notes:
        passage = passage_page(printed.pages, note)
        start = note_page(printed.pages, note, passage or 0)
        if passage is None or start is None:
            lost.append(f"{note.id} (passage on page {passage}, note on page {start})")
            continue
        distances.append(start - passage)
        if start - passage not in (0, 1):
            far.append(f"{note.id}: passage on page {passage + 1}, note on page {start + 1}")
    assert lost == [], f"{printed.name} on {printed.paper}: not found in the PDF's text: {lost}"
    assert far == [], f"{printed.name} on {printed.paper}: notes away from their passage's page: {far}"
    # Most notes share their passage's page: the next page is for passages in a page's last lines.
    assert distances.count(0) >= 0.8 * len(distances), f"{distances.count(1)} of {len(distances)} on the next page"


def test_notes_add_at_most_half_the_pages_of_the_text(printed: Printed) -> None:
    pages, text_pages = len(printed.pages), printed.pages_without_notes
    assert pages <= MAX_PAGE_RATIO * text_pages, (f"{printed.name} on {printed.paper}: {pages} pages with its notes, "
                                         f"{text_pages} without")


def test_every_page_has_the_title_and_its_number(printed: Printed) -> None:
    count = len(printed.pages)
    for number, text in enumerate(printed.pages, start=1):
        assert flat(printed.title) in text, f"{printed.name}, page {number}: no title"
        assert f"{number}/{count}" in text, f"{printed.name}, page {number}: no page number '{number} / {count}'"


def test_printing_leaves_the_page_as_it_was(browser_pages: PageFactory, long_page: Path) -> None:
    page = browser_pages(1280, 900).goto(long_page)
    before = page.evaluate("() => document.documentElement.outerHTML")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("() => document.querySelectorAll('.print-notes .sidenote').length") >= 200
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("() => document.documentElement.outerHTML") == before


def test_a_printed_correction_shows_both_wordings_without_colour(browser_pages: PageFactory) -> None:
    page = browser_pages(1280, 900).goto(SAMPLE_PAGE)
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    looks = page.evaluate("""() => [...document.querySelectorAll('.sidenote-correction')].map(note => {
      const style = selector => { const el = note.querySelector(selector); return el && getComputedStyle(el); };
      const labels = [...note.querySelectorAll('.change-label')].map(label => label.textContent);
      const struck = style('.received del'), added = style('.printed ins'), text = style('.received');
      return {id: note.id, labels, struck: struck && struck.textDecorationLine, added: added && added.textDecorationLine,
              sameColour: [struck, added].every(s => !s || s.color === text.color)};
    })""")
    assert looks, "the sample has corrections"
    for look in looks:
        assert look["labels"] == ["Received:", "Printed:"], look
        assert look["struck"] in (None, "line-through") and look["added"] in (None, "underline"), look
        assert look["struck"] or look["added"], look
        assert look["sameColour"], f"{look['id']}: the wordings differ by colour alone"


def test_glossator_pdf_prints_the_article_with_its_title_on_page_one(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "article.pdf"
    code = main(["pdf", SAMPLE_SLUG, "--content", str(SAMPLE_CONTENT), "--layouts", str(REPO / "layouts"),
                 "--out", str(out), "--paper", "letter"])
    assert code == 0, capsys.readouterr().err
    pdf = read_pdf(out)
    assert pdf.page_size == pytest.approx(PAPER_POINTS["Letter"], abs=1)
    title = PdfReader(out).metadata.title
    assert title and flat(title) in pdf.pages[0].replace("\n", " ").replace(" ", "")
    assert len(pdf.pages) >= 2 and "1 / " in pdf.pages[0]
