"""A cold build's articles through the stages in worker processes, one per core, when there are many.

Each worker takes an article through every stage, as one process would (stages.through_files), and returns it cut
to its summary: its own files and what the site-wide step and outputs read, not the body's markdown-it tokens, which
cost more to pickle and unpickle than to make (570 kB and 25 ms for a 5,000-word article, against 275 kB and 5 ms
without them). The workers are forked, so the compiled layouts are theirs without being pickled. `watch` and `serve`
keep each article's work between rebuilds and stay one process.

A build of fewer articles runs them in one process, leaving the other cores idle: `fork_ahead` lends one of them a
piece of an article's work that needs none of what the parent makes meanwhile, and hands its result back as bytes;
`fork_ahead_then` two pieces, the second made from the first, which the parent may take while the second is made
(a long sidecar's load and validation, then the notes' Markdown, while the parent parses the body).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import pickle
import signal
import struct
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
U = TypeVar("U")


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


class _Child:
    """A forked child on the other end of a pipe, which sends its results one frame at a time."""

    def __init__(self, pid: int, reading: int) -> None:
        self.pid: int | None = pid
        self._pipe = os.fdopen(reading, "rb")
        self._parent = os.getpid()

    def here(self) -> bool:
        """Tell whether this process may use the child: only its parent, while it runs or has results to read.
        Another child forked meanwhile must leave the pipe to its parent."""
        return self.pid is not None and os.getpid() == self._parent

    def frame(self) -> object | None:
        """Wait for the child's next result and return it; None if it failed before sending it whole."""
        header = self._pipe.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack(header)
        data = self._pipe.read(size)
        return pickle.loads(data) if len(data) == size else None

    def reap(self) -> None:
        """Wait for the child's end, once it has sent all it will."""
        assert self.pid is not None
        os.waitpid(self.pid, 0)
        self._pipe.close()
        self.pid = None

    def give_up(self) -> None:
        """End the child if it still runs, and reap it: its results are not wanted."""
        if not self.here():
            return
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        self.reap()


_HEADER = struct.Struct(">Q")  # each result's length in bytes, before its pickle
# A child that sends a result before its last goes on at once if the pipe holds it: with Linux's usual 64 kB, it
# would wait in its write until the parent reads, idle. 1 MiB is the most Linux allows by default.
_PIPE_BYTES = 1 << 20


class Ahead(Generic[T]):
    """A result being computed in a forked child, to collect once, or to give up."""

    def __init__(self, child: _Child) -> None:
        self._child = child

    def result(self) -> T | None:
        """Wait for the child and return what it computed; None if it failed, or was collected or given up, or in
        another child forked meanwhile."""
        if not self._child.here():
            return None
        result: T | None = self._child.frame()  # type: ignore[assignment]  # what compute() returned, unpickled
        self._child.reap()
        return result

    def give_up(self) -> None:
        """End the child if it still runs, and reap it: its result is not wanted."""
        self._child.give_up()


class AheadThen(Generic[T, U]):
    """Two results being computed one after the other in a forked child, the first sent as soon as it is made."""

    def __init__(self, child: _Child) -> None:
        self._child = child
        self._first: T | None = None
        self._taken = 0  # how many results were read

    def first(self) -> T | None:
        """Wait for the first result and return it; None if the child failed before it."""
        if self._taken == 0 and self._child.here():
            self._first = self._child.frame()  # type: ignore[assignment]
            self._taken = 1 if self._first is not None else 2
        return self._first

    def then(self) -> U | None:
        """Wait for the second result and return it, once; None if the child failed, or it was taken."""
        self.first()
        if self._taken != 1 or not self._child.here():
            return None
        result: U | None = self._child.frame()  # type: ignore[assignment]
        self._taken = 2
        self._child.reap()
        return result

    def give_up(self) -> None:
        """End the child if it still runs, and reap it: what it has not sent is not wanted."""
        self._child.give_up()


_BEHIND = 10  # a tenth of the share of a process of the usual priority, as Linux weighs them


def fork_ahead(compute: Callable[[], T], *, behind: bool = False) -> Ahead[T] | None:
    """Start computing `compute()` in a forked child, on a core the build leaves idle; None where there is none.
    A child `behind` is wanted after the others: it runs at a lower priority, so they have the idle core first.

    `compute` must read only what the parent held at the fork and change nothing outside the child; its result is
    pickled back. None in a worker (every core has one), with one core or GLOSSATOR_PROCESSES=1, off Linux (fork
    is not the platform's way to start a process) and beside other threads (a fork copies only the calling one)."""
    child = _fork(lambda: iter((compute(),)), behind)
    return Ahead(child) if child is not None else None


def fork_ahead_then(first: Callable[[], T], then: Callable[[T], U]) -> AheadThen[T, U] | None:
    """Start computing `first()` and then `then()` of it in a forked child, as `fork_ahead` does; the parent may
    take the first result while the child goes on with the second."""
    def results() -> Iterator[object]:
        made = first()
        yield made
        yield then(made)

    child = _fork(results, behind=False)
    return AheadThen(child) if child is not None else None


def can_fork_ahead() -> bool:
    """Tell whether `fork_ahead` would start a child here and now (see there)."""
    return not _in_worker and _allowed() >= 2 and sys.platform.startswith("linux") and threading.active_count() == 1


def _fork(results: Callable[[], Iterator[object]], behind: bool) -> _Child | None:
    if not can_fork_ahead():
        return None
    reading, writing = os.pipe()
    with contextlib.suppress(OSError):  # a user over the system's quota of pipe memory keeps the usual 64 kB
        fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    pid = os.fork()
    if pid == 0:  # the child: compute, write, and leave at once, without the parent's exit handlers or buffers
        status = 1
        try:
            os.close(reading)
            if behind:
                os.nice(_BEHIND)
            with os.fdopen(writing, "wb") as pipe:
                for result in results():
                    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                    pipe.write(_HEADER.pack(len(data)))
                    pipe.write(data)
                    pipe.flush()  # the parent may be waiting for this one while the next is made
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    return _Child(pid, reading)


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
