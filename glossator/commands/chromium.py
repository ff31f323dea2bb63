"""Print a page to PDF with headless Chromium, driven over the DevTools protocol on a pipe (no Playwright).

Chromium's `--print-to-pdf` switch always prints on US Letter; the protocol's `Page.printToPDF` takes the paper
size, as a reader's print dialog does. With `--remote-debugging-pipe` Chromium reads commands on its file
descriptor 3 and writes answers on 4: JSON messages, each ended by a NUL byte.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..problems import shorten

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
INSTALL_HINT = ("install Chromium (Debian and Ubuntu: `apt install chromium`; Fedora: `dnf install chromium`; "
                "macOS: `brew install --cask chromium`) or set CHROMIUM to the path of a Chromium or Chrome")
FLAGS = ("--headless", "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
         "--disable-gpu", "--disable-extensions", "--disable-sync", "--disable-background-networking",
         "--disable-component-update", "--mute-audio", "--hide-scrollbars")
TIMEOUT_SECONDS = 120.0


class PrintError(Exception):
    """Chromium is missing, would not start, or could not print the page: the message says which."""


@dataclass(frozen=True)
class Paper:
    """A paper size, in inches, as `Page.printToPDF` takes it."""

    name: str
    width: float
    height: float


PAPERS = {"a4": Paper("A4", 210 / 25.4, 297 / 25.4), "letter": Paper("US Letter", 8.5, 11.0)}


def find_browser(environ: Mapping[str, str]) -> str:
    """Return the path of $CHROMIUM if set, else of the first of BROWSER_NAMES on PATH."""
    configured = environ.get("CHROMIUM")
    path = environ.get("PATH", os.defpath)
    if configured:
        found = shutil.which(configured, path=path)
        if found is None:
            raise PrintError(f"CHROMIUM={configured!r} is not an executable file; {INSTALL_HINT}")
        return found
    for name in BROWSER_NAMES:
        found = shutil.which(name, path=path)
        if found is not None:
            return found
    raise PrintError(f"no Chromium to print with: none of {', '.join(BROWSER_NAMES)} is on PATH; {INSTALL_HINT}")


def print_to_pdf(browser: str, page: Path, paper: Paper) -> bytes:
    """Open `page` in a headless `browser`, wait until it has loaded, and return it printed as a PDF."""
    with tempfile.TemporaryDirectory(prefix="glossator-chromium-") as profile:
        log = Path(profile) / "stderr.log"
        try:
            with _launched(browser, profile, log) as session:
                return _print(session, page, paper)
        except PrintError as error:
            raise PrintError(f"{error}{_last_words(log)}") from None


def _print(session: _Session, page: Path, paper: Paper) -> bytes:
    target = session.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    tab = session.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    session.call("Page.enable", tab=tab)
    url = page.resolve().as_uri()
    navigated = session.call("Page.navigate", {"url": url}, tab=tab)
    if navigated.get("errorText"):
        raise PrintError(f"Chromium could not open {page}: {navigated['errorText']}")
    # The blank page the tab opened with may report its own load: wait until the page loaded is this one.
    while True:
        session.wait_for("Page.loadEventFired", tab)
        loaded = session.call("Runtime.evaluate", {"expression": _LOADED, "awaitPromise": True,
                                                   "returnByValue": True}, tab=tab)
        if loaded.get("result", {}).get("value") == url:
            break
    printed = session.call("Page.printToPDF", {
        "paperWidth": paper.width, "paperHeight": paper.height, "printBackground": False,
        "displayHeaderFooter": False, "preferCSSPageSize": False, "generateDocumentOutline": True,
    }, tab=tab)
    with contextlib.suppress(PrintError):  # the PDF is made: a browser slow to close is no failure
        session.call("Browser.close")
    return base64.b64decode(printed["data"])


# The page's address once it has loaded and its fonts are ready.
_LOADED = """new Promise(resolve => {
  const done = () => document.fonts.ready.then(() => resolve(location.href));
  if (document.readyState === "complete") done(); else addEventListener("load", done);
})"""


def _last_words(log: Path) -> str:
    """What Chromium last wrote on its error output, for a message: why it would not start, say."""
    try:
        lines = [line.strip() for line in log.read_text("utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return f" (Chromium said: {shorten(lines[-1], 300)})" if lines else ""


@dataclass
class _Session:
    """The two pipes to one Chromium, with the events read while waiting for answers."""

    commands: int
    answers: int
    deadline: float
    events: list[dict[str, Any]] = field(default_factory=list)
    pending: bytes = b""
    last_id: int = 0

    def call(self, method: str, params: dict[str, Any] | None = None, *, tab: str | None = None) -> dict[str, Any]:
        """Send one command and return its result."""
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if tab:
            message["sessionId"] = tab
        data = json.dumps(message).encode("utf-8") + b"\0"
        try:
            while data:
                data = data[os.write(self.commands, data):]
        except OSError as error:
            raise PrintError(f"Chromium stopped listening ({error.strerror})") from None
        while True:
            answer = self._receive()
            if answer.get("id") == self.last_id:
                if "error" in answer:
                    raise PrintError(f"Chromium refused {method}: {answer['error'].get('message', answer['error'])}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            if "method" in answer:
                self.events.append(answer)

    def wait_for(self, event: str, tab: str) -> dict[str, Any]:
        """Return the first event of that name from that tab, read already or still to come."""
        while True:
            for index, seen in enumerate(self.events):
                if seen.get("method") == event and seen.get("sessionId") == tab:
                    return self.events.pop(index)
            self.events.append(self._receive())

    def _receive(self) -> dict[str, Any]:
        while b"\0" not in self.pending:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.answers], [], [], left)[0]:
                raise PrintError(f"Chromium did not print the page within {TIMEOUT_SECONDS:.0f} seconds")
            chunk = os.read(self.answers, 1 << 16)
            if not chunk:
                raise PrintError("Chromium quit before it printed the page")
            self.pending += chunk
        message, _, self.pending = self.pending.partition(b"\0")
        answer: dict[str, Any] = json.loads(message)
        return answer


@contextlib.contextmanager
def _launched(browser: str, profile: str, log: Path) -> Iterator[_Session]:
    """Start Chromium with its DevTools pipes on descriptors 3 and 4; stop it and every process it started after."""
    to_browser, commands = _pipe()
    answers, from_browser = _pipe()
    # Chromium will not run as root without its sandbox turned off (in a container, say).
    flags = [*FLAGS, f"--user-data-dir={profile}", *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    try:
        with open(os.devnull, "rb+") as null, open(log, "wb") as errors:
            pid = os.posix_spawn(browser, [browser, *flags, "about:blank"], dict(os.environ), setsid=True,
                                 file_actions=[(os.POSIX_SPAWN_DUP2, null.fileno(), 0),
                                               (os.POSIX_SPAWN_DUP2, null.fileno(), 1),
                                               (os.POSIX_SPAWN_DUP2, errors.fileno(), 2),
                                               (os.POSIX_SPAWN_DUP2, to_browser, 3),
                                               (os.POSIX_SPAWN_DUP2, from_browser, 4)])
    except OSError as error:
        for fd in (to_browser, commands, answers, from_browser):
            os.close(fd)
        raise PrintError(f"cannot start {browser}: {error.strerror}") from None
    os.close(to_browser)
    os.close(from_browser)
    try:
        yield _Session(commands, answers, time.monotonic() + TIMEOUT_SECONDS)
    finally:
        os.close(commands)
        os.close(answers)
        _stop(pid)


def _pipe() -> tuple[int, int]:
    """A pipe whose two ends are numbered 10 or above, so that neither is 3 or 4 when they are moved there."""
    read, write = os.pipe()
    ends = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (read, write))
    os.close(read)
    os.close(write)
    return ends[0], ends[1]


def _stop(pid: int) -> None:
    """Wait a little for Chromium to close; if it does not, end its process group (it and its helpers)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):  # not reaped yet: the group is still this Chromium's
        os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
