"""The build, declared once: each article through the stages, a site-wide step, then the outputs, then write.

`build`, `check`, `watch` and `serve` all run these tables; `watch` and `serve` keep each article's work between
rebuilds (dev/cache.py) and hand the stages what they may reuse.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from .anchor.place import anchor_article
from .article_cache import ArticleCache, open_cache, read_digest
from .check.validate import validate_article
from .load.config import CONFIG_NAME, load_config
from .load.content import article_paths, folder_problems, front_matter_source, load_article, needs_of
from .load.layouts import THEME, load_layouts, read_compiled_layouts
from .model import ArticleWork, FileData, Look, SiteWork, ZipEntries
from .outputs import in_memory, make_outputs
from .outputs.article_files import files_of, summary_of
from .outputs.web_annotation import collection_made_ahead, forget_encoded
from .parallel import processes, through_stages
from .problems import Problem, Where
from .render.compiled_layouts import CompiledLayouts
from .render.layouts import LayoutFailed, template_problem
from .render.markdown import forget_parsed_notes, notes_rendered_ahead
from .render.page import PageMemo, prepare_look, render_article
from .write import Staging, open_staging, save_compiled_layouts, save_placed


@dataclass(frozen=True)
class Context:
    """What the article stages are given beside the article: where content is, the look, and what may be reused."""

    content: Path
    look: Look | None = None  # None: stop before rendering
    earlier: ArticleWork | None = None  # this article before an edit (watch), whose parse the anchor stage may keep
    memo: PageMemo | None = None  # the page's parts kept between rebuilds (watch)


Stage = Callable[[ArticleWork, Context], ArticleWork]


def _load(work: ArticleWork, context: Context) -> ArticleWork:
    file, problems = load_article(context.content, work.path)
    return replace(work, file=file, problems=work.problems + tuple(problems), needs=needs_of(work.path, file))


def _validate(work: ArticleWork, context: Context) -> ArticleWork:
    if work.file is None:
        return work
    article, problems = validate_article(work.file)
    return replace(work, article=article, problems=work.problems + tuple(problems))


def _anchor(work: ArticleWork, context: Context) -> ArticleWork:
    if work.article is None:
        return work
    earlier = context.earlier.anchored if context.earlier is not None else None
    anchored, problems = anchor_article(work.article, earlier)
    return replace(work, anchored=anchored, problems=work.problems + tuple(problems))


def _audit(work: ArticleWork, context: Context) -> ArticleWork:
    if work.anchored is None or work.anchored.article.received is None:
        return work
    from .check.audit import audit_article  # here: only an article with a received text is audited

    return replace(work, problems=work.problems + tuple(audit_article(work.anchored)))


def _render(work: ArticleWork, context: Context) -> ArticleWork:
    if work.anchored is None or work.problems or context.look is None:
        return work
    try:
        return replace(work, page=render_article(work.anchored, context.look, context.memo))
    except jinja2.TemplateError as error:
        return replace(work, problems=(template_problem(error, context.look.layouts),))
    except LayoutFailed as failed:
        return replace(work, problems=(failed.problem,))


def _files(work: ArticleWork, context: Context) -> ArticleWork:
    if work.page is None or work.anchored is None or context.look is None:
        return work
    return replace(work, files_made=files_of(work.anchored, work.page, context.look))


# Each article goes through these in order, as markdown-it's core goes through its rules. A stage takes what the
# ones before it made and adds its own part and problems; one whose input is missing passes the article on.
ARTICLE_STAGES: tuple[tuple[str, Stage], ...] = (
    ("load", _load),  # the article, its sidecar, received text and pictures, every value with its position
    ("validate", _validate),  # front matter and annotations against the schemas
    ("anchor", _anchor),  # each quote to a range of the text a reader sees
    ("audit", _audit),  # the page against the received text, through the corrections
    ("render", _render),  # tokens and anchors to HTML, through the layouts
    ("files", _files),  # the article's own files: its page, received text, Web Annotation file, e-book
)


def run_stages(work: ArticleWork, context: Context, *, start: str = "load", stop: str = "files") -> ArticleWork:
    """Take one article through the stages from `start` to `stop`, both included."""
    names = [name for name, _ in ARTICLE_STAGES]
    for _, stage in ARTICLE_STAGES[names.index(start) : names.index(stop) + 1]:
        work = stage(work, context)
    return work


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
    cache = open_cache(layouts, templates, site, THEME) if keep and look is not None else None
    works, ids, found = checked_articles(content, look if not problems else None, cache, staging)
    problems += found
    if problems or look is None:
        return Result({}, problems)  # no look without a problem to say why
    works = [work if work.files_made else run_stages(work, Context(content, look), start="render") for work in works]
    files, problems = outputs_of(works, ids, look)
    return Result(files if staging is not None else in_memory(files), problems, compiled.to_keep(), len(works),
                  sum(len(w.anchored.anchors) for w in works if w.anchored))


def checked_articles(content: Path, look: Look | None = None, cache: ArticleCache | None = None,
                     staging: Staging | None = None) -> tuple[list[ArticleWork], dict[str, Where], list[Problem]]:
    """Take every article of a content folder through the stages, then the site-wide step; return the works, the
    index of note ids, and every problem found.

    Without a look, the stages stop before render. With one, each article without problems comes back with its own
    files made and cut to its summary (`through_files`); many go through in worker processes, one per core
    (parallel.py); those a `cache` kept from an earlier build, made from the same bytes, are read back instead. With
    `staging`, each article's files are written as it comes back, and only a record of them is held."""
    if not content.is_dir():
        return [], {}, [Problem(Where(str(content)), "content folder not found")]
    paths = article_paths(content)
    # Kept articles are read back here, in this process: workers are started only for the articles to make.
    works = {path: _staged(work, staging) for path in paths
             if cache is not None and look is not None and (work := cache.kept(path, cache.key_of(path)))}
    to_make = [path for path in paths if path not in works]
    count = processes(len(to_make)) if look is not None else 1

    def one(path: Path) -> ArticleWork:
        # In a worker when there are many: the parent receives a small record of each article, never its page.
        return _staged(_made_article(content, path, look, cache), staging)

    works.update(zip(to_make, through_stages(to_make, one, count) if count > 1 else map(one, to_make), strict=True))
    ordered = [works[path] for path in paths]
    ids, found = site_step(content, ordered)
    return ordered, ids, [problem for work in ordered for problem in work.problems] + found


def _made_article(content: Path, path: Path, look: Look | None, cache: ArticleCache | None) -> ArticleWork:
    """Take one article through the stages, and keep it for the next build."""
    if look is None:
        return run_stages(ArticleWork(path), Context(content), stop="audit")
    key = cache.key_of(path) if cache is not None else ""  # before the stages read the files
    work = through_files(content, path, look)
    if cache is not None and work.files_made:
        work = with_digests(work)  # kept with the article: a build with nothing changed reckons none
        cache.keep(path, key, replace(work, needs_read=()), work.needs_read)
    return work


def _staged(work: ArticleWork, staging: Staging | None) -> ArticleWork:
    """Write the article's own files into the new site now, keeping only a record of each."""
    if staging is None or not work.files_made:
        return work
    return replace(work, files_made=tuple(staging.stage(file) for file in work.files_made))


def with_digests(work: ArticleWork) -> ArticleWork:
    """Return the article with the SHA-256 of each of its own files."""
    files = tuple(replace(file, digest=hashlib.sha256(file.data).hexdigest()) if isinstance(file.data, bytes)
                  else file for file in work.files_made)
    return replace(work, files_made=files)


def through_files(content: Path, path: Path, look: Look) -> ArticleWork:
    """Take one article through every stage and cut it to its summary; with a problem, only through the audit."""
    checked = run_stages(ArticleWork(path), Context(content), stop="validate")
    notes = [a.note for a in checked.article.annotations if a.note] if checked.article and not checked.problems else []
    with notes_rendered_ahead(notes):  # on an idle core, if there is one, while the body is parsed
        return _through_files(content, checked, look)


def _through_files(content: Path, validated: ArticleWork, look: Look) -> ArticleWork:
    checked = run_stages(validated, Context(content), start="anchor", stop="audit")
    if checked.problems or checked.anchored is None:
        return checked
    with collection_made_ahead(checked.anchored, look.site):  # on an idle core, if there is one, while it renders
        work = run_stages(checked, Context(content, look), start="render")
    if not work.files_made:
        # A layout that failed: `check` renders the article again in its turn (a build stops before render when
        # any article has a problem), so its problem is said when and as it would be without this shortcut.
        return checked
    # What is kept of each note for `watch` is of no use to the next article of a build: freed now, it neither
    # piles up nor is walked, article after article, by a worker's garbage collector.
    forget_parsed_notes()
    forget_encoded()
    return replace(summary_of(work), needs_read=needs_as_read(work))


def needs_as_read(work: ArticleWork) -> tuple[tuple[str, str], ...]:
    """Digest the received text and pictures an article was made from, as the load stage read them: a file changed
    since then is not taken for what the page was made from."""
    file = work.file
    if file is None:
        return ()
    source = front_matter_source(file.front)
    read: list[tuple[Path, bytes | str]] = [(work.path.parent / source, file.received)] \
        if source and file.received is not None else []
    read += [(Path(p.file), p.data) for p in file.pictures.values() if p.file is not None]
    return tuple((str(path), read_digest(path, data)) for path, data in read)


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
