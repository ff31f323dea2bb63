"""Screen readers and numbering: what the accessibility tree says about notes, markers and corrections."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from glossator.anchor.place import CORRECTION_MARK
from tests.browser.harness import REPO, PageFactory
from tests.browser.notes import (
    ARTICLES,
    DESKTOP,
    PHONE,
    SAMPLE_PAGE,
    article_page,
    corrections_original,
    expected_names,
    fold,
    note_facts,
)


def _open(page_at: PageFactory, name: str, dense_site: Path, size: tuple[int, int]) -> Page:
    return page_at(*size, touch=size == PHONE).goto(article_page(name, dense_site))


@pytest.mark.parametrize("name", ARTICLES)
def test_each_note_is_exposed_as_a_note_named_by_kind_and_number(
    page_at: PageFactory, dense_site: Path, name: str
) -> None:
    page = _open(page_at, name, dense_site, DESKTOP)
    facts = note_facts(page)
    assert facts, "no notes on the page"
    names = expected_names(facts)
    # Playwright computes roles and names the way the accessibility tree does (aria-label, role="note").
    notes = page.get_by_role("note")
    assert notes.count() == len(facts)
    for note_name in names:
        assert page.get_by_role("note", name=note_name, exact=True).count() == 1, note_name
    assert [f.note_name for f in facts] == names


@pytest.mark.parametrize("name", ARTICLES)
def test_each_desktop_marker_is_a_link_named_like_its_note(page_at: PageFactory, dense_site: Path, name: str) -> None:
    page = _open(page_at, name, dense_site, DESKTOP)
    facts = note_facts(page)
    for fact, note_name in zip(facts, expected_names(facts), strict=True):
        link = page.get_by_role("link", name=note_name, exact=True)
        assert link.count() == 1, f"{note_name}: {link.count()} links so named"
        assert link.get_attribute("href") == f"#{fact.id}"
    # The note's own label links back, but is hidden from the tree: a reader would hear the name twice.
    assert page.locator(".note-label:not([aria-hidden='true'])").count() == 0


@pytest.mark.parametrize("name", ARTICLES)
def test_each_phone_marker_is_a_toggle_named_like_its_note_and_controlling_it(
    page_at: PageFactory, dense_site: Path, name: str
) -> None:
    page = _open(page_at, name, dense_site, PHONE)
    facts = note_facts(page)
    for fact, note_name in zip(facts, expected_names(facts), strict=True):
        toggle = page.get_by_role("checkbox", name=note_name, exact=True)
        assert toggle.count() == 1, f"{note_name}: {toggle.count()} toggles so named"
        assert toggle.get_attribute("aria-controls") == fact.id
        assert page.get_by_role("link", name=note_name, exact=True).count() == 0, "the desktop link shows on a phone"


@pytest.mark.parametrize("name", ARTICLES)
def test_a_corrections_received_wording_is_marked_up_not_just_coloured(
    page_at: PageFactory, dense_site: Path, name: str
) -> None:
    page = _open(page_at, name, dense_site, DESKTOP)
    corrections = page.locator(".sidenote-correction")
    originals = corrections_original(name)
    assert corrections.count() == len(originals) > 0
    received = [fold(t) for t in corrections.locator(".received").all_text_contents()]
    assert sorted(received) == sorted(fold(o) for o in originals), "a note does not give the received wording"
    for index in range(corrections.count()):
        note = corrections.nth(index)
        # Words: "Received:" and "Printed:" say which is which; <del>/<ins> say what changed, and reach the
        # accessibility tree as deletion and insertion.
        labels = [fold(t) for t in note.locator(".change-label").all_text_contents()]
        assert labels == ["Received:", "Printed:"]
        changed = note.get_by_role("deletion").all_text_contents() + note.get_by_role("insertion").all_text_contents()
        if note.locator(".received").text_content() != note.locator(".printed").text_content():
            assert any(fold(t) for t in changed), f"correction {index + 1}: no <del> or <ins> with words in it"


@pytest.mark.parametrize("name", ARTICLES)
def test_note_numbers_are_literal_text_counting_from_one_in_reading_order(
    page_at: PageFactory, dense_site: Path, name: str
) -> None:
    page = _open(page_at, name, dense_site, DESKTOP)
    facts = note_facts(page)
    numbered = [f for f in facts if f.kind == "note"]
    # textContent never holds CSS generated content, so these are the numbers written in the HTML.
    assert [f.marker_label for f in numbered] == [str(n) for n in range(1, len(numbered) + 1)]
    assert [f.note_label for f in numbered] == [f.marker_label for f in numbered]
    for fact in facts:
        if fact.kind == "correction":
            assert fact.marker_label == fact.note_label == CORRECTION_MARK, f"#{fact.id} is numbered"
    generated = page.eval_on_selector_all(
        ".marker, .note-label",
        """els => els.filter(el => ["::before", "::after"].some(p => {
             const c = getComputedStyle(el, p).content; return c !== "none" && c !== "normal";
           })).length""",
    )
    assert generated == 0, "a marker or note label gets text from CSS"


def test_the_stylesheet_counts_nothing() -> None:
    """No CSS counters anywhere in the layouts: numbers a counter draws vanish from copies, print and readers.

    But for the printed page numbers, which number the sheets of paper, not anything of the text."""
    css = (REPO / "glossator" / "theme" / "style.css").read_text(encoding="utf-8")
    page_numbers = re.compile(r"@bottom-center \{ content: counter\(page\) \" / \" counter\(pages\);")
    assert page_numbers.search(css), "the page numbers moved: say where here"
    assert not re.search(r"counter-(reset|increment|set)|counters?\(", page_numbers.sub("", css))


def test_a_notes_sources_are_announced_once(page_at: PageFactory) -> None:
    """"Sources:" once (visually hidden), not "Source:" again before each link (CSS generated text)."""
    page = page_at(*DESKTOP).goto(SAMPLE_PAGE)
    with_sources = page.get_by_role("note").filter(has=page.locator(".note-sources"))
    assert with_sources.count() > 0
    for index in range(with_sources.count()):
        tree = with_sources.nth(index).aria_snapshot()
        assert tree.count("Sources:") == 1 and "Source:" not in tree, tree
