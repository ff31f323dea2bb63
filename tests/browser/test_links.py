"""The two-way link between a marker and its note: fragments, highlighting on arrival, on hover and on focus, and a
page that works with script off."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import OfflinePage, PageFactory
from tests.browser.notes import ARTICLES, DESKTOP, article_page, note_facts

_ACTIVE = re.compile(r"\bis-active\b")

# What highlighting changes: a note gets an outline and a tint, a passage another background.
_LOOK_JS = """el => { const s = getComputedStyle(el);
  return [s.backgroundColor, s.outlineStyle, s.outlineColor, s.outlineWidth].join(" | "); }"""


def _looks(page: Page, note_id: str) -> dict[str, str]:
    """How the note and each of its passage's marks look now, keyed by a selector."""
    note = page.locator(f"#{note_id}")
    looks = {"note": note.evaluate(_LOOK_JS)}
    marks = page.locator(f'mark[data-note="{note_id}"]')
    for index in range(marks.count()):
        looks[f"mark {index}"] = marks.nth(index).evaluate(_LOOK_JS)
    return looks


def _unchanged(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The parts that look the same in both."""
    return [part for part in before if before[part] == after[part]]


def _simple_passage_ids(page: Page) -> list[str]:
    """Notes whose passage is one mark holding only text: a mouse on it is on that mark and no other."""
    ids: list[str] = page.eval_on_selector_all(
        ".sidenote",
        """notes => notes.map(n => n.id).filter(id => {
             const marks = document.querySelectorAll('mark[data-note="' + CSS.escape(id) + '"]');
             return marks.length === 1 && marks[0].children.length === 0 && !marks[0].closest("h1,h2,h3,h4,h5,h6");
           })""",
    )
    return ids


@pytest.mark.parametrize("name", ARTICLES)
def test_each_marker_links_to_one_note_and_the_note_back_to_it(
    page_at: PageFactory, dense_site: Path, name: str
) -> None:
    page = page_at(*DESKTOP).goto(article_page(name, dense_site))
    facts = note_facts(page)
    ids = [f.id for f in facts]
    assert len(set(ids)) == len(ids), "two notes share an id"
    for fact in facts:
        assert page.locator(f'.marker-link[href="#{fact.id}"]').count() == 1, f"#{fact.id}: not one marker"
        assert fact.marker_href == f"#{fact.id}"
        assert fact.note_back_href == f"#{fact.marker_id}", f"#{fact.id} does not link back to its marker"
        assert page.locator(f"[id='{fact.marker_id}']").count() == 1
        assert fact.toggle_controls == fact.id
    assert page.locator(".marker-link").count() == len(facts), "a marker leads to no note"


def _first_of_each_kind(page: Page) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        ".sidenote", "ns => [ns.find(n => n.classList.contains('sidenote-note')), "
        "ns.find(n => n.classList.contains('sidenote-correction')), ns[ns.length - 1]].filter(Boolean).map(n => n.id)"
    )
    return list(dict.fromkeys(ids))


@pytest.mark.parametrize("name", ARTICLES)
def test_opening_a_note_fragment_highlights_the_note_and_its_passage(
    page_at: PageFactory, dense_site: Path, name: str
) -> None:
    path = article_page(name, dense_site)
    plain = page_at(*DESKTOP).goto(path)
    for note_id in _first_of_each_kind(plain):
        before = _looks(plain, note_id)
        arrived = page_at(*DESKTOP).goto(f"{path.resolve().as_uri()}#{note_id}")
        expect(arrived.locator(f"#{note_id}")).to_be_in_viewport()
        after = _looks(arrived, note_id)
        assert not _unchanged(before, after), f"#{note_id}: not highlighted on arrival: {_unchanged(before, after)}"
        # Without script the note still shows it is the one asked for (:target); marking the passage needs script.
        still = page_at(*DESKTOP, javascript=False).goto(f"{path.resolve().as_uri()}#{note_id}")
        assert _looks(still, note_id)["note"] != before["note"], f"#{note_id}: not highlighted without script"


def _hover_first_line(page: Page, selector: str) -> None:
    """Put the mouse on the middle of the element's first line box: a wrapped passage's bounding box has points
    that are not on it."""
    page.locator(selector).scroll_into_view_if_needed()
    box: dict[str, Any] = page.locator(selector).evaluate(
        "el => { const r = el.getClientRects()[0]; return {x: r.x + r.width / 2, y: r.y + r.height / 2}; }"
    )
    page.mouse.move(box["x"], box["y"])


@pytest.mark.parametrize("name", ARTICLES)
def test_hovering_or_focusing_a_passage_marker_or_note_highlights_the_other(
    page_at: PageFactory, dense_site: Path, name: str
) -> None:
    page = page_at(*DESKTOP).goto(article_page(name, dense_site))
    note_id = _simple_passage_ids(page)[0]
    resting = _looks(page, note_id)
    mark = f'mark[data-note="{note_id}"]'
    note = f"#{note_id}"
    triggers = {
        "hovering the passage": lambda: _hover_first_line(page, mark),
        "hovering the note": lambda: _hover_first_line(page, note),
        "focusing the marker": lambda: page.locator(f'.marker-link[href="#{note_id}"]').focus(),
    }
    for what, trigger in triggers.items():
        trigger()
        expect(page.locator(note)).to_have_class(_ACTIVE)
        expect(page.locator(mark)).to_have_class(_ACTIVE)
        assert not _unchanged(resting, _looks(page, note_id)), f"{what}: {_unchanged(resting, _looks(page, note_id))}"
        _rest(page)
        expect(page.locator(note)).not_to_have_class(_ACTIVE)
        assert _looks(page, note_id) == resting, f"{what}: the highlight stays"


def _rest(page: Page) -> None:
    """Take the mouse and focus away from every note."""
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def _all_notes_shown(opened: OfflinePage) -> list[str]:
    """Ids of notes not laid out as visible boxes."""
    hidden: list[str] = opened.page.eval_on_selector_all(
        ".sidenote",
        """ns => ns.filter(n => { const r = n.getBoundingClientRect(); const s = getComputedStyle(n);
             return r.width < 1 || r.height < 1 || s.display === "none" || s.visibility !== "visible"; })
           .map(n => n.id)""",
    )
    return hidden


@pytest.mark.parametrize("name", ARTICLES)
def test_without_script_every_note_shows_and_nothing_breaks(page_at: PageFactory, dense_site: Path, name: str) -> None:
    path = article_page(name, dense_site)
    for javascript in (False, True):
        opened = page_at(*DESKTOP, javascript=javascript)
        opened.goto(path)
        assert _all_notes_shown(opened) == [], f"javascript={javascript}: notes not shown"
        assert opened.errors == [], f"javascript={javascript}: {opened.errors}"
        note_id = note_facts(opened.page)[0].id
        opened.page.locator(f'.marker-link[href="#{note_id}"]').click()
        assert opened.page.url.endswith(f"#{note_id}")
        expect(opened.page.locator(f"#{note_id}")).to_be_in_viewport()
        assert opened.errors == [], f"javascript={javascript}: {opened.errors}"
