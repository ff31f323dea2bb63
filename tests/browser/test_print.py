"""Print: Chromium's PDF of an article holds every note and every correction's received wording, and no toggle."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pypdf import PdfReader

from tests.browser.harness import PageFactory, PrintedPdf, page_factory, print_pdf, screenshot
from tests.browser.notes import ARTICLES, DESKTOP, article_page, corrections_original, visible_text_runs

A4_CSS_PX = (794, 1123)


def _flat(text: str) -> str:
    """Text without whitespace, ligatures spelled out: Chromium prints "ff" as one glyph that pypdf reads back as
    U+FB00, which NFKC folds to "ff" again."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _missing_runs(pdf: PrintedPdf, runs: list[str]) -> list[str]:
    """The runs of a note's text not found, in order, in the PDF's text.

    A note is compared run by run (its text nodes): between runs the PDF holds what CSS adds ("Source: ") and the
    DOM does not, and a run may break across lines. Whitespace is removed on both sides, since pypdf writes the
    spaces between words as it finds them in the PDF, sometimes none where a line or a font changes."""
    flat = _flat(pdf.text)
    missing = []
    at = 0
    for run in runs:
        wanted = _flat(run)
        if not wanted:
            continue
        found = flat.find(wanted, at)
        if found >= 0:
            at = found + len(wanted)
        elif not _broken_across_pages([_flat(page) for page in pdf.pages], wanted):
            missing.append(run)
    return missing


def _broken_across_pages(pages: list[str], wanted: str) -> bool:
    """Tell whether a page break cuts the text: its start stands on one page and the rest on the next.

    The rest does not follow the start in the PDF's text: the next page's lines of the article come between."""
    return any(wanted[:cut] in this and wanted[cut:] in following
               for this, following in itertools.pairwise(pages) for cut in range(1, len(wanted)))


@pytest.fixture(scope="module")
def browser_pages(browser: Browser) -> Iterator[PageFactory]:
    """Like page_at, for module-scoped fixtures: each PDF is printed once and read by several tests."""
    yield from page_factory(browser)


@pytest.fixture(scope="module", params=[(a, p) for a in ARTICLES for p in ("A4", "Letter")], ids=lambda v: "-".join(v))
def printed(request: pytest.FixtureRequest, browser_pages: PageFactory, dense_site: Path,
            tmp_path_factory: pytest.TempPathFactory) -> tuple[str, PrintedPdf, list[list[str]]]:
    """An article printed once per paper size, with the text of each of its notes as the DOM holds it."""
    name, paper = request.param
    page = browser_pages(*DESKTOP, javascript=False).goto(article_page(name, dense_site))
    runs = visible_text_runs(page, ".sidenote")
    pdf = print_pdf(page, paper, tmp_path_factory.mktemp("print") / f"{name}-{paper}.pdf")
    return name, pdf, runs


def test_the_pdf_holds_every_note_in_full(printed: tuple[str, PrintedPdf, list[list[str]]]) -> None:
    name, pdf, runs = printed
    assert runs
    for index, note in enumerate(runs):
        missing = _missing_runs(pdf, note)
        assert not missing, f"{name}, note {index + 1} of {len(runs)}: not in the PDF: {missing}"


def test_the_pdf_holds_every_corrections_received_wording(printed: tuple[str, PrintedPdf, list[list[str]]]) -> None:
    name, pdf, _ = printed
    flat = _flat(pdf.text)
    for original in corrections_original(name):
        assert _flat(original) in flat, f"{name}: the received wording {original!r} is not printed"


def test_the_pdf_has_no_toggle_controls(printed: tuple[str, PrintedPdf, list[list[str]]]) -> None:
    _, pdf, _ = printed
    reader = PdfReader(pdf.path)
    assert not reader.get_fields(), "the PDF holds form fields"
    widgets = [a for p in reader.pages for a in (p.get("/Annots") or []) if a.get_object().get("/Subtype") == "/Widget"]
    assert widgets == [], "the PDF holds form widgets (a checkbox)"


@pytest.mark.parametrize("name", ARTICLES)
def test_print_media_hides_every_toggle_and_shows_every_note(page_at: PageFactory, dense_site: Path, name: str) -> None:
    # An A4 sheet at 96 CSS px to the inch, as Chromium lays out a printed page: narrower than the phone breakpoint.
    page = page_at(*A4_CSS_PX).goto(article_page(name, dense_site))
    page.emulate_media(media="print")
    shown = page.eval_on_selector_all(
        ".toggle, .marker-toggle", "els => els.filter(el => getComputedStyle(el).display !== 'none').length"
    )
    assert shown == 0, "a toggle or its label prints"
    hidden = page.eval_on_selector_all(".sidenote", "els => els.filter(el => el.offsetHeight === 0).length")
    assert hidden == 0, "a note does not print"
    screenshot(page, f"print-{name}", full_page=False)
