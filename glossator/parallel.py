"""A cold build's articles through the stages in worker processes, one per core, when there are many.

Each worker takes an article through every stage, as one process would (pipeline.through_files), and returns it cut
to its summary: its own files and what the site-wide step and outputs read, not the body's markdown-it tokens, which
cost more to pickle and unpickle than to make (570 kB and 25 ms for a 5,000-word article, against 275 kB and 5 ms
without them). The workers are forked, so the compiled layouts are theirs without being pickled. `watch` and `serve`
keep each article's work between rebuilds and stay one process.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from .model import ArticleWork

PROCESSES = "GLOSSATOR_PROCESSES"  # the number of processes a build may use; 1 for one process
MIN_ARTICLES = 8  # below this, starting the workers costs more than they save

# The pipeline's stages for one article, handed over to keep imports one-way.
OneArticle = Callable[[Path], ArticleWork]

_one: OneArticle | None = None  # set in the parent just before the fork; read in the workers


def processes(articles: int) -> int:
    """Return how many processes a build of this many articles should use: 1 unless it pays to fork."""
    asked = os.environ.get(PROCESSES, "").strip()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    count = int(asked) if asked.isdigit() and int(asked) > 0 else cores
    # Fork only where it is the platform's own way to start a process: macOS's system libraries are not fork-safe.
    if articles < MIN_ARTICLES or not sys.platform.startswith("linux"):
        return 1
    return min(count, articles)


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
    gc.enable()


def _one_article(path: Path) -> ArticleWork:
    assert _one is not None, "a worker runs only after the fork"
    return _one(path)
