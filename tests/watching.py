"""A watcher running on a temporary copy of a small site, and ways to wait for what it does."""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from glossator.dev.cache import Builder, Sources
from glossator.dev.serve import Broadcast, make_server
from glossator.dev.watch import Rebuilt, Watcher

from .conftest import ARTICLE, LAYOUTS, SIDECAR

DEADLINE = 10.0  # seconds any one wait may take before the test fails


class Session:
    """A Builder and a Watcher over tmp/content, tmp/layouts and tmp/site, recording every rebuild."""

    def __init__(self, root: Path, on_rebuild: Callable[[Rebuilt], None] | None = None, *,
                 base_url: str | None = None) -> None:
        self.content, self.layouts, self.out = root / "content", root / "layouts", root / "site"
        self.content.mkdir()
        (self.content / "small.md").write_text(ARTICLE, encoding="utf-8")
        (self.content / "small.annotations.yaml").write_text(SIDECAR, encoding="utf-8")
        shutil.copytree(LAYOUTS, self.layouts)
        self.rebuilds: list[Rebuilt] = []
        self._changed = threading.Condition()
        self._also = on_rebuild
        self.builder = Builder(Sources(self.content, self.layouts, self.out, base_url=base_url))
        self.watcher = Watcher(self.builder, self._record)

    def _record(self, rebuilt: Rebuilt) -> None:
        if self._also is not None:
            self._also(rebuilt)
        with self._changed:
            self.rebuilds.append(rebuilt)
            self._changed.notify_all()

    def wait_for_rebuilds(self, count: int) -> Rebuilt:
        """Wait until `count` rebuilds happened; return the last."""
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.rebuilds) >= count, DEADLINE), self.rebuilds
            return self.rebuilds[count - 1]

    def page(self, name: str = "small.html") -> str:
        """Return a built file's text."""
        return (self.out / name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        """Save a content file in one write, as a plain editor does."""
        (self.content / name).write_text(text, encoding="utf-8")


@contextmanager
def watching(root: Path, on_rebuild: Callable[[Rebuilt], None] | None = None) -> Iterator[Session]:
    """Start a session, wait for its first build, and stop it afterwards whatever happens."""
    session = Session(root, on_rebuild)
    session.watcher.start()
    try:
        assert session.wait_for_rebuilds(1).outcome.ok
        yield session
    finally:
        session.watcher.stop()


@contextmanager
def server(out: Path, broadcast: Broadcast, mount: str = "/") -> Iterator[int]:
    """Serve a site folder as `serve` does, on a free port of the loopback address; return the port."""
    http = make_server(out, "127.0.0.1", 0, broadcast, mount)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield http.server_address[1]
    finally:
        broadcast.close()
        http.shutdown()
        http.server_close()
        thread.join(timeout=DEADLINE)


def settle(seconds: float = 0.4) -> None:
    """Give a watcher time to notice a change it should ignore (never asserted as a speed)."""
    time.sleep(seconds)


def assert_ctrl_c_exits_cleanly(command: list[str], cwd: Path, ready: str) -> None:
    """Start the command, wait for `ready` in its first two lines of stderr, press Ctrl-C: status 0, no traceback."""
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=cwd) as process:
        try:
            assert process.stderr is not None
            lines = [process.stderr.readline() for _ in range(2)]
            assert any(ready in line for line in lines), lines
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=DEADLINE) == 0
            assert "Traceback" not in process.stderr.read()
        finally:
            process.kill()
