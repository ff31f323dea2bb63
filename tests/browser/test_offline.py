"""Offline: every page, opened from disk with every other origin blocked, asks for nothing and renders whole."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.browser.harness import OfflinePage, PageFactory
from tests.browser.notes import DESKTOP, SITE

# The page's own background colour (--bg in layouts/style.css): proof that its inline stylesheet was applied, which
# the page's Content-Security-Policy allows only when the style's hash matches.
PAGE_BACKGROUND = "rgb(255, 255, 248)"


def _site_pages(dense_site: Path) -> list[Path]:
    return sorted(SITE.glob("*.html")) + sorted(dense_site.glob("*.html"))


def _check_rendered(opened: OfflinePage) -> None:
    """The stylesheet and script ran, nothing went out, and every note stands in the margin."""
    page = opened.page
    assert opened.blocked == [], f"requests to other origins: {opened.blocked}"
    assert opened.errors == [], f"errors: {opened.errors}"
    assert page.eval_on_selector("body", "b => getComputedStyle(b).backgroundColor") == PAGE_BACKGROUND
    # Every note floats right of the text column: laid out, not merely present.
    misplaced = page.eval_on_selector_all(
        ".sidenote",
        """ns => { const column = document.querySelector(".article-body");
             const right = column ? column.getBoundingClientRect().right : 0;
             return ns.filter(n => { const r = n.getBoundingClientRect();
               return getComputedStyle(n).float !== "right" || r.height < 1 || r.left < right; }).map(n => n.id); }""",
    )
    assert misplaced == [], f"notes not in the margin: {misplaced}"


def _resources(opened: OfflinePage) -> list[str]:
    """Every resource the page loaded after the document itself."""
    urls: list[str] = opened.page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    return urls


def test_every_page_opened_from_disk_asks_nothing_of_other_origins(page_at: PageFactory, dense_site: Path) -> None:
    opened = page_at(*DESKTOP)
    for path in _site_pages(dense_site):
        opened.goto(path)
        _check_rendered(opened)
        assert _resources(opened) == [], f"{path.name} loads {_resources(opened)}"
        # The script is inline too and allowed by hash: it marks a note's passage when the page opens at it.
        note = opened.page.locator(".sidenote").first
        if note.count():
            note_id = note.get_attribute("id")
            opened.goto(f"{path.resolve().as_uri()}#{note_id}")
            assert opened.page.locator(f'mark.is-target[data-note="{note_id}"]').count() >= 1, path.name
            assert opened.errors == [], f"{path.name}: {opened.errors}"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_offline_zip_reads_from_disk(page_at: PageFactory, tmp_path: Path, javascript: bool) -> None:
    with zipfile.ZipFile(SITE / "offline.zip") as archive:
        archive.extractall(tmp_path)
    pages = sorted(tmp_path.rglob("*.html"))
    assert any(p.name == "index.html" for p in pages)
    opened = page_at(*DESKTOP, javascript=javascript)
    for path in pages:
        opened.goto(path)
        _check_rendered(opened)
    # Links between pages stay inside the unzipped folder.
    index = next(p for p in pages if p.name == "index.html")
    opened.goto(index)
    opened.page.locator(".article-list a").first.click()
    assert opened.page.url.startswith(index.parent.resolve().as_uri())
    _check_rendered(opened)
