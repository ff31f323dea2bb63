"""Long notes on wide screens: their first lines show, and the rest opens wherever the reader asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.harness import PageFactory

CLAMPED = """() => [...document.querySelectorAll('.sidenote')]
    .filter(note => note.scrollHeight > note.clientHeight + 1).map(note => note.id)"""


def clamped(page: Page) -> list[str]:
    return page.evaluate(CLAMPED)


def is_whole(page: Page, note_id: str) -> bool:
    return page.eval_on_selector(f"#{note_id}", "note => note.scrollHeight <= note.clientHeight + 1")


@pytest.fixture
def long_note(page_at: PageFactory, dense_site: Path) -> tuple[Page, str]:
    page = page_at(1440, 900, javascript=False).goto(dense_site / "dense.html")
    shortened = clamped(page)
    assert shortened, "the dense fixture's 150-word notes should show only their first lines"
    return page, shortened[0]


def test_following_a_link_to_a_long_note_shows_all_of_it(long_note: tuple[Page, str]) -> None:
    page, note_id = long_note
    page.goto(page.url + f"#{note_id}")
    assert is_whole(page, note_id)


def test_pointing_at_a_long_note_shows_all_of_it(long_note: tuple[Page, str]) -> None:
    page, note_id = long_note
    page.hover(f"#{note_id}")
    assert is_whole(page, note_id)


def test_tabbing_to_its_marker_shows_all_of_it_without_script(long_note: tuple[Page, str]) -> None:
    page, note_id = long_note
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == f"ref-{note_id}":
            break
    else:
        pytest.fail(f"Tab never reached the marker of #{note_id}")
    assert is_whole(page, note_id)


def test_print_shows_every_note_whole(long_note: tuple[Page, str]) -> None:
    page, _ = long_note
    page.emulate_media(media="print")
    assert clamped(page) == []
