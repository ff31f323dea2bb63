"""`serve` in a real browser: a save reloads the open page where it was scrolled; a broken save shows its
errors over the last good page, and the next good save takes them away."""

from __future__ import annotations

from pathlib import Path

from glossator.dev.serve import Broadcast
from tests.browser.harness import PageFactory, screenshot
from tests.conftest import ARTICLE, SIDECAR
from tests.watching import Session, server, watching

# Enough text that the page scrolls well past the first screen.
LONG_ARTICLE = ARTICLE + "".join(f"\nParagraph {n} of the filler that makes the page tall.\n" for n in range(60))
UNPLACED = SIDECAR.replace("quote: brown fox jumps", "quote: brown fox leaps")
SCROLLED = 700


def _watch_long_article(session: Session) -> None:
    session.write("small.md", LONG_ARTICLE)
    assert session.wait_for_rebuilds(2).outcome.ok


def test_a_save_reloads_the_page_in_place_and_a_broken_save_shows_its_errors(
        page_at: PageFactory, tmp_path: Path) -> None:
    broadcast = Broadcast()
    with watching(tmp_path, broadcast.publish) as session, server(session.out, broadcast) as port:
        _watch_long_article(session)
        opened = page_at(1280, 800)
        page = opened.goto(f"http://localhost:{port}/small.html")
        page.evaluate(f"scrollTo(0, {SCROLLED})")

        with page.expect_event("load"):
            session.write("small.annotations.yaml", SIDECAR.replace("A note with", "A reloaded note with"))
        assert "A reloaded note with" in page.locator("#note-brown-fox-jumps").inner_text()
        page.wait_for_function(f"Math.abs(scrollY - {SCROLLED}) <= 1")

        session.write("small.annotations.yaml", UNPLACED)
        overlay = page.get_by_role("alert")
        overlay.wait_for()
        text = overlay.inner_text()
        assert f"{session.content / 'small.annotations.yaml'}:2:5: quote \"brown fox leaps\" is not in" in text
        assert "  - quote: brown fox leaps\n    ^" in text
        assert "A reloaded note with" in page.locator("#note-brown-fox-jumps").inner_text()  # the last good page
        screenshot(page, "serve-errors-over-the-last-good-page", full_page=False)

        with page.expect_event("load"):
            session.write("small.annotations.yaml", SIDECAR)
        assert page.get_by_role("alert").count() == 0
        assert "A note with" in page.locator("#note-brown-fox-jumps").inner_text()
        assert opened.errors == []


def test_before_any_good_build_the_errors_show_and_the_first_good_save_loads_the_page(
        page_at: PageFactory, tmp_path: Path) -> None:
    broadcast = Broadcast()
    session = Session(tmp_path, broadcast.publish)
    session.write("small.annotations.yaml", UNPLACED)
    session.watcher.start()
    try:
        assert not session.wait_for_rebuilds(1).outcome.ok
        with server(session.out, broadcast) as port:
            opened = page_at(1280, 800)
            page = opened.goto(f"http://localhost:{port}/small.html")
            page.get_by_role("alert").wait_for()
            assert "brown fox leaps" in page.get_by_role("alert").inner_text()
            with page.expect_event("load"):
                session.write("small.annotations.yaml", SIDECAR)
            assert page.locator("h1").inner_text() == "A small article"
            assert page.get_by_role("alert").count() == 0
    finally:
        session.watcher.stop()
