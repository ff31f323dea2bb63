"""`serve`: the site on a local HTTP server, reloading the open page after each rebuild."""

from __future__ import annotations

import errno
import functools
import html
import json
import os
import secrets
import socket
import sys
import threading
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..problems import Problem
from .annotations_api import ROOT, AnnotationsApi
from .authoring import AUTHORING_SCRIPT, AUTHORING_STYLE, Authoring, allow_authoring, authoring_tags, widened
from .authoring_handler import AuthoringHandler
from .cache import Builder
from .watch import Rebuilt, Watcher, print_rebuild, watch_failure

EVENTS = "/__glossator/events"
SCRIPT = "/__glossator/reload.js"
_KEEPALIVE_SECONDS = 10.0  # a ping now and then finds clients that went away
# What a page shows while no build has ever succeeded (the site folder has no 404.html yet): the reload script
# lays the errors over it, and loads the page asked for after the first good build.
_NOTHING_BUILT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Nothing built yet</title></head>
<body><p>Nothing has been built yet. The build's errors show over this page; once a save fixes them,
the page asked for loads by itself.</p></body></html>
"""


class Broadcast:
    """The latest rebuild's news for every open page: 'reload', or 'problems' with their list."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.generation = 0
        self.event: tuple[str, str] | None = None
        self.broken: tuple[str, str] | None = None  # sent to a page that opens while the build is broken
        self.closed = False

    def publish(self, rebuilt: Rebuilt) -> None:
        """Tell every page about a rebuild; only after its files are all on disk."""
        problems = rebuilt.outcome.problems
        event = ("problems", json.dumps([problem_view(p) for p in problems])) if problems else ("reload", "{}")
        with self._changed:
            self.generation += 1
            self.event, self.broken = event, event if problems else None
            self._changed.notify_all()

    def snapshot(self) -> tuple[int, tuple[str, str] | None, tuple[str, str] | None]:
        """Return the current generation, the problems event if the build is broken, and the latest event, at once."""
        with self._changed:
            return self.generation, self.broken, self.event

    def wait(self, seen: int, timeout: float) -> tuple[tuple[str, str] | None, int]:
        """Wait for news newer than generation `seen`; return it (None on timeout) and its generation."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != seen or self.closed, timeout)
            return (self.event if self.generation != seen else None), self.generation

    def close(self) -> None:
        """Let every waiting page go."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def _since(address: str) -> int | None:
    """The generation a page was read at, from its event stream's address; None from a client that did not say."""
    values = parse_qs(urlsplit(address).query).get("since", [])
    return int(values[0]) if values and values[0].isdecimal() else None


def problem_view(problem: Problem) -> dict[str, Any]:
    """Return a problem as the overlay shows it: place and message, the source line, a caret under the column."""
    where = problem.where
    line = _source_line(Path(where.file), where.line)
    caret = None
    if line is not None:
        # Keep tabs, so the caret lines up under a line indented with them.
        caret = "".join("\t" if char == "\t" else " " for char in line[: where.col - 1]) + "^"
    return {"where": str(where), "message": problem.shown_message, "line": line, "caret": caret}


def _source_line(path: Path, number: int) -> str | None:
    try:
        # By "\n" alone, as the content is read: splitlines() also breaks at form feeds and U+2028.
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        return None
    return lines[number - 1].removesuffix("\r") if 0 < number <= len(lines) else None


class _Head(HTMLParser):
    """Find, in a page's head, the Content-Security-Policy meta tag and where the head ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.csp: tuple[tuple[int, int], str, str] | None = None  # position, tag text, policy
        self.head_end: tuple[int, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = (self.getpos(), self.get_starttag_text() or "", values.get("content", ""))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "head" and self.head_end is None:
            self.head_end = self.getpos()


def inject(page: str, authoring: Authoring | None = None, since: int = 0) -> str:
    """Add the reload script to a page's head, and let its Content-Security-Policy run it; with `authoring`, the
    authoring script and style, the token and the container too. `since` is the generation the page was read at:
    the script asks for the news after it, so a rebuild between sending the page and its connection is not lost."""
    parser = _Head()
    for start in range(0, len(page), 8192):  # the head is at the top: stop reading once it ends
        parser.feed(page[start : start + 8192])
        if parser.head_end is not None:
            break
    tag = f'<script src="{SCRIPT}" data-since="{since}"></script>' + (authoring_tags(authoring) if authoring else "")
    edits = [(_offset(page, parser.head_end), 0, tag)] if parser.head_end else [(len(page), 0, tag)]
    if parser.csp is not None:
        position, text, policy = parser.csp
        policy = allow_reload(policy) if authoring is None else allow_authoring(policy)
        meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">'
        edits.append((_offset(page, position), len(text), meta))
    for at, length, text in sorted(edits, reverse=True):
        page = page[:at] + text + page[at + length :]
    return page


def _offset(page: str, position: tuple[int, int]) -> int:
    """Turn the parser's (line, column) into an index into the page."""
    line, col = position
    at = 0
    for _ in range(line - 1):
        at = page.index("\n", at) + 1
    return at + col


def allow_reload(policy: str) -> str:
    """Return the policy, also allowing scripts from this server and a connection back to it."""
    return widened(policy, ("script-src", "connect-src"))


class _Handler(AuthoringHandler):
    """Serve the site; pages get the reload script on their way out, the files on disk never do."""

    def __init__(self, *args: Any, broadcast: Broadcast, mount: str = "/", **kwargs: Any) -> None:
        self.broadcast, self.mount = broadcast, mount  # before the base class's __init__, which handles the request
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        """Find the file for an address at the server's root or, with a base URL at a subpath, under that too."""
        if self.mount != "/" and path.startswith(self.mount):  # /REPO/a.html, as GitHub Pages serves it
            path = "/" + path[len(self.mount):]
        return str(super().translate_path(path))

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        scripts = {SCRIPT: ("reload.js", "text/javascript"), AUTHORING_SCRIPT: ("authoring.js", "text/javascript"),
                   AUTHORING_STYLE: ("authoring.css", "text/css")}
        if path == EVENTS:
            self._events()
        elif path in scripts and (path == SCRIPT or self.api is not None):
            name, kind = scripts[path]
            self._send(resources.files(__package__).joinpath(name).read_bytes(), kind)
        elif path.startswith(ROOT) and self.api is not None:
            self.answer_api()
        elif (page := self._page()) is not None:
            self._send(self._served(page), "text/html; charset=utf-8")
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        """Answer as GET would, headers only: a page's length is that of the page served, script and all."""
        if (page := self._page()) is not None:
            self._send(self._served(page), "text/html; charset=utf-8")
        else:
            super().do_HEAD()

    def _served(self, page: Path) -> bytes:
        """A page as served: with the reload script and, for an article's page, the authoring mode."""
        since = self.broadcast.generation  # before the read: a rebuild during it reloads the page, never slips by
        return inject(page.read_text(encoding="utf-8"), self.authoring_of(page), since).encode("utf-8")

    def _page(self) -> Path | None:
        path = Path(self.translate_path(self.path))
        path = path / "index.html" if path.is_dir() and self.path.split("?", 1)[0].endswith("/") else path
        if not path.exists() and path.with_name(f"{path.name}.html").is_file():
            path = path.with_name(f"{path.name}.html")  # /slug as GitHub Pages serves it: slug.html
        return path if path.suffix == ".html" and path.is_file() else None

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """Say that text is UTF-8, which the received texts and the feed are: a browser would guess otherwise."""
        kind = str(super().guess_type(path))
        return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith("/xml") else kind

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a missing page with the site's own 404.html, as GitHub Pages does, or say nothing is built."""
        if code != 404 or self.command != "GET":
            super().send_error(code, message, explain)
            return
        since, missing_page = self.broadcast.generation, Path(self.directory) / "404.html"
        page = missing_page.read_text(encoding="utf-8") if missing_page.is_file() else _NOTHING_BUILT
        self._send(inject(page, since=since).encode("utf-8"), "text/html; charset=utf-8", status=404)

    def _send(self, body: bytes, kind: str, *, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _events(self) -> None:
        # Before the headers: a page that has its response hears of every rebuild after it.
        seen, broken, latest = self.broadcast.snapshot()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            if broken is not None:
                self._event(broken)
            elif _since(self.path) not in (None, seen) and latest is not None:
                self._event(latest)  # the page was sent before a rebuild it connected too late to hear
            while not self.broadcast.closed:
                event, seen = self.broadcast.wait(seen, _KEEPALIVE_SECONDS)
                self._event(event)
        except OSError:  # the page went away
            return

    def _event(self, event: tuple[str, str] | None) -> None:
        self.wfile.write(f"event: {event[0]}\ndata: {event[1]}\n\n".encode() if event else b": ping\n\n")
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a line per request would bury the rebuild messages


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep the process alive
    api: AnnotationsApi | None = None


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(out: Path, host: str, port: int, broadcast: Broadcast, mount: str = "/",
                content: Path | None = None) -> ThreadingHTTPServer:
    """Bind the server to host and port; raise OSError if that cannot be done. `mount` is the base URL's path, where
    the site is served as well as at the root. With `content`, the pages can write annotations into it, through the
    API at /__glossator/annotations/ and a token made for this run."""
    server_class = _Server6 if ":" in host else _Server
    handler = functools.partial(_Handler, directory=str(out), broadcast=broadcast, mount=mount)
    server = server_class((host, port), handler)
    if content is not None:
        server.api = AnnotationsApi(content, secrets.token_urlsafe(32), host, server.server_address[1])
    return server


def _announce(broadcast: Broadcast, rebuilt: Rebuilt) -> None:
    print_rebuild(rebuilt)
    broadcast.publish(rebuilt)


def serve_command(builder: Builder, host: str, port: int) -> int:
    """Run `serve` until Ctrl-C; return the exit status."""
    broadcast = Broadcast()
    try:
        mount = urlsplit(builder.sources.base_url).path.rstrip("/") + "/" if builder.sources.base_url else "/"
        server = make_server(builder.sources.out, host, port, broadcast, mount, builder.sources.content)
    except OSError as error:
        busy = error.errno == errno.EADDRINUSE
        hint = f"port {port} is in use; try --port {port + 1}" if busy else f"cannot serve on {host}:{port}: {error}"
        print(f"glossator: {hint}", file=sys.stderr)
        return 2
    try:
        watcher = Watcher(builder, functools.partial(_announce, broadcast))
        watcher.start()
    except OSError as error:
        server.server_close()
        print(watch_failure(error), file=sys.stderr)
        return 2
    shown = f"[{host}]" if ":" in host else host
    print(f"glossator: serving http://{shown}:{server.server_address[1]}/ ; press Ctrl-C to stop", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        broadcast.close()
        watcher.stop()
        server.server_close()
    return 0
