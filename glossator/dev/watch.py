"""Rebuild on save: a thin loop around two pure decisions, which paths matter and what they change."""

from __future__ import annotations

import errno
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ..load.config import CONFIG_NAME
from ..load.layouts import THEME
from ..problems import Problem, Where, report
from .cache import Builder, Outcome
from .changes import Stale, detect_change, locate

# An editor's save is a burst of events a few milliseconds apart: wait for a quiet moment. A burst
# that ends in a file written and closed, or moved into place, is a save done: wait much less.
QUIET_SECONDS = 0.05
SAVED_SECONDS = 0.005
_WATCHED_EVENTS = {"created", "modified", "deleted", "moved", "closed"}


@dataclass(frozen=True)
class Rebuilt:
    """One rebuild: the changes that caused it, what it did, and when the first change was seen."""

    changes: tuple[Stale, ...]
    outcome: Outcome
    seen: float  # time.perf_counter() at the first event of the burst
    done: float  # time.perf_counter() once the edited pages were on disk (every file, when a layout changed)
    finished: float = 0.0  # time.perf_counter() once the site-wide files were on disk too; 0 if left for later


@dataclass(frozen=True)
class _Seen:
    """A change as the watcher saw it; `saved` when the file was just closed after writing, or moved in."""

    change: Stale
    at: float
    saved: bool


class _Events(FileSystemEventHandler):
    """Turn watchdog's events into changes on a queue; everything else is dropped here."""

    def __init__(self, changes: queue.Queue[_Seen | None], roots: tuple[Path, tuple[Path, ...], Path]) -> None:
        self.changes, self.roots = changes, roots

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _WATCHED_EVENTS or (event.is_directory and event.event_type == "modified"):
            return
        now = time.perf_counter()
        for raw, saved in ((event.src_path, event.event_type == "closed"), (getattr(event, "dest_path", ""), True)):
            found = locate(Path(_text(raw)), *self.roots) if raw else None
            change = detect_change(*found) if found else None
            if change is not None:
                self.changes.put(_Seen(change, now, saved))


def _text(path: str | bytes) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path


class Watcher:
    """Watch content, layouts and settings; build once, then rebuild once per burst of changes."""

    def __init__(self, builder: Builder, on_rebuild: Callable[[Rebuilt], None], *,
                 quiet: float = QUIET_SECONDS, saved: float = SAVED_SECONDS) -> None:
        sources = builder.sources
        content = sources.content.absolute()
        # The theme too: a layout of Glossator's own may be edited where it is installed, as in its repository.
        layouts = (THEME, *((sources.layouts.absolute(),) if sources.layouts else ()))
        config = (sources.config or sources.content.parent / CONFIG_NAME).absolute()
        self.builder, self.on_rebuild, self.quiet, self.saved = builder, on_rebuild, quiet, saved
        self._changes: queue.Queue[_Seen | None] = queue.Queue()
        self._observer = Observer()
        handler = _Events(self._changes, (content, layouts, config))
        self._folders = ((content, True), *((folder, True) for folder in layouts), (config.parent, False))
        for folder, recursive in self._folders:
            self._observer.schedule(handler, str(folder), recursive=recursive)
        self._thread = threading.Thread(target=self._loop, name="glossator-watch", daemon=True)

    def start(self) -> None:
        """Start watching, then build; raise OSError if a folder cannot be watched."""
        for folder, _ in self._folders:
            if not folder.is_dir():
                raise FileNotFoundError(errno.ENOENT, "no such folder", str(folder))
        self._observer.start()  # before the first build, so no save between the two is missed
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and wait for a rebuild in progress to finish."""
        self._changes.put(None)
        self._observer.stop()
        self._observer.join(timeout=5)
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        self._rebuild((), time.perf_counter())
        while (burst := self._next_burst()) is not None:
            self._rebuild(tuple(dict.fromkeys(seen.change for seen in burst)), burst[0].at)
        self.builder.finish()  # what the last save left, before the watcher ends

    def _next_burst(self) -> list[_Seen] | None:
        """Wait for a change, then for a quiet moment; return the burst, or None when stopped."""
        first = self._changes.get()
        if first is None:
            return None
        burst = [first]
        while True:
            try:
                item = self._changes.get(timeout=self.saved if burst[-1].saved else self.quiet)
            except queue.Empty:
                return burst
            if item is None:
                return None
            burst.append(item)

    def _rebuild(self, changes: tuple[Stale, ...], seen: float) -> None:
        finished = 0.0
        try:
            outcome = self.builder.rebuild_articles(changes or None)  # none: the first build, which reads everything
            done = time.perf_counter()
            # The site-wide files (index, offline ZIP, feed) come after the edited page, and only when no other
            # save is waiting: that save's rebuild will write them, and its page comes first.
            if self.builder.pending and self._changes.empty():  # this save's, or one before it that a problem left
                rest = self.builder.finish()
                outcome = outcome.then(rest) if outcome.ok else outcome  # a save with a problem says its own
                finished = time.perf_counter()
            elif not outcome.pending:
                finished = done
        except Exception as error:  # a bug must not end the session: report it and keep watching
            traceback.print_exc(file=sys.stderr)
            outcome = Outcome([Problem(Where("glossator"), f"internal error: {error!r}")])
            done = finished = time.perf_counter()
        try:
            self.on_rebuild(Rebuilt(changes, outcome, seen, done, finished))
        except Exception:
            traceback.print_exc(file=sys.stderr)


def print_rebuild(rebuilt: Rebuilt) -> None:
    """Say what a rebuild did on stderr; a failed one prints its problems as `check` does."""
    outcome = rebuilt.outcome
    if outcome.problems:
        report(outcome.problems)
        print("glossator: the site is unchanged; still watching", file=sys.stderr)
        return
    print(f"glossator: {rebuild_summary(rebuilt)}", file=sys.stderr)


def rebuild_summary(rebuilt: Rebuilt) -> str:
    """Say in one line what a good build or rebuild did, and how long it took from the save."""
    took = f"{(rebuilt.done - rebuilt.seen) * 1000:.0f} ms"
    outcome = rebuilt.outcome
    if not rebuilt.changes:  # the build a session starts with
        return f"built {_files(len(outcome.written))} in {took}; watching for changes (Ctrl-C to stop)"
    changed = len(outcome.written) + len(outcome.removed)
    return f"rebuilt in {took}: {_files(changed) if changed else 'no file'} changed"


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def watch_failure(error: OSError) -> str:
    """Say why a folder cannot be watched, naming it."""
    where = f" {error.filename}" if error.filename else ""
    return f"glossator: cannot watch{where}: {error.strerror or error}"


def watch_command(builder: Builder) -> int:
    """Run `watch` until Ctrl-C; return the exit status."""
    try:
        watcher = Watcher(builder, print_rebuild)
        watcher.start()
    except OSError as error:
        print(watch_failure(error), file=sys.stderr)
        return 2
    sources = builder.sources
    layouts = f" and {sources.layouts}/" if sources.layouts else ""
    print(f"glossator: watching {sources.content}/{layouts}; press Ctrl-C to stop", file=sys.stderr)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
    return 0
