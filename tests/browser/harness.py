"""Browser-test harness: Debian's Chromium through Playwright, kept offline; axe-core; the Nu Html Checker; PDF text.

Nothing here downloads anything: Chromium is the system binary (PATH or $CHROMIUM), axe-core ships inside
axe-playwright-python, and vnu.jar comes from npm into scripts/node_modules (see scripts/install-test-deps.sh).
"""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import os
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, Route, WebSocketRoute
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]
# Screenshots for a person to look at go to a temporary folder, never into the checkout.
SCREENSHOT_DIR = Path(os.environ.get("GLOSSATOR_SCREENSHOTS") or Path(tempfile.gettempdir()) / "glossator-screenshots")
VNU_JAR = REPO / "scripts" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL_HINT = "run `bash scripts/install-test-deps.sh` as root to install it"

# Without the background-networking flags Chromium phones home and connections get refused. The resolver rule is
# a second wall behind the request routing below: nothing but localhost resolves, so a preconnect or prefetch
# that routing cannot see still goes nowhere.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
)

ColorScheme = Literal["light", "dark", "no-preference"]
Paper = Literal["A4", "Letter"]
AxeViolation = dict[str, Any]


# --- Chromium -----------------------------------------------------------------------------------------------------


def chromium_executable() -> str:
    """$CHROMIUM if set, else `chromium` or `chromium-browser` on PATH; fails the test (never skips) otherwise."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        found = shutil.which(configured)
        if found is None:
            pytest.fail(f"CHROMIUM={configured!r} is not an executable file", pytrace=False)
        return found
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found is not None:
            return found
    pytest.fail(f"Chromium not found: no `chromium` on PATH and CHROMIUM is unset; {INSTALL_HINT}", pytrace=False)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_executable(), headless=True, args=list(CHROMIUM_FLAGS))


# --- Offline pages ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageSettings:
    width: int
    height: int
    javascript: bool = True
    color_scheme: ColorScheme = "light"
    touch: bool = False  # a phone: touch events (Locator.tap) and the meta viewport honoured


@dataclass
class OfflinePage:
    """A page in its own context. `blocked` lists every request to a non-loopback origin, all aborted;
    `errors` lists uncaught script errors and console errors."""

    page: Page
    settings: PageSettings
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def goto(self, target: Path | str) -> Page:
        url = target.resolve().as_uri() if isinstance(target, Path) else target
        self.page.goto(url)
        return self.page


class PageFactory(Protocol):
    def __call__(
        self,
        width: int,
        height: int,
        javascript: bool = True,
        color_scheme: ColorScheme = "light",
        touch: bool = False,
    ) -> OfflinePage: ...



def page_factory(browser: Browser) -> Iterator[PageFactory]:
    """Yield a PageFactory whose pages each get a fresh offline context; close them all when resumed."""
    contexts: list[BrowserContext] = []

    def make(width: int, height: int, javascript: bool = True, color_scheme: ColorScheme = "light",
             touch: bool = False) -> OfflinePage:
        opened, context = open_page(browser, PageSettings(width, height, javascript, color_scheme, touch))
        contexts.append(context)
        return opened

    yield make
    for context in contexts:
        context.close()

def is_local(url: str) -> bool:
    """file:, data:, blob:, about: and loopback hosts (localhost, 127.0.0.0/8, [::1]) are local."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    host = parts.hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_SETTINGS: weakref.WeakKeyDictionary[BrowserContext, PageSettings] = weakref.WeakKeyDictionary()


def new_offline_context(
    browser: Browser, settings: PageSettings, blocked: list[str], *, scripts_blocked: bool = False
) -> BrowserContext:
    """A fresh context where every non-local request is aborted and recorded in `blocked`.

    scripts_blocked keeps JavaScript on (for axe) but serves local documents with `script-src 'none'`."""
    context = browser.new_context(
        viewport={"width": settings.width, "height": settings.height},
        java_script_enabled=settings.javascript,
        color_scheme=settings.color_scheme,
        has_touch=settings.touch,
        is_mobile=settings.touch,
        service_workers="block",
    )
    _SETTINGS[context] = settings

    def on_request(route: Route, request: Request) -> None:
        if not is_local(request.url):
            blocked.append(request.url)
            route.abort("blockedbyclient")
        elif scripts_blocked and request.resource_type == "document":
            _fulfil_without_scripts(route, request)
        else:
            route.fallback()

    def on_websocket(ws: WebSocketRoute) -> None:
        if is_local(ws.url):
            ws.connect_to_server()
        else:
            blocked.append(ws.url)
            ws.close()

    context.route("**/*", on_request)
    context.route_web_socket(lambda _url: True, on_websocket)
    return context


def _fulfil_without_scripts(route: Route, request: Request) -> None:
    """Serve a local document with a CSP that stops its scripts. A route handler must never raise: the request
    would hang until the navigation times out."""
    csp = {"content-security-policy": "script-src 'none'"}
    try:
        if request.url.startswith("file:"):
            path = Path(url2pathname(urlsplit(request.url).path))
            kind = mimetypes.guess_type(path.name)[0] or "text/html"
            route.fulfill(status=200, body=path.read_bytes(), headers={"content-type": kind, **csp})
        else:
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, **csp})
    except Exception as error:  # the failure shows as a 500 page, not a hang
        route.fulfill(status=500, body=f"harness could not serve {request.url}: {error}")


def open_page(browser: Browser, settings: PageSettings) -> tuple[OfflinePage, BrowserContext]:
    blocked: list[str] = []
    context = new_offline_context(browser, settings, blocked)
    opened = OfflinePage(context.new_page(), settings, blocked)
    opened.page.on("pageerror", lambda error: opened.errors.append(f"pageerror: {error}"))
    opened.page.on("console", lambda msg: opened.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return opened, context


# --- Screenshots --------------------------------------------------------------------------------------------------


def screenshot_dir() -> Path:
    """$GLOSSATOR_SCREENSHOTS, or glossator-screenshots/ in the system's temporary folder, created on demand."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    return path


# --- axe-core -----------------------------------------------------------------------------------------------------


def axe_violations(page: Page, options: dict[str, Any] | None = None) -> list[AxeViolation]:
    """axe-core's violations for the page as it is now.

    axe needs timers, which never fire in a page with JavaScript off (page.evaluate then hangs for ever). For such a
    page the same URL is loaded in a twin context with JavaScript on but the page's scripts stopped by CSP, and
    axe runs there. The one difference a reader could see: <noscript> content is not rendered in the twin."""
    settings = _SETTINGS.get(page.context)
    if settings is None or settings.javascript:
        return _run_axe(page, options)
    browser = page.context.browser
    assert browser is not None, "page has no browser"
    twin = new_offline_context(browser, replace(settings, javascript=True), [], scripts_blocked=True)
    try:
        twin_page = twin.new_page()
        twin_page.goto(page.url)
        return _run_axe(twin_page, options)
    finally:
        twin.close()


def _run_axe(page: Page, options: dict[str, Any] | None) -> list[AxeViolation]:
    results = Axe().run(page, options=options or {"resultTypes": ["violations"]})
    violations: list[AxeViolation] = results.response["violations"]
    return violations


def format_axe(violations: list[AxeViolation]) -> str:
    """One line per violation and node, for an assertion message."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {', '.join(node['target'])}: {violation['help']}")
    return "\n".join(lines)


# --- The Nu Html Checker ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VnuError:
    path: Path | None
    line: int | None
    column: int | None
    message: str
    extract: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


def vnu_errors(paths: Iterable[Path]) -> list[VnuError]:
    """Errors from one run of vnu.jar over all the files (a JVM start costs ~2 s: batch, don't loop)."""
    files = [str(Path(p).resolve()) for p in paths]
    if not files:
        return []
    java = shutil.which(os.environ.get("JAVA", "java"))
    if java is None:
        pytest.fail("java not found on PATH (vnu.jar needs Java 11+)", pytrace=False)
    if not VNU_JAR.is_file():
        pytest.fail(f"{VNU_JAR} is missing; {INSTALL_HINT}", pytrace=False)
    command = [java, "-jar", str(VNU_JAR), "--errors-only", "--exit-zero-always", "--stdout", "--format", "json"]
    done = subprocess.run([*command, *files], capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar failed (exit {done.returncode}): {done.stderr[-2000:]}", pytrace=False)
    return [_vnu_error(m) for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


def _vnu_error(message: dict[str, Any]) -> VnuError:
    url = message.get("url")
    path = Path(url2pathname(urlsplit(url).path)) if url else None
    line = message.get("lastLine")
    return VnuError(
        path,
        line,
        message.get("firstColumn", message.get("lastColumn")),
        message["message"],
        message.get("extract", ""),
    )


# --- Print to PDF -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedPdf:
    path: Path
    pages: list[str]
    page_size: tuple[float, float]  # width and height of the first page, in points

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


PAPER_POINTS: dict[Paper, tuple[float, float]] = {"A4": (595.92, 842.88), "Letter": (612.0, 792.0)}


def print_pdf(page: Page, paper: Paper, path: Path) -> PrintedPdf:
    """Print with the print stylesheet, as a reader's browser would (backgrounds off), and read the text back."""
    page.pdf(path=path, format=paper)
    return read_pdf(path)


def read_pdf(path: Path) -> PrintedPdf:
    reader = PdfReader(path)
    box = reader.pages[0].mediabox
    return PrintedPdf(path, [p.extract_text() for p in reader.pages], (float(box.width), float(box.height)))
