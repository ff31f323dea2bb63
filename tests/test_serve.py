"""`serve`: pages served with the reload script, reload and error events, a busy port, Ctrl-C."""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from glossator.dev.serve import EVENTS, SCRIPT, Broadcast, allow_reload, inject, problem_view
from glossator.problems import Problem, Where

from .conftest import ARTICLE, REPO, SIDECAR, Run
from .watching import DEADLINE, Session, assert_ctrl_c_exits_cleanly, server, watching

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-abc='">
<style>p::after { content: "</head>"; }</style>
</head>
<body><p>Text with </head> in it.</p></body></html>
"""


def test_inject_adds_the_script_and_allows_it_in_the_policy() -> None:
    served = inject(PAGE)
    policy = "default-src &#x27;none&#x27;; script-src &#x27;sha256-abc=&#x27; &#x27;self&#x27;; connect-src &#x27;self&#x27;"
    assert f'<meta http-equiv="Content-Security-Policy" content="{policy}">' in served
    assert served.count(SCRIPT) == 1
    assert f'<script src="{SCRIPT}" data-since="0"></script></head>' in served
    assert served.replace(f'<script src="{SCRIPT}" data-since="0"></script>', "").count("</head>") == PAGE.count("</head>")
    assert served.endswith("<body><p>Text with </head> in it.</p></body></html>\n")


@pytest.mark.parametrize(("policy", "expected"), [
    ("default-src 'none'", "default-src 'none'; script-src 'self'; connect-src 'self'"),
    ("script-src 'sha256-x'; connect-src 'none';", "script-src 'sha256-x' 'self'; connect-src 'none' 'self'"),
])
def test_allow_reload(policy: str, expected: str) -> None:
    assert allow_reload(policy) == expected


def test_problem_view_points_at_the_column(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("one\n\tkey: [oops\n", encoding="utf-8")
    view = problem_view(Problem(Where(str(tmp_path / "a.yaml"), 2, 7), "bad"))
    assert view == {"where": f"{tmp_path / 'a.yaml'}:2:7", "message": "bad", "line": "\tkey: [oops", "caret": "\t     ^"}
    assert problem_view(Problem(Where(str(tmp_path / "gone.yaml"), 2, 7), "bad"))["line"] is None


class EventClient:
    """A listener on the event stream, as the page's EventSource is, collecting events in a thread."""

    def __init__(self, port: int, address: str = EVENTS) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        self.sock.sendall(f"GET {address} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        self.sock.settimeout(0.2)
        self.events: list[tuple[str, str]] = []
        self.data = b""
        self.connected = threading.Event()  # the response's headers arrived: the server counts this page
        self.stopped = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while not self.stopped:
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            self.data += chunk
            if b"\r\n\r\n" in self.data:
                self.connected.set()
            *blocks, self.data = self.data.split(b"\n\n")
            for block in blocks:
                fields = dict(line.split(": ", 1) for line in block.decode().splitlines() if line.startswith(("event", "data")))
                if "event" in fields:
                    self.events.append((fields["event"], fields["data"]))

    def wait_for(self, count: int) -> list[tuple[str, str]]:
        deadline = time.monotonic() + DEADLINE
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.events) >= count, self.events
        return self.events

    def close(self) -> None:
        self.stopped = True
        self.thread.join(timeout=DEADLINE)
        self.sock.close()


@contextmanager
def serving(root: Path) -> Iterator[tuple[Session, int, Broadcast]]:
    """Watch a temporary site and serve it on a free port; stop both afterwards."""
    broadcast = Broadcast()
    with watching(root, broadcast.publish) as session, server(session.out, broadcast) as port:
        yield session, port, broadcast


@contextmanager
def listening(port: int, address: str = EVENTS) -> Iterator[EventClient]:
    client = EventClient(port, address)
    try:
        assert client.connected.wait(DEADLINE)
        yield client
    finally:
        client.close()


def _get(port: int, path: str) -> tuple[str, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=DEADLINE) as response:
        return response.headers["Content-Type"], response.read().decode("utf-8")


def test_pages_are_served_with_the_reload_script_and_the_files_unchanged(tmp_path: Path) -> None:
    with serving(tmp_path) as (session, port, broadcast):
        for path, name in (("/", "index.html"), ("/small.html", "small.html")):
            kind, text = _get(port, path)
            assert kind == "text/html; charset=utf-8"
            assert SCRIPT in text and "connect-src" in text
            assert SCRIPT not in session.page(name)
            assert text == inject(session.page(name), since=broadcast.generation)
        kind, script = _get(port, SCRIPT)
        assert kind == "text/javascript" and "EventSource" in script


def test_an_address_without_html_serves_the_page_and_text_is_said_to_be_utf8(tmp_path: Path) -> None:
    with serving(tmp_path) as (session, port, broadcast):
        served = inject(session.page("small.html"), since=broadcast.generation)
        assert _get(port, "/small") == ("text/html; charset=utf-8", served)
        (session.out / "received.source.txt").write_text("“Trust, but verify”", encoding="utf-8")
        assert _get(port, "/received.source.txt") == ("text/plain; charset=utf-8", "“Trust, but verify”")


def test_a_head_request_tells_the_length_of_the_page_served(tmp_path: Path) -> None:
    with serving(tmp_path) as (session, port, broadcast):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/small.html", method="HEAD")
        served = inject(session.page("small.html"), since=broadcast.generation)
        with urllib.request.urlopen(request, timeout=DEADLINE) as response:
            assert response.read() == b""
            assert int(response.headers["Content-Length"]) == len(served.encode("utf-8"))


def test_a_missing_page_gets_the_sites_404_page(tmp_path: Path) -> None:
    with serving(tmp_path) as (session, port, broadcast):
        with pytest.raises(urllib.error.HTTPError) as missing:
            _get(port, "/no/such/page.html")
        assert missing.value.code == 404
        assert missing.value.read().decode("utf-8") == inject(session.page("404.html"), since=broadcast.generation)


@pytest.mark.parametrize("base_url", [None, "https://example.org/repo/"])
def test_every_link_of_the_404_page_works_at_any_depth(tmp_path: Path, base_url: str | None) -> None:
    """With no base URL the site is served at the root; with one at a subpath, there too, as GitHub Pages serves it."""
    mount = "/repo/" if base_url else "/"
    session = Session(tmp_path, base_url=base_url)
    assert session.builder.rebuild().ok
    with server(session.out, Broadcast(), mount) as port:
        for missing in ("/nope.html", "/a/b/c/deep.html", f"{mount}a/b/", f"{mount}x/y.html"):
            with pytest.raises(urllib.error.HTTPError) as error:
                _get(port, missing)
            assert error.value.code == 404
            links = re.findall(r'<a href="([^"]+)"', error.value.read().decode("utf-8"))
            assert links
            for link in links:
                target = urllib.parse.urljoin(f"http://127.0.0.1:{port}{missing}", link)
                with urllib.request.urlopen(target, timeout=DEADLINE) as response:
                    assert response.status == 200 and "small.html" in response.read().decode("utf-8")


def test_before_the_first_good_build_a_page_shows_the_errors_then_loads_the_site(tmp_path: Path) -> None:
    broadcast = Broadcast()
    session = Session(tmp_path, broadcast.publish)
    session.write("small.md", ARTICLE.replace("title: A small article\n", ""))
    session.watcher.start()
    try:
        assert not session.wait_for_rebuilds(1).outcome.ok
        assert not session.out.exists()
        with server(session.out, broadcast) as port, listening(port) as client:
            with pytest.raises(urllib.error.HTTPError) as missing:
                _get(port, "/small.html")
            assert missing.value.code == 404
            page = missing.value.read().decode("utf-8")
            assert SCRIPT in page and "Nothing has been built yet" in page
            assert client.wait_for(1)[0][0] == "problems"
            session.write("small.md", ARTICLE)
            assert client.wait_for(2)[1][0] == "reload"
            assert "A small article" in _get(port, "/small.html")[1]
    finally:
        session.watcher.stop()


def test_the_reload_event_reaches_a_listening_page_after_a_rebuild(tmp_path: Path) -> None:
    with serving(tmp_path) as (session, port, _), listening(port) as client:
        session.write("small.annotations.yaml", SIDECAR.replace("A note with", "A served note with"))
        assert client.wait_for(1)[0] == ("reload", "{}")
        assert "A served note with" in session.page()  # on disk before the page is told


def test_a_page_that_connects_after_a_rebuild_still_hears_of_it(tmp_path: Path) -> None:
    """The page says which generation it was sent at: a save between its load and its connection reloads it."""
    with serving(tmp_path) as (session, port, broadcast):
        since = re.search(r'data-since="(\d+)"', _get(port, "/small.html")[1])
        assert since is not None and int(since[1]) == broadcast.generation
        session.write("small.annotations.yaml", SIDECAR.replace("A note with", "A missed note with"))
        assert session.wait_for_rebuilds(2).outcome.ok
        with listening(port, f"{EVENTS}?since={since[1]}") as late:
            assert late.wait_for(1)[0] == ("reload", "{}")
        with listening(port, f"{EVENTS}?since={broadcast.generation}") as current, listening(port) as unsaid:
            session.write("small.annotations.yaml", SIDECAR)
            assert current.wait_for(1) == [("reload", "{}")]  # nothing before the new rebuild
            assert unsaid.wait_for(1) == [("reload", "{}")]


def test_a_failed_rebuild_sends_its_errors_to_open_and_newly_opened_pages(tmp_path: Path) -> None:
    with serving(tmp_path) as (session, port, _), listening(port) as client:
        session.write("small.md", ARTICLE.replace("title: A small article\n", ""))
        event, data = client.wait_for(1)[0]
        assert event == "problems"
        problems = json.loads(data)
        assert problems[0]["where"].startswith(str(session.content / "small.md"))
        assert problems[0]["line"] in ARTICLE.splitlines()
        assert problems[0]["caret"].endswith("^")
        with listening(port) as late:
            assert late.wait_for(1)[0][0] == "problems"
        session.write("small.md", ARTICLE)
        assert client.wait_for(2)[1][0] == "reload"


def test_a_busy_port_is_a_usage_error_without_a_traceback(tmp_path: Path, glossator: Callable[..., Run]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = glossator("serve", "--content", tmp_path, "--out", tmp_path / "site", "--port", port)
    assert result.code == 2
    assert result.err.strip() == f"glossator: port {port} is in use; try --port {port + 1}"


def test_ctrl_c_stops_serve_cleanly(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "small.md").write_text(ARTICLE, encoding="utf-8")
    command = [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--layouts", str(REPO / "layouts")]
    assert_ctrl_c_exits_cleanly(command, tmp_path, "serving http://127.0.0.1:")
