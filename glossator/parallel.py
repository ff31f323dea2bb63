"""A cold build's articles through the stages in worker processes, one per core, when there are many.

Each worker takes an article from load to render, as one process would, and makes its Web Annotation file too; it
returns only what the site-wide step and the outputs read: the page and that file, not the body's markdown-it
tokens, which cost more to pickle and unpickle than to make (570 kB and 25 ms for a 5,000-word article, against
275 kB and 5 ms without them). The workers are forked, so the compiled layouts are theirs without being pickled.
`watch` and `serve` keep each article's work between rebuilds and stay one process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from .model import ArticleFile, ArticleWork, Look, collection_name
from .outputs.web_annotation import collection_file

PROCESSES = "GLOSSATOR_PROCESSES"  # the number of processes a build may use; 1 for one process
MIN_ARTICLES = 8  # below this, starting the workers costs more than they save

# The pipeline's stages, handed over to keep imports one-way: load to audit from a path, then render.
Checked = Callable[[Path], ArticleWork]
Rendered = Callable[[ArticleWork], ArticleWork]


@dataclass(frozen=True)
class _Job:
    """What every worker inherits from the parent at the fork."""

    checked: Checked
    rendered: Rendered
    look: Look


_job: _Job | None = None  # set in the parent just before the fork; read in the workers


def processes(articles: int) -> int:
    """Return how many processes a build of this many articles should use: 1 unless it pays to fork."""
    asked = os.environ.get(PROCESSES, "").strip()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    count = int(asked) if asked.isdigit() and int(asked) > 0 else cores
    # Fork only where it is the platform's own way to start a process: macOS's system libraries are not fork-safe.
    if articles < MIN_ARTICLES or not sys.platform.startswith("linux"):
        return 1
    return min(count, articles)


def through_stages(paths: list[Path], checked: Checked, rendered: Rendered, look: Look, count: int,
                   ) -> list[ArticleWork]:
    """Take every article through the stages in `count` worker processes; return their works in the paths' order."""
    global _job
    _job = _Job(checked, rendered, look)
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_one_article, paths))
    finally:
        _job = None


def _one_article(path: Path) -> ArticleWork:
    """In a worker: one article through every stage, cut down to what the parent reads."""
    assert _job is not None, "a worker runs only after the fork"
    checked = _job.checked(path)
    if checked.problems:
        return checked
    work = _job.rendered(checked)
    if work.page is None or work.anchored is None:
        # A layout that failed: the parent renders the article again in its turn (a build stops before render
        # when any article has a problem), so its problem is said when one process would say it.
        return checked
    anchored = work.anchored
    made = {collection_name(anchored.article.slug): collection_file(anchored, _job.look.site)}
    if not _job.look.site.epub:  # an e-book is made from the tokens, in the parent
        anchored = replace(anchored, tokens=[])
    return replace(work, file=_front_only(work), anchored=anchored, files_made=made)


def _front_only(work: ArticleWork) -> ArticleFile | None:
    """Return the article's file with only what the site-wide step reads from it (its front matter)."""
    if work.file is None:
        return None
    return replace(work.file, body="", sidecar=None, received=None, pictures={}, tokens=None)
