"""A cold build's articles through the stages in worker processes, one per core, when there are many.

Each worker takes an article through every stage, as one process would (stages.through_files), and returns it cut
to its summary: its own files and what the site-wide step and outputs read, not the body's markdown-it tokens, which
cost more to pickle and unpickle than to make (570 kB and 25 ms for a 5,000-word article, against 275 kB and 5 ms
without them). The workers are forked, so the compiled layouts are theirs without being pickled. `watch` and `serve`
keep each article's work between rebuilds and stay one process.

A build of fewer articles runs them in one process, leaving the other cores idle: `fork_ahead` lends one of them a
piece of an article's work that needs none of what the parent makes meanwhile (the notes' Markdown, while the parent
parses the body), and hands its result back as bytes.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

from .model import ArticleWork

PROCESSES = "GLOSSATOR_PROCESSES"  # the number of processes a build may use; 1 for one process
MIN_ARTICLES = 8  # below this, starting the workers costs more than they save

# The pipeline's stages for one article, handed over to keep imports one-way.
OneArticle = Callable[[Path], ArticleWork]

_one: OneArticle | None = None  # set in the parent just before the fork; read in the workers
_in_worker = False  # set in each worker: its build already has a core of its own, and lends none

T = TypeVar("T")


def processes(articles: int) -> int:
    """Return how many processes a build of this many articles should use: 1 unless it pays to fork."""
    count = _allowed()
    # Fork only where it is the platform's own way to start a process: macOS's system libraries are not fork-safe.
    if articles < MIN_ARTICLES or not sys.platform.startswith("linux"):
        return 1
    return min(count, articles)


def _allowed() -> int:
    """Return how many processes a build may use: as many as it has cores, unless GLOSSATOR_PROCESSES says."""
    asked = os.environ.get(PROCESSES, "").strip()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return int(asked) if asked.isdigit() and int(asked) > 0 else cores


class Ahead(Generic[T]):
    """A result being computed in a forked child, to collect once, or to give up."""

    def __init__(self, pid: int, reading: int) -> None:
        self._pid: int | None = pid
        self._reading = reading
        self._parent = os.getpid()

    def result(self) -> T | None:
        """Wait for the child and return what it computed; None if it failed, or was collected or given up, or in
        another child forked meanwhile, which must leave the pipe to its parent."""
        if self._pid is None or os.getpid() != self._parent:
            return None
        # Read to the end before waiting: a result larger than the pipe's buffer holds the child in its write.
        with os.fdopen(self._reading, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if os.waitstatus_to_exitcode(status) != 0 or not data:
            return None
        result: T = pickle.loads(data)
        return result

    def give_up(self) -> None:
        """End the child if it still runs, and reap it: its result is not wanted."""
        if self._pid is None or os.getpid() != self._parent:
            return
        os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        os.close(self._reading)
        self._pid = None


_BEHIND = 10  # a tenth of the share of a process of the usual priority, as Linux weighs them


def fork_ahead(compute: Callable[[], T], *, behind: bool = False) -> Ahead[T] | None:
    """Start computing `compute()` in a forked child, on a core the build leaves idle; None where there is none.
    A child `behind` is wanted after the others: it runs at a lower priority, so they have the idle core first.

    `compute` must read only what the parent held at the fork and change nothing outside the child; its result is
    pickled back. None in a worker (every core has one), with one core or GLOSSATOR_PROCESSES=1, off Linux (fork
    is not the platform's way to start a process) and beside other threads (a fork copies only the calling one)."""
    if (_in_worker or _allowed() < 2 or not sys.platform.startswith("linux")
            or threading.active_count() > 1):
        return None
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, write, and leave at once, without the parent's exit handlers or buffers
        status = 1
        try:
            os.close(reading)
            if behind:
                os.nice(_BEHIND)
            data = pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writing, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    return Ahead(pid, reading)


class AheadFor(Generic[T]):
    """A result being computed in a child for one input (its objects, compared by identity), which only a call for
    the same input takes: one place per kind of result, between the fork and the end of the block it serves."""

    def __init__(self) -> None:
        self.pending: Ahead[T] | None = None
        self.of: tuple[object, ...] = ()

    def take(self, *of: object) -> T | None:
        """Return the result computed for this input, once; None when there is none, or its child failed."""
        if self.pending is None or len(of) != len(self.of) or any(a is not b for a, b in zip(of, self.of, strict=True)):
            return None
        result, self.pending = self.pending.result(), None
        return result

    @contextlib.contextmanager
    def during(self, of: tuple[object, ...], compute: Callable[[], T], *, behind: bool = False) -> Iterator[None]:
        """Compute `compute()` in a child (`fork_ahead`) while the block runs; give it up if not taken by its end."""
        self.pending, self.of = fork_ahead(compute, behind=behind), of
        try:
            yield
        finally:
            if self.pending is not None:
                self.pending.give_up()
            self.pending, self.of = None, ()


def through_stages(paths: list[Path], one: OneArticle, count: int) -> Iterator[ArticleWork]:
    """Take every article through the stages in `count` worker processes; yield their works in the paths' order,
    each as soon as it and those before it are done."""
    # Imported here: a build of a few articles never starts a worker, and these cost it 8 ms of start-up.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _one
    _one = one
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_start_worker) as pool:
            yield from pool.map(_one_article, paths)
    finally:
        _one = None


def _start_worker() -> None:
    # The parent paused the cyclic collector for its build; a worker goes through article after article, and the
    # cycles each leaves (Jinja's contexts, among others) would pile up to the worker's end.
    global _in_worker
    _in_worker = True
    gc.enable()


def _one_article(path: Path) -> ArticleWork:
    assert _one is not None, "a worker runs only after the fork"
    return _one(path)
