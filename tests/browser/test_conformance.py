"""Conformance: axe-core on every page at desktop and phone sizes, light and dark; the Nu Html Checker on every page."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossator.cli import main
from tests.browser.harness import (
    ColorScheme,
    OfflinePage,
    PageFactory,
    axe_violations,
    format_axe,
    screenshot,
    vnu_errors,
)
from tests.browser.notes import DESKTOP, PHONE, SITE

SIZES = {"desktop": DESKTOP, "phone": PHONE}


def _pages(dense_site: Path) -> list[Path]:
    """The index, every article page and the 404 page of site/, and the dense fixture's article."""
    return [*sorted(SITE.glob("*.html")), dense_site / "dense.html"]


def _violations(opened: OfflinePage, target: str) -> str:
    """axe's findings for the page as it is now, one line each, headed by the page."""
    found = axe_violations(opened.page)
    return f"{target}:\n{format_axe(found)}" if found else ""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_no_violations(page_at: PageFactory, dense_site: Path, size: str, scheme: ColorScheme) -> None:
    opened = page_at(*SIZES[size], color_scheme=scheme, touch=size == "phone")
    reports = []
    for path in _pages(dense_site):
        opened.goto(path)
        reports.append(_violations(opened, path.name))
    assert not any(reports), "\n".join(r for r in reports if r)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_highlighted_and_opened_notes(
    page_at: PageFactory, dense_site: Path, scheme: ColorScheme
) -> None:
    """Colours that only show in a state: a note and passage highlighted on arrival, a note opened on a phone."""
    path = dense_site / "dense.html"
    desktop = page_at(*DESKTOP, color_scheme=scheme)
    desktop.goto(path)
    first = desktop.page.locator(".sidenote").first.get_attribute("id")
    correction = desktop.page.locator(".sidenote-correction").first.get_attribute("id")
    reports = []
    for note_id in (first, correction):
        desktop.goto(f"{path.resolve().as_uri()}#{note_id}")
        reports.append(_violations(desktop, f"desktop #{note_id}"))
    screenshot(desktop.page, f"dark-target-{scheme}" if scheme == "dark" else "light-target", full_page=False)
    phone = page_at(*PHONE, color_scheme=scheme, touch=True)
    phone.goto(path)
    for note_id in (first, correction):
        phone.page.locator(f'label[for="toggle-{note_id}"]').tap()
        phone.page.locator(f"#{note_id}").wait_for(state="visible")
    reports.append(_violations(phone, "phone with notes open"))
    assert not any(reports), "\n".join(r for r in reports if r)


@pytest.mark.parametrize("name", ["index.html", "blinken-us-china-relationship.html"])
def test_dark_mode_screenshots(page_at: PageFactory, name: str) -> None:
    page = page_at(*DESKTOP, color_scheme="dark").goto(SITE / name)
    assert page.eval_on_selector("body", "b => getComputedStyle(b).backgroundColor") == "rgb(21, 21, 21)"
    screenshot(page, f"dark-{Path(name).stem}")


def test_vnu_finds_no_errors_on_any_page(dense_site: Path, tmp_path: Path) -> None:
    """site/, the dense fixture, and the site built with a base URL: canonical links, cards and the 404 page's base."""
    published = tmp_path / "published"
    assert main(["build", "--content", str(SITE.parent / "content"), "--out", str(published),
                 "--base-url", "https://example.org/glossator/"]) == 0
    assert '<link rel="canonical"' in (published / "index.html").read_text("utf-8")
    pages = sorted(SITE.glob("*.html")) + sorted(dense_site.glob("*.html")) + sorted(published.glob("*.html"))
    assert len(pages) >= 9
    errors = vnu_errors(pages)
    assert errors == [], "\n".join(f"{e}\n    {e.extract}" for e in errors)
