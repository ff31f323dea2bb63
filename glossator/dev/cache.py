"""Rebuild in one process: the pipeline's own stages and outputs, with each article's work kept between rebuilds.

A rebuild is told what changed (see watch.detect_change) and looks again only at that: an article's files, the
files articles cite or show, the layouts, the settings. Told nothing, it looks at everything."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..load.config import load_config
from ..load.content import article_paths, sidecar_of
from ..load.files import MAX_FILE_BYTES
from ..load.layouts import THEME, load_layouts
from ..model import ArticleWork, LayoutFile, Look, Site, ZipEntries
from ..outputs import in_memory
from ..pipeline import build_inputs, collector_paused, config_path, outputs_of, site_step
from ..problems import Problem, Where
from ..render.look import prepare_look
from ..render.page import PageMemo
from ..stages import Context, run_stages
from ..write import MANIFEST, manifest_of, replace_file, write
from .changes import Stale

Fingerprint = tuple[object, ...]


@dataclass(frozen=True)
class Sources:
    """Where a site's inputs are and where it goes: the options of `build`."""

    content: Path
    layouts: Path | None  # the site's own layouts, over the theme; None for the theme alone
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
    pending: bool = False  # the edited articles' files are written; the site-wide files wait for `finish`

    @property
    def ok(self) -> bool:
        """Tell whether the site on disk is now up to date."""
        return not self.problems

    def then(self, rest: Outcome) -> Outcome:
        """Return this outcome followed by `rest`, the site-wide files written after the articles' own."""
        return Outcome(rest.problems, tuple(sorted({*self.written, *rest.written})), rest.removed,
                       self.recomputed + rest.recomputed, rest.pending)


@dataclass
class _Kept:
    """One article's work through the audit, valid while its files keep their fingerprints; and its page."""

    key: Fingerprint  # the article and its sidecar
    needs: tuple[Path, ...]  # the other files it was made from: its received text, its pictures
    needs_key: Fingerprint
    work: ArticleWork
    rendered: ArticleWork | None = None  # `work` through the render stage, with `look`
    look: Look | None = None
    memo: PageMemo = field(default_factory=PageMemo)


@dataclass
class _Look:
    """The settings and the layouts, each read again only when they change."""

    settings_key: Fingerprint | None = None
    settings_problems: list[Problem] = field(default_factory=list)
    templates: dict[str, LayoutFile] | None = None
    look: Look | None = None
    problems: list[Problem] = field(default_factory=list)


class Builder:
    """A site kept in memory between builds; `rebuild()` makes `out` what a clean build would write."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self._kept: dict[Path, _Kept] = {}
        self._look = _Look()
        self._written: dict[str, bytes] | None = None  # what `out` holds, once this builder wrote it
        self._site = Site()  # the settings, until they are read
        self._ids: dict[str, Where] = {}
        self._pending: tuple[list[ArticleWork], Look] | None = None  # the site-wide files `finish` writes
        self._zip = ZipEntries()
        self._early: dict[str, bytes] = {}  # each file written ahead of `finish`, with the bytes the site held before

    def rebuild(self, changes: Iterable[Stale] | None = None) -> Outcome:
        """Bring the site up to date after `changes` (None: anything may have changed); on a problem keep `out`."""
        first = self.rebuild_articles(changes)
        return first.then(self.finish()) if first.pending else first

    def rebuild_articles(self, changes: Iterable[Stale] | None = None) -> Outcome:
        """As `rebuild`, but where only articles changed, write their own files and leave the site-wide ones (the
        index, the offline ZIP, the feed) to `finish`: an edited page is on disk before them."""
        with collector_paused():
            return self._rebuild(None if changes is None else tuple(changes))

    @property
    def pending(self) -> bool:
        """Tell whether pages were written ahead of site-wide files that `finish` has still to write."""
        return self._pending is not None

    def finish(self) -> Outcome:
        """Write the site-wide files a rebuild of articles left; nothing when none are left."""
        if self._pending is None:
            return Outcome([])
        works, look = self._pending
        self._pending = None
        with collector_paused():
            files, problems = outputs_of(works, self._ids, look, self._zip)
            if problems:
                return Outcome(problems, self._restore_early())
            self._early = {}
            return self._write(in_memory(files))

    def _restore_early(self) -> tuple[str, ...]:
        """Put back what the files written ahead replaced: a rebuild whose site-wide files fail leaves the site as
        it was, as any rebuild with a problem does."""
        early, self._early = self._early, {}
        if self._written is None:
            return ()
        try:
            for name, data in early.items():
                replace_file(self.sources.out / name, data)
                self._written[name] = data
        except OSError:
            self._written = None  # `out` is in an unknown state: next time, write the whole site
        return tuple(sorted(early))

    def _rebuild(self, changes: tuple[Stale, ...] | None) -> Outcome:
        # A rebuild with a problem leaves what an earlier one left to `finish`: those pages are on disk already.
        kinds = None if changes is None else {change.kind for change in changes}
        problems = self._settings(kinds is None or "config" in kinds)
        problems += self._layouts(kinds is None or "layout" in kinds)
        works, recomputed, found = self._articles(changes)
        problems += found
        if problems:
            return Outcome(problems, recomputed=recomputed)
        look = self._look.look
        assert look is not None  # no problems: the layouts compiled
        rendered = [self._rendered(work, look) for work in works]
        if kinds is not None and kinds <= {"article", "source"} and self._written is not None:
            early = self._write_own_files(rendered, recomputed)
            if early is not None:
                self._pending = rendered, look
                return replace(early, recomputed=recomputed, pending=True)
        files, problems = outputs_of(rendered, self._ids, look, self._zip)
        if problems:
            return Outcome(problems, recomputed=recomputed)
        self._pending, self._early = None, {}  # every file is written now
        return replace(self._write(in_memory(files)), recomputed=recomputed)

    def _write_own_files(self, works: list[ArticleWork], recomputed: tuple[str, ...]) -> Outcome | None:
        """Write the files of the articles done again, ahead of the site-wide ones; None when that cannot be done
        safely: a problem to report, or a file of a name the site did not hold (the site-wide step checks names)."""
        again = [work for work in works if work.path.name in recomputed]
        files = [(file.name, file.data) for work in again for file in work.files_made if isinstance(file.data, bytes)]
        written = self._written
        if written is None or any(work.problems or not work.files_made for work in again) \
                or any(name not in written for name, _ in files):
            return None
        changed = [(name, data) for name, data in files if written[name] != data]
        try:
            for name, data in changed:
                replace_file(self.sources.out / name, data)
                self._early.setdefault(name, written[name])
                written[name] = data
        except OSError as error:
            self._written = None  # `out` is in an unknown state: next time, write the whole site
            return Outcome([Problem(Where(str(self.sources.out)), f"cannot write the site: {error.strerror or error}")])
        return Outcome([], tuple(sorted(name for name, _ in changed)))

    def _settings(self, stale: bool) -> list[Problem]:
        """Read the settings again when their file, the base URL or SOURCE_DATE_EPOCH changed."""
        path = config_path(self.sources.config, self.sources.content)
        # Looked for again at each change of the settings: a glossator.yaml may appear while watching.
        key = (str(path), fingerprint(path) if path else None, self.sources.base_url,
               os.environ.get("SOURCE_DATE_EPOCH"))
        kept = self._look
        if not stale:
            return list(kept.settings_problems)
        if key != kept.settings_key:
            site, kept.settings_problems = load_config(path, base_url=self.sources.base_url)
            kept.settings_key = key
            if kept.look is not None:
                kept.look = replace(kept.look, site=site)  # the same layouts, new settings: every page again
            self._site = site
        return list(kept.settings_problems)

    def _layouts(self, stale: bool) -> list[Problem]:
        """Compile the layouts again when one of them changed."""
        kept = self._look
        if not stale and kept.look is not None:
            return []
        templates, problems = load_layouts(self.sources.layouts)
        if problems:
            kept.templates, kept.look = None, None
            return problems
        if templates != kept.templates or kept.look is None:
            folder = str(self.sources.layouts or THEME)
            kept.look, kept.problems = prepare_look(templates, folder, self._site)
            kept.templates = templates if kept.look is not None else None  # a failure is reported again next time
        return list(kept.problems) if kept.look is None else []

    def _articles(self, changes: tuple[Stale, ...] | None) -> tuple[list[ArticleWork], tuple[str, ...], list[Problem]]:
        """Bring every article's work up to date; return the works, the articles done again, the problems."""
        content = self.sources.content
        if not content.is_dir():
            self._kept.clear()
            return [], (), [Problem(Where(str(content)), "content folder not found")]
        stale = _stale_slugs(changes)
        before = self._kept
        self._kept = {path: self._article(path, stale) for path in article_paths(content)}
        recomputed = tuple(path.name for path, kept in self._kept.items() if before.get(path) is not kept)
        works = [kept.work for kept in self._kept.values()]
        self._ids, found = site_step(content, works)
        return works, recomputed, [p for work in works for p in work.problems] + found

    def _article(self, path: Path, stale: set[str] | None) -> _Kept:
        """Return the article's kept work if none of its files changed, else take it through the stages again."""
        kept = self._kept.get(path)
        slug = path.name.removesuffix(".md")
        if kept is not None and stale is not None and slug not in stale and "" not in stale:
            return kept  # a change elsewhere
        key = (fingerprint(path), fingerprint(sidecar_of(path)))
        if kept is not None and kept.key == key and kept.needs_key == _key_of(kept.needs):
            return kept
        earlier = kept.work if kept is not None else None
        work = run_stages(ArticleWork(path), Context(self.sources.content, earlier=earlier), stop="audit")
        fresh = _Kept(key, work.needs, _key_of(work.needs), work)
        if kept is not None:
            fresh.memo = kept.memo  # the notes and blocks rendered before, each kept while it still matches
        return fresh

    def _rendered(self, work: ArticleWork, look: Look) -> ArticleWork:
        kept = self._kept[work.path]
        if kept.rendered is None or kept.look is not look:
            kept.rendered = run_stages(work, Context(self.sources.content, look, memo=kept.memo), start="render")
            kept.look = look
        return kept.rendered

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
            if set(files) != set(self._written):  # the next build may replace what this one wrote, and only that
                replace_file(out / MANIFEST, manifest_of(files))
            for name in removed:
                (out / name).unlink(missing_ok=True)
        except OSError as error:
            self._written = None  # `out` is in an unknown state: next time, write the whole site
            return Outcome([Problem(Where(str(out)), f"cannot write the site: {error.strerror or error}")])
        self._written = dict(files)
        return Outcome([], written, removed)



def _stale_slugs(changes: tuple[Stale, ...] | None) -> set[str] | None:
    """The slugs of the articles a rebuild must look at again, '' standing for every article that cites or shows a
    file; None for all of them. A layout or the settings changes pages, not what the stages before render made."""
    if changes is None:
        return None
    return {change.slug or "" for change in changes if change.kind in ("article", "source")}


def _key_of(files: tuple[Path, ...]) -> Fingerprint:
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
