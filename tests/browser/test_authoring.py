"""Annotating from the page under `serve`, end to end in Chromium: select a passage, write the note, save, see it in
the margin after the rebuild; edit it; delete it. At desktop and phone widths, one path by keyboard alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page

from glossator.dev.serve import Broadcast, make_server
from tests.browser.harness import PageFactory, axe_violations, screenshot
from tests.conftest import SIDECAR
from tests.watching import DEADLINE, Session, watching

READY = "html[data-glossator-authoring=ready]"
# Select the first place a passage stands in the article's own text (not in a note), as a reader's drag would.
SELECT = """(quote) => {
  const walker = document.createTreeWalker(document.querySelector(".article-body"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(quote);
    if (at < 0 || node.parentElement.closest(".sidenote")) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + quote.length);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    const box = range.getBoundingClientRect();
    return {x: box.left + box.width / 2, y: box.top + box.height / 2};
  }
  return null;
}"""


@contextmanager
def authoring(session: Session, broadcast: Broadcast) -> Iterator[tuple[int, str]]:
    """Serve the session's site as `serve` does, with its annotations API; return the port and the run's token."""
    http = make_server(session.out, "127.0.0.1", 0, broadcast, content=session.content)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield http.server_address[1], http.api.token  # type: ignore[attr-defined]
    finally:
        broadcast.close()
        http.shutdown()
        http.server_close()
        thread.join(timeout=DEADLINE)


def _sidecar(session: Session) -> str:
    return (session.content / "small.annotations.yaml").read_text(encoding="utf-8")


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, state="attached")


def test_select_write_save_edit_and_delete_a_note_at_desktop_width(page_at: PageFactory, tmp_path: Path) -> None:
    broadcast = Broadcast()
    with watching(tmp_path, broadcast.publish) as session, authoring(session, broadcast) as (port, token):
        opened = page_at(1280, 800)
        page = opened.page
        _open(page, f"http://localhost:{port}/small.html")

        # A double click selects the word, as a reader would; the button appears by it.
        spot = page.evaluate(SELECT, "quick")
        page.evaluate("getSelection().removeAllRanges()")
        page.mouse.dblclick(spot["x"], spot["y"])
        button = page.get_by_role("button", name="Annotate")
        button.wait_for()
        screenshot(page, "authoring-button", full_page=False)
        button.click()
        dialog = page.get_by_role("dialog", name="New annotation")
        dialog.wait_for()
        assert dialog.locator("blockquote").inner_text() == "quick"
        dialog.get_by_label("Note (Markdown)").fill("A *quick* note.")
        dialog.get_by_role("button", name="Add a source").click()
        dialog.get_by_label("Source 1: title").fill("A dictionary")
        dialog.get_by_label("Source 1: address").fill("https://example.org/quick")
        screenshot(page, "authoring-dialog-desktop", full_page=False)
        assert [v["id"] for v in axe_violations(page)] == []  # the open dialog, and the page under it
        with page.expect_event("load"):
            dialog.get_by_role("button", name="Save").click()
        page.wait_for_selector(READY, state="attached")
        note = page.locator("#note-quick")
        assert "A quick note." in note.inner_text() and "A dictionary" in note.inner_text()
        assert "  - quote: quick\n    note: A *quick* note.\n    sources:\n" in _sidecar(session)
        screenshot(page, "authoring-saved-note", full_page=False)

        # A mistake is shown in the dialog, and the text written stays.
        note.get_by_role("button", name="Edit note 1").click()
        dialog = page.get_by_role("dialog", name="Edit note 1")
        assert dialog.get_by_label("Note (Markdown)").input_value() == "A *quick* note."
        dialog.get_by_label("Note (Markdown)").fill("An edited note.")
        dialog.get_by_label("Id (optional)").fill("9lives")
        dialog.get_by_role("button", name="Save").click()
        alert = dialog.get_by_role("alert")
        alert.get_by_role("listitem").first.wait_for()
        assert "small.annotations.yaml:" in alert.inner_text() and "id" in alert.inner_text()
        assert dialog.get_by_label("Note (Markdown)").input_value() == "An edited note."
        screenshot(page, "authoring-dialog-error", full_page=False)
        dialog.get_by_label("Id (optional)").fill("")
        with page.expect_event("load"):
            dialog.get_by_role("button", name="Save").click()
        page.wait_for_selector(READY, state="attached")
        assert "An edited note." in page.locator("#note-quick").inner_text()

        page.once("dialog", lambda confirm: confirm.accept())
        with page.expect_event("load"):
            page.locator("#note-quick").get_by_role("button", name="Delete note 1").click()
        page.wait_for_selector(READY, state="attached")
        assert page.locator("#note-quick").count() == 0
        assert _sidecar(session) == SIDECAR
        assert [e for e in opened.errors if "status of 422" not in e] == []  # the browser logs the refused save
        for file in session.out.rglob("*"):  # what the build wrote never has the token or the authoring mode
            data = file.read_bytes() if file.is_file() else b""
            assert token.encode() not in data and b"glossator-token" not in data and b"authoring" not in data


def test_keyboard_alone_at_phone_width(page_at: PageFactory, tmp_path: Path) -> None:
    broadcast = Broadcast()
    with watching(tmp_path, broadcast.publish) as session, authoring(session, broadcast) as (port, _):
        opened = page_at(390, 844, touch=True)
        page = opened.page
        _open(page, f"http://localhost:{port}/small.html")
        page.evaluate(SELECT, "A blockquote")
        page.keyboard.press("a")
        dialog = page.get_by_role("dialog", name="New annotation")
        dialog.wait_for()
        assert page.evaluate("document.activeElement.id") == "glossator-note"
        page.keyboard.press("Escape")  # closes it, and nothing is written
        dialog.wait_for(state="hidden")

        page.evaluate(SELECT, "A blockquote")
        page.keyboard.press("a")
        dialog.wait_for()
        page.keyboard.type("Typed at the keyboard.")
        screenshot(page, "authoring-dialog-phone", full_page=False)
        box = dialog.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        for _ in range(3):  # Add a source, Id, Save
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Save"
        with page.expect_event("load"):
            page.keyboard.press("Enter")
        page.wait_for_selector(READY, state="attached")
        assert "  - quote: A blockquote\n    note: Typed at the keyboard.\n" in _sidecar(session)

        # On a phone a note opens from its number, and its Edit comes next.
        page.get_by_role("checkbox", name="Note 3", exact=True).focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Edit note 3"
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog", name="Edit note 3")
        dialog.wait_for()
        screenshot(page, "authoring-edit-phone", full_page=False)
        dialog.get_by_label("Note (Markdown)").fill("Edited on a phone.")
        with page.expect_event("load"):
            dialog.get_by_role("button", name="Save").click()
        page.wait_for_selector(READY, state="attached")
        assert "Edited on a phone." in _sidecar(session)
        assert opened.errors == []
