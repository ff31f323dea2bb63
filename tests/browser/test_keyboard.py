"""Keyboard: Tab reaches every marker once, in reading order, with a visible focus ring, and nothing else but the
page's ordinary links; on a phone, Space opens and closes a note without script, Enter and Escape with it.

What a tab stop should be: on a desktop the notes are always visible, so each marker is one stop (a link to its
note: the two-way link) and the hidden phone toggles are none. On a phone the marker is its toggle, a checkbox, one
stop each; the desktop link is hidden. Besides markers, the only stops are the page's ordinary links: the site
navigation, the header's links, links in the text, and links to sources in the notes that are shown. Never the
number at the head of a note (it links back to its marker for the mouse, but tabindex=-1: a second stop per note)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import PageFactory
from tests.browser.layout_probe import ARTICLES, DESKTOPS, PHONE, article_path

DESKTOP = DESKTOPS[0]
RING_MIN = 2.0  # px: an outline thinner than this is hard to see
SAME_LINE = 8.0  # px

# Every element the reader should reach by Tab, in document order: markers (the link on desktop, the toggle on a
# phone, whichever is displayed) and ordinary links that are displayed. Each is named by its index among all
# elements, which the tab walk also reports.
EXPECTED_STOPS_JS = """
() => {
  const all = [...document.querySelectorAll("*")];
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const marker = el => (el.matches(".marker-link") && shown(el))
                      || (el.matches(".toggle") && shown(el.nextElementSibling));
  const link = el => el.matches("a[href]:not(.marker-link):not(.note-label)") && shown(el);
  return all.filter(el => marker(el) || link(el))
    .map(el => ({index: all.indexOf(el), marker: marker(el), note: markerNote(el)}));
  function markerNote(el) {
    if (el.matches(".marker-link")) return el.getAttribute("href").slice(1);
    if (el.matches(".toggle")) return el.id.replace(/^toggle-/, "");
    return null;
  }
}
"""

# The focused element, and the look of the element that shows the focus of a marker: the link itself, or the
# label that stands for a (visually hidden) toggle.
ACTIVE_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const ring = el.matches(".toggle") ? el.nextElementSibling : el;
  const s = getComputedStyle(ring), r = ring.getBoundingClientRect();
  return {index: [...document.querySelectorAll("*")].indexOf(el), top: r.top + scrollY, left: r.left + scrollX,
          outline: s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor,
          outlineWidth: parseFloat(s.outlineWidth) || 0, outlineStyle: s.outlineStyle, shadow: s.boxShadow};
}
"""

# The same look for every marker while nothing has focus.
RESTING_JS = """
() => [...document.querySelectorAll(".marker-link, .marker-toggle")].filter(m => m.getClientRects().length)
  .map(m => { const s = getComputedStyle(m); return s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor
                                                     + " | " + s.boxShadow; })
"""


@dataclass(frozen=True)
class Stop:
    index: int
    top: float
    left: float
    look: str  # outline and box-shadow of the element that shows focus
    visible_ring: bool


def active(page: Page) -> Stop | None:
    """The element that has focus now, or None when focus has left the page."""
    data: dict[str, Any] | None = page.evaluate(ACTIVE_JS)
    if data is None:
        return None
    ring = (data["outlineStyle"] != "none" and data["outlineWidth"] >= RING_MIN) or data["shadow"] != "none"
    return Stop(data["index"], data["top"], data["left"], f"{data['outline']} | {data['shadow']}", ring)


def tab_walk(page: Page, limit: int) -> list[Stop]:
    """Press Tab from the top of the page until focus leaves it; every stop on the way."""
    stops: list[Stop] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = active(page)
        if stop is None:
            return stops
        stops.append(stop)
    pytest.fail(f"focus never left the page after {limit} presses of Tab")


def reads_after(earlier: Stop, later: Stop) -> bool:
    """Later on the same line (tops within SAME_LINE px: markers differ in height), or on a line further down."""
    if abs(later.top - earlier.top) <= SAME_LINE:
        return later.left > earlier.left
    return later.top > earlier.top


def check_tab_order(page: Page) -> None:
    """The tab stops are exactly the markers and ordinary links, each once, in document (= reading) order;
    markers go down the page and show a focus ring that they lack at rest."""
    expected: list[dict[str, Any]] = page.evaluate(EXPECTED_STOPS_JS)
    resting = set(page.evaluate(RESTING_JS))
    stops = tab_walk(page, limit=2 * len(expected) + 10)
    assert [s.index for s in stops] == [e["index"] for e in expected], "tab stops differ from markers + links"
    markers = [s for s, e in zip(stops, expected, strict=True) if e["marker"]]
    assert markers, "no marker is a tab stop"
    for earlier, later in pairwise(markers):
        assert reads_after(earlier, later), f"marker at {later.left, later.top} comes before {earlier.left, earlier.top}"
    no_ring = [e["note"] for s, e in zip(stops, expected, strict=True) if e["marker"] and not s.visible_ring]
    assert not no_ring, f"markers without a visible focus ring: {no_ring}"
    same = [e["note"] for s, e in zip(stops, expected, strict=True) if e["marker"] and s.look in resting]
    assert not same, f"markers that look the same focused and not: {same}"


@pytest.mark.parametrize("article", ARTICLES)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_desktop_tab_reaches_each_marker_once_in_reading_order(
    page_at: PageFactory, dense_site: Path, article: str, javascript: bool
) -> None:
    page = page_at(*DESKTOP, javascript=javascript).goto(article_path(article, dense_site))
    check_tab_order(page)


@pytest.mark.parametrize("article", ARTICLES)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_phone_tab_reaches_each_marker_once_in_reading_order(
    page_at: PageFactory, dense_site: Path, article: str, javascript: bool
) -> None:
    page = page_at(*PHONE, javascript=javascript).goto(article_path(article, dense_site))
    check_tab_order(page)


def note_shown(page: Page, note_id: str) -> bool:
    shown: bool = page.evaluate("id => document.getElementById(id).getClientRects().length > 0", note_id)
    return shown


def press_on(page: Page, key: str, note_id: str, *, opens: bool) -> None:
    """Press a key on a focused toggle and check that its note is then open (or closed)."""
    page.keyboard.press(key)
    expect(page.locator(f'[id="toggle-{note_id}"]')).to_be_checked(checked=opens)
    assert note_shown(page, note_id) is opens, f"{key} left #{note_id} {'closed' if opens else 'open'}"


def focus_each_toggle(page: Page) -> Iterator[str]:
    """Tab through the page and, each time focus lands on a marker's toggle, yield its note's id (the caller acts
    on the focused toggle, then the walk goes on); every note's toggle must be reached."""
    everything: list[str] = page.evaluate("() => [...document.querySelectorAll('.sidenote')].map(n => n.id)")
    reached: list[str] = []
    for _ in range(2 * len(page.evaluate(EXPECTED_STOPS_JS)) + 10):
        page.keyboard.press("Tab")
        focused: str | None = page.evaluate("() => document.activeElement.matches('.toggle') ? document.activeElement.id : null")
        if focused:
            reached.append(focused.removeprefix("toggle-"))
            yield reached[-1]
        elif page.evaluate("() => document.activeElement === document.body"):
            break
    assert reached == everything, "the toggles reached by Tab are not every note's, in order"


@pytest.mark.parametrize("article", ARTICLES)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_phone_space_opens_and_closes_each_note(
    page_at: PageFactory, dense_site: Path, article: str, javascript: bool
) -> None:
    """Space toggles a checkbox natively: no script needed."""
    page = page_at(*PHONE, javascript=javascript).goto(article_path(article, dense_site))
    for note_id in focus_each_toggle(page):
        press_on(page, "Space", note_id, opens=True)
        press_on(page, "Space", note_id, opens=False)


@pytest.mark.parametrize("article", ARTICLES)
def test_phone_enter_opens_and_closes_escape_closes_with_script(
    page_at: PageFactory, dense_site: Path, article: str
) -> None:
    page = page_at(*PHONE).goto(article_path(article, dense_site))
    for note_id in focus_each_toggle(page):
        press_on(page, "Enter", note_id, opens=True)
        press_on(page, "Enter", note_id, opens=False)
        press_on(page, "Enter", note_id, opens=True)
        press_on(page, "Escape", note_id, opens=False)
