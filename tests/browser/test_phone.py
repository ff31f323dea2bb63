"""Phone layout at 390x844, with and without JavaScript: no sideways scroll, notes hidden behind marked passages
and finger-sized markers, and a tap opening a note right below its line, inside its paragraph."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import PageFactory, screenshot
from tests.browser.layout_probe import ARTICLES, PHONE, Note, article_path, measure

TARGET = 24.0  # WCAG 2.2 target size (minimum), in CSS px
BELOW = 16.0  # an opened note starts within this many px below the bottom of its marker's line
SUBPIXEL = 0.5

# Passages against the plain text around them: a passage is marked if it has a background or a decoration
# that its block's own text lacks.
MARKING_JS = """
() => [...document.querySelectorAll("mark.passage")].filter(m => m.getClientRects().length).map(m => {
  const own = getComputedStyle(m), plain = getComputedStyle(m.closest("p, li, h1, h2, h3, h4, h5, h6, blockquote"));
  const look = s => [s.backgroundColor, s.textDecorationLine, s.textDecorationStyle, s.borderBottomStyle].join(" ");
  return {note: m.dataset.note, marked: look(own) !== look(plain) && own.backgroundColor !== "rgba(0, 0, 0, 0)"};
})
"""


# The marker scrolled into view (a synchronous layout, so the point is exact) and the middle of its box.
TAP_POINT_JS = """
toggle => {
  const label = document.querySelector('label[for="' + toggle + '"]');
  label.scrollIntoView({block: "center"});
  const r = label.getBoundingClientRect();
  return [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
}
"""


def open_phone(page_at: PageFactory, path: Path, javascript: bool) -> Page:
    """The page on a touch phone, 390x844."""
    width, height = PHONE
    return page_at(width, height, javascript=javascript, touch=True).goto(path)


def tap_marker(page: Page, note_id: str, *, opens: bool) -> None:
    """Tap the middle of a note's phone marker (the label of its toggle), as a finger would, and wait until its
    toggle has flipped: the click a tap makes arrives after the touch events. Not Locator.tap: its point is the
    first of the element's content quads, here the 1 px screen-reader text inside the label."""
    x, y = page.evaluate(TAP_POINT_JS, f"toggle-{note_id}")
    page.touchscreen.tap(x, y)
    expect(page.locator(f'[id="toggle-{note_id}"]')).to_be_checked(checked=opens)


def assert_opened_below_its_line(note: Note) -> None:
    """The note shows as a block just under the line that holds its marker, within the marker's text block."""
    assert note.note is not None, f"{note} did not open"
    box, line, block = note.note, note.line, note.block
    assert line.bottom - SUBPIXEL <= box.top <= line.bottom + BELOW, (
        f"{note} opens at y={box.top}, not right below its marker's line (bottom y={line.bottom})"
    )
    assert block.left - SUBPIXEL <= box.left and box.right <= block.right + SUBPIXEL, f"{note} sticks out of its block"
    assert box.width >= block.width - 1, f"{note} is {box.width:.0f} px wide in a {block.width:.0f} px block: not a block"
    assert box.bottom <= block.bottom + SUBPIXEL, f"{note} is not inside its {note.block_tag}"


@pytest.mark.parametrize("article", ARTICLES)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_notes_hidden_passages_marked_markers_finger_sized(
    page_at: PageFactory, dense_site: Path, article: str, javascript: bool
) -> None:
    page = open_phone(page_at, article_path(article, dense_site), javascript)
    layout = measure(page)
    assert layout.scroll_width <= layout.viewport_width, f"scrolls sideways: {layout.scroll_width} px wide"
    assert layout.shown == [], f"notes shown before any tap: {layout.shown}"
    small = [f"{n}: {n.marker.width:.0f}x{n.marker.height:.0f}" for n in layout.notes
             if n.marker.width < TARGET or n.marker.height < TARGET]
    assert not small, "markers smaller than 24x24 px:\n" + "\n".join(small)
    orphans = [str(n) for n in layout.notes if not n.with_passage]
    assert not orphans, f"markers wrapped onto the next line, away from their passage: {orphans}"
    marking = page.evaluate(MARKING_JS)
    assert {m["note"] for m in marking} >= {n.id for n in layout.notes}, "a note has no visible passage"
    unmarked = [m["note"] for m in marking if not m["marked"]]
    assert not unmarked, f"passages that look like plain text: {unmarked}"


@pytest.mark.parametrize("article", ARTICLES)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_tap_opens_the_note_below_its_line_and_a_second_tap_closes_it(
    page_at: PageFactory, dense_site: Path, article: str, javascript: bool
) -> None:
    """Every marker, one at a time; the page never scrolls sideways with a note open."""
    page = open_phone(page_at, article_path(article, dense_site), javascript)
    ids = [n.id for n in measure(page).notes]
    for note_id in ids:
        tap_marker(page, note_id, opens=True)
        layout = measure(page, only=[note_id])
        assert layout.shown == [note_id], f"tapping #{note_id} showed {layout.shown}"
        assert_opened_below_its_line(layout.notes[0])
        assert layout.scroll_width <= layout.viewport_width, f"#{note_id} open: the page scrolls sideways"
        tap_marker(page, note_id, opens=False)
        assert measure(page, only=[]).shown == [], f"a second tap left #{note_id} open"


def test_a_note_opened_in_a_list_item_shows_whole_within_a_phone_screen(page_at: PageFactory, dense_site: Path) -> None:
    """A note in a list item opened on the dense fixture, and the sample's first note: each shows whole, within the
    screen's width; the screenshots are for a person to look at."""
    for article in ARTICLES:
        page = open_phone(page_at, article_path(article, dense_site), javascript=True)
        notes = measure(page).notes
        chosen = next((n for n in notes if n.context == "list"), notes[0])
        tap_marker(page, chosen.id, opens=True)
        page.locator(f'[id="{chosen.id}"]').scroll_into_view_if_needed()
        page.evaluate(f"window.scrollTo(0, {max(chosen.line.top - 200, 0)})")
        screenshot(page, f"phone-{article}-note-open", full_page=False)
        box = page.locator(f'[id="{chosen.id}"]').bounding_box()
        viewport = page.viewport_size
        assert box is not None and viewport is not None and box["height"] > 0, f"{chosen.id} does not show"
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], f"{chosen.id} runs off the screen"
