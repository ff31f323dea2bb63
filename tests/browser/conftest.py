"""Fixtures for browser tests: one system Chromium per session, offline pages at a chosen size.

Helpers (axe_violations, vnu_errors, screenshot, print_pdf, SCREENSHOT_DIR) live in tests/browser/harness.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from glossator.cli import main
from tests.browser.harness import PageFactory, launch_chromium, page_factory
from tests.browser.layout_probe import DENSE_CONTENT


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """The system Chromium, headless. A missing Chromium fails every test that uses it: nothing is skipped."""
    chromium = launch_chromium(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def page_at(browser: Browser) -> Iterator[PageFactory]:
    """page_at(width, height, javascript=True, color_scheme='light', touch=False) -> OfflinePage, each in a fresh context
    that aborts and records (in .blocked) every request to an origin other than file: and loopback."""
    yield from page_factory(browser)


@pytest.fixture(scope="session")
def dense_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/dense built once per session; the folder holds dense.html."""
    out = tmp_path_factory.mktemp("dense-site")
    code = main(["build", "--content", str(DENSE_CONTENT), "--out", str(out)])
    assert code == 0, f"building {DENSE_CONTENT} failed with status {code}"
    return out
