"""Rebuild in one process: keep each article's stage results, redo only what a change touched."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ..anchor.place import anchor_article
from ..check.audit import audit
from ..check.validate import validate_article
from ..load.config import load_config
from ..load.content import MAX_FILE_BYTES, article_paths, folder_problems, load_article, load_layouts, sidecar_of
from ..model import Anchor, AnchoredArticle, Site
from ..pipeline import build_inputs, collector_paused, config_path
from ..problems import Problem, Where
from ..render.block_cache import BlockCache
from ..render.layouts import LayoutFailed, template_problem
from ..render.page import make_environment, page_assets, render_article, site_files
from ..write import replace_file, write

Fingerprint = tuple[object, ...]


@dataclass(frozen=True)
class Sources:
    """Where a site's inputs are and where it goes: the options of `build`."""

    content: Path
    layouts: Path
    out: Path
    config: Path | None = None  # None: glossator.yaml beside the content folder, if there is one
    base_url: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What one rebuild did: the problems that stopped it, or the files it wrote and removed."""

    problems: list[Problem]
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    recomputed: tuple[str, ...] = ()  # articles loaded, checked and anchored again

    @property
    def ok(self) -> bool:
        """Tell whether the site on disk is now up to date."""
        return not self.problems


@dataclass
class _Article:
    """One article's stage results, valid while its files keep these fingerprints."""

    key: Fingerprint
    source: str | None  # the front matter's `source`, whose file is part of the key
    source_key: Fingerprint | None
    anchored: AnchoredArticle | None
    problems: list[Problem]
    # The picture files the body names, found or not, whose fingerprints are part of the key too.
    picture_files: tuple[Path, ...] = ()
    pictures_key: Fingerprint = ()
    page: str | None = None
    page_generation: int = -1  # the layouts and settings the page was rendered with
    # Each note's HTML by anchor, for the same layouts: an edit of one note renders one note.
    notes: dict[Anchor, str] = field(default_factory=dict)
    notes_generation: int = -1
    # The body's HTML block by block, each keyed by its notes' HTML: an edit of one note renders one block.
    blocks: BlockCache = field(default_factory=BlockCache)


@dataclass
class _Look:
    """The compiled layouts and the settings, which every page depends on."""

    templates: dict[str, str] | None = None
    env: jinja2.Environment | None = None
    assets: dict[str, Any] = field(default_factory=dict)
    site_key: Fingerprint | None = None
    site: Site = field(default_factory=Site)
    site_problems: list[Problem] = field(default_factory=list)
    generation: int = 0


class Builder:
    """A site kept in memory between builds; `rebuild()` makes `out` what a clean build would write."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self._articles: dict[Path, _Article] = {}
        self._look = _Look()
        self._written: dict[str, bytes] | None = None  # what `out` holds, once this builder wrote it

    def rebuild(self) -> Outcome:
        """Bring the site up to date with its sources; on any problem leave `out` as it was."""
        with collector_paused():
            return self._rebuild()

    def _rebuild(self) -> Outcome:
        problems = self._settings() + self._layouts()
        entries, recomputed, found = self._scan()
        problems += found
        if problems:
            return Outcome(problems, recomputed=recomputed)
        files, problems = self._render(entries)
        if problems:
            return Outcome(problems, recomputed=recomputed)
        outcome = self._write(files)
        return Outcome(outcome.problems, outcome.written, outcome.removed, recomputed)

    def _settings(self) -> list[Problem]:
        """Read the settings again only when their file, the base URL or SOURCE_DATE_EPOCH changed."""
        path = config_path(self.sources.config, self.sources.content)
        key = (str(path), fingerprint(path) if path else None, self.sources.base_url,
               os.environ.get("SOURCE_DATE_EPOCH"))
        look = self._look
        if key != look.site_key:
            look.site, look.site_problems = load_config(path, base_url=self.sources.base_url)
            look.site_key, look.generation = key, look.generation + 1
        return list(look.site_problems)

    def _layouts(self) -> list[Problem]:
        """Compile the layouts again only when one of them changed."""
        templates, problems = load_layouts(self.sources.layouts)
        look = self._look
        if problems:
            look.templates = None
            return problems
        if templates != look.templates or look.env is None:
            env = make_environment(templates, str(self.sources.layouts))
            look.templates, look.env, look.generation = templates, env, look.generation + 1
            try:
                look.assets = page_assets(env)
            except jinja2.TemplateError as error:
                look.templates = None  # compile again next time, to report the error again
                return [template_problem(error, str(self.sources.layouts))]
            except LayoutFailed as failed:
                look.templates = None
                return [failed.problem]
        return []

    def _scan(self) -> tuple[list[_Article], tuple[str, ...], list[Problem]]:
        """Bring every article's stage results up to date; return them, the recomputed ones, the problems."""
        content = self.sources.content
        if not content.is_dir():
            self._articles.clear()
            return [], (), [Problem(Where(str(content)), "content folder not found")]
        paths = article_paths(content)
        before = dict(self._articles)
        self._articles = {path: self._article(path) for path in paths}
        recomputed = tuple(path.name for path, entry in self._articles.items() if before.get(path) is not entry)
        problems = [problem for entry in self._articles.values() for problem in entry.problems]
        sources = [entry.source for entry in self._articles.values()]
        return list(self._articles.values()), recomputed, problems + folder_problems(content, paths, sources)

    def _article(self, path: Path) -> _Article:
        """Return the article's cached results if none of its files changed, else compute them."""
        key = (fingerprint(path), fingerprint(sidecar_of(path)))
        cached = self._articles.get(path)
        if (cached is not None and cached.key == key and cached.source_key == self._source_key(path, cached.source)
                and cached.pictures_key == _pictures_key(cached.picture_files)):
            return cached
        file, problems = load_article(self.sources.content, path)
        before = cached.anchored if cached is not None else None
        source = file.front.data.get("source") if file is not None and isinstance(file.front.data, dict) else None
        source = source if isinstance(source, str) and source else None
        anchored = None
        article, found = validate_article(file) if file is not None else (None, [])
        problems += found
        if article is not None:
            anchored, found = anchor_article(article, before)
            problems += found + audit([anchored])
        pictures = tuple(Path(p.file) for p in file.pictures.values() if p.file is not None) if file else ()
        entry = _Article(key, source, self._source_key(path, source), anchored, problems, pictures,
                         _pictures_key(pictures))
        if cached is not None:
            entry.notes, entry.notes_generation, entry.blocks = cached.notes, cached.notes_generation, cached.blocks
        return entry

    @staticmethod
    def _source_key(path: Path, source: str | None) -> Fingerprint | None:
        return fingerprint(path.parent / source) if source is not None else None

    def _render(self, entries: list[_Article]) -> tuple[dict[str, bytes], list[Problem]]:
        """Render the pages whose article, layouts or settings changed, then the site's shared files."""
        look = self._look
        assert look.env is not None  # _layouts succeeded
        anchored = [entry.anchored for entry in entries if entry.anchored is not None]
        try:
            for entry in entries:
                if entry.anchored is not None and (entry.page is None or entry.page_generation != look.generation):
                    entry.page = self._page(entry, entry.anchored)
            pages = {f"{e.anchored.article.slug}.html": e.page for e in entries if e.anchored and e.page is not None}
            return site_files(anchored, pages, look.env, look.assets, look.site)
        except jinja2.TemplateError as error:
            return {}, [template_problem(error, str(self.sources.layouts))]
        except LayoutFailed as failed:
            return {}, [failed.problem]

    def _page(self, entry: _Article, anchored: AnchoredArticle) -> str:
        """Render an article's page, reusing the notes rendered with the same layouts and settings."""
        look = self._look
        assert look.env is not None  # _layouts succeeded
        if entry.notes_generation != look.generation:
            entry.notes, entry.notes_generation = {}, look.generation
        page = render_article(anchored, look.env, look.assets, site=look.site, rendered_notes=entry.notes,
                              blocks=entry.blocks)
        current = set(anchored.anchors)
        entry.notes = {anchor: html for anchor, html in entry.notes.items() if anchor in current}
        entry.page_generation = look.generation
        return page

    def _write(self, files: dict[str, bytes]) -> Outcome:
        """Replace the changed files one by one, each atomically; the first time, swap in the whole site."""
        out = self.sources.out
        if self._written is None or not out.is_dir():
            problems = write(files, out, inputs=build_inputs(self.sources.content, self.sources.layouts,
                                                             self.sources.config))
            self._written = None if problems else dict(files)
            return Outcome(problems, tuple(sorted(files)) if not problems else ())
        written = tuple(sorted(name for name, data in files.items() if self._written.get(name) != data))
        removed = tuple(sorted(name for name in self._written if name not in files))
        try:
            for name in written:
                replace_file(out / name, files[name])
            for name in removed:
                (out / name).unlink(missing_ok=True)
        except OSError as error:
            self._written = None  # `out` is in an unknown state: next time, write the whole site
            return Outcome([Problem(Where(str(out)), f"cannot write the site: {error.strerror or error}")])
        self._written = dict(files)
        return Outcome([], written, removed)


def _pictures_key(files: tuple[Path, ...]) -> Fingerprint:
    return tuple(fingerprint(file) for file in files)


def fingerprint(path: Path) -> Fingerprint:
    """Return what loading a file depends on: where it leads, what kind of file it is, and its bytes."""
    try:
        target = str(path.resolve())
    except (OSError, RuntimeError, ValueError) as error:
        return ("unusable", repr(error))
    try:
        # Non-blocking, as the loader opens files: a named pipe must not stop the rebuild.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as error:
        return (target, "unreadable", getattr(error, "errno", None), os.path.lexists(path))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        data = handle.read(MAX_FILE_BYTES + 1) if stat.S_ISREG(mode) else b""
    return (target, stat.S_IFMT(mode), data)
