"""The build, declared once: each article through the stages, a site-wide step, then the outputs, then write.

`build`, `check`, `watch` and `serve` all run these tables; `watch` and `serve` keep each article's work between
rebuilds (dev/cache.py) and hand the stages what they may reuse.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .article_cache import ArticleCache, open_cache
from .load.config import CONFIG_NAME, load_config
from .load.content import article_paths, folder_problems, front_matter_source
from .load.layouts import THEME, load_layouts, read_compiled_layouts
from .model import ArticleWork, FileData, Look, SiteWork, ZipEntries
from .outputs import in_memory, make_outputs
from .parallel import processes, through_stages
from .problems import Problem, Where
from .render.compiled_layouts import CompiledLayouts
from .render.look import prepare_look
from .write import Staging, open_staging, save_compiled_layouts, save_placed


def site_step(content: Path, works: list[ArticleWork]) -> tuple[dict[str, Where], list[Problem]]:
    """Check what concerns the articles together: the folder's names, sidecars without an article, content passed
    over; and index every note's id across the articles, for cross-references."""
    sources = [front_matter_source(work.file.front) if work.file else None for work in works]
    ids = {f"{w.anchored.article.slug}#{a.html_id}": a.annotation.where
           for w in works if w.anchored is not None for a in w.anchored.anchors}
    return ids, folder_problems(content, [work.path for work in works], sources)


@dataclass(frozen=True)
class Result:
    """What a build produced, or the problems that stopped it."""

    files: Mapping[str, FileData]  # by name; from `check`, their bytes
    problems: list[Problem]
    compiled_layouts: bytes | None = None  # layouts compiled anew, to keep for the next build
    articles: int = 0
    annotations: int = 0


def config_path(given: Path | None, content: Path) -> Path | None:
    """Use the named settings file, or glossator.yaml beside the content folder: a site needs none."""
    if given is not None:
        return given
    # Beside the content, not in the working folder: a project's settings go with its content.
    default = content.parent / CONFIG_NAME
    return default if default.is_file() else None


def check(content: Path, layouts: Path | None = None, *, config: Path | None = None,
          base_url: str | None = None, keep: bool = False, staging: Staging | None = None) -> Result:
    """Run every stage and output but writing; the files are what a build would write.

    `layouts` is the site's own layouts folder, each file of which replaces the theme's; None for the theme alone.
    With `keep`, articles kept by an earlier build from the same bytes are read back, and those made anew are kept
    (article_cache.py). With `staging`, each article's files are written there as soon as they are made."""
    site, problems = load_config(config, base_url=base_url)
    templates, found = load_layouts(layouts)
    compiled = CompiledLayouts(read_compiled_layouts(layouts), frozenset(templates))
    look, found_compiling = prepare_look(templates, str(layouts or THEME), site, compiled) if not found else (None, [])
    problems += found + found_compiling
    # Kept articles are read back with the site a build placed, which holds their files: a build, not a check.
    cache = open_cache(layouts, templates, site, THEME) if keep and look is not None and staging is not None else None
    works, ids, found = checked_articles(content, look if not problems else None, cache, staging)
    problems += found
    if problems or look is None:
        return Result({}, problems)  # no look without a problem to say why
    works = [work if work.files_made else _rendered(content, work, look) for work in works]
    files, problems = outputs_of(works, ids, look)
    return Result(files if staging is not None else in_memory(files), problems, compiled.to_keep(), len(works),
                  sum(len(w.anchored.anchors) for w in works if w.anchored))


# The article stages (stages.py) are imported where an article is made, not above: a build that makes none never
# imports the parsers, the schemas and the renderer, which would be most of what it spends.


def _rendered(content: Path, work: ArticleWork, look: Look) -> ArticleWork:
    from . import stages

    return stages.run_stages(work, stages.Context(content, look), start="render")


def checked_articles(content: Path, look: Look | None = None, cache: ArticleCache | None = None,
                     staging: Staging | None = None) -> tuple[list[ArticleWork], dict[str, Where], list[Problem]]:
    """Take every article of a content folder through the stages, then the site-wide step; return the works, the
    index of note ids, and every problem found.

    Without a look, the stages stop before render. With one, each article without problems comes back with its own
    files made and cut to its summary (`stages.through_files`); many go through in worker processes, one per core
    (parallel.py); those a `cache` kept from an earlier build, made from the same bytes, are read back instead. With
    `staging`, each article's files are written as it comes back, and only a record of them is held."""
    if not content.is_dir():
        return [], {}, [Problem(Where(str(content)), "content folder not found")]
    paths = article_paths(content)
    # Kept articles are read back here, in this process: workers are started only for the articles to make.
    works = {path: work for path in paths if (work := _kept_article(path, cache, staging)) is not None}
    to_make = [path for path in paths if path not in works]
    count = processes(len(to_make)) if look is not None else 1
    if to_make:
        from . import stages  # noqa: F401  (once, before the workers are forked: not once in each)
    if count > 1:
        from .load import located_yaml  # noqa: F401  (as the stages: each worker loads articles)

    def one(path: Path) -> ArticleWork:
        # In a worker when there are many: the parent receives a small record of each article, never its page.
        return _made_article(content, path, look, cache, staging)

    works.update(zip(to_make, through_stages(to_make, one, count) if count > 1 else map(one, to_make), strict=True))
    ordered = [works[path] for path in paths]
    ids, found = site_step(content, ordered)
    return ordered, ids, [problem for work in ordered for problem in work.problems] + found


def _kept_article(path: Path, cache: ArticleCache | None, staging: Staging | None) -> ArticleWork | None:
    """Return an article kept by an earlier build from the same bytes, its files taken from the site that build
    placed; None when there is none, or its files there are gone or changed."""
    if cache is None or staging is None:
        return None
    kept = cache.kept(path)
    files = staging.link_kept(kept[1]) if kept is not None else None
    return replace(kept[0], files_made=files) if kept is not None and files is not None else None


def _made_article(content: Path, path: Path, look: Look | None, cache: ArticleCache | None,
                  staging: Staging | None) -> ArticleWork:
    """Take one article through the stages, write its files into the new site, and keep it for the next build."""
    from . import stages

    if look is None:
        return stages.run_stages(ArticleWork(path), stages.Context(content), stop="audit")
    own = cache.own_files(path) if cache is not None else None  # before the stages read the files
    work = _staged(stages.through_files(content, path, look), staging)
    if cache is not None and own is not None and work.files_made:
        cache.keep(path, own, work)
    return work


def _staged(work: ArticleWork, staging: Staging | None) -> ArticleWork:
    """Write the article's own files into the new site now, keeping only a record of each."""
    if staging is None or not work.files_made:
        return work
    return replace(work, files_made=tuple(staging.stage(file) for file in work.files_made))


def outputs_of(works: list[ArticleWork], ids: dict[str, Where], look: Look, kept_zip: ZipEntries | None = None,
               ) -> tuple[dict[str, FileData], list[Problem]]:
    """Make the site's files from articles that went through every stage; problems if any stage found some.

    `kept_zip` keeps the offline ZIP's checksums from one call to the next (watch)."""
    problems = [problem for work in works for problem in work.problems]
    if problems:
        return {}, problems
    site = SiteWork(tuple(w.anchored for w in works if w.anchored), tuple(f for w in works for f in w.files_made), ids,
                    look, kept_zip)
    return make_outputs(site)


def build(content: Path, layouts: Path | None, out: Path, *, config: Path | None = None,
          base_url: str | None = None, keep: bool = True) -> Result:
    """Build the site into `out`; leave `out` untouched if anything is wrong.

    Each article's files are written into a new folder beside `out` as soon as they are made, and the folder is
    swapped in once the site is whole. With `keep`, each article's work is read back from the cache where its bytes
    are unchanged, and kept there."""
    staging, refused = open_staging(out, build_inputs(content, layouts, config), trust_placed=keep)
    try:
        result = check(content, layouts, config=config, base_url=base_url, keep=keep, staging=staging)
        if result.problems or staging is None:
            return result if result.problems else replace(result, problems=refused)
        problems = staging.commit(result.files)
    finally:
        if staging is not None:
            staging.discard()
    if problems:
        return replace(result, problems=problems)
    if staging is not None and staging.record is not None and keep:
        save_placed(staging.out, staging.record)
    if result.compiled_layouts:
        save_compiled_layouts(layouts or THEME, result.compiled_layouts)
    return result


def build_inputs(content: Path, layouts: Path | None, config: Path | None) -> list[Path]:
    """The folders and the settings file a site is built from, which writing the site must never replace."""
    settings = config_path(config, content)
    return [content, THEME, *([layouts] if layouts else []), *([settings] if settings else [])]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one build or rebuild, and restore it after."""
    # A build's objects (tokens, anchors, pages) live until it ends: the collector would only walk them again
    # and again as they pile up, a sixth of a long article's build, and free next to nothing (peak memory is
    # the same with it paused). `watch` pauses it only while it rebuilds: a long-lived process needs its garbage
    # collected.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
