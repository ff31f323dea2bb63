"""Each article's work kept from one build for the next: a build with nothing changed reads it back instead of
taking the article through the stages again.

An article is kept once its own files are made, cut to its summary (outputs/article_files.py): its page and other
files, its front matter, metadata and anchors. It is used again only when every byte it was made from is the same:
the article and its sidecar (read before the stages read them), its received text and pictures, the layouts, the
settings and Glossator's own files, with the same Python, markdown-it-py, Jinja and PyYAML. One file per article
under the user's cache folder (`$XDG_CACHE_HOME/glossator/articles`, beside the compiled layouts), replaced when the
article changes, so the folder holds one file per article path ever built (none is removed when an article goes).
Deleting it costs one slower build.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
import jinja2
import markdown_it
import markupsafe
import yaml

from .load.content import sidecar_of
from .load.files import MAX_FILE_BYTES, parse_text
from .model import ArticleWork, LayoutFile, Site
from .render.compiled_layouts import cache_file
from .write import save_kept_article

_FORMAT = 1


@dataclass(frozen=True)
class _Entry:
    """What one article's file in the cache holds."""

    key: str  # its own files and the look, as `ArticleCache.key_of` digests them
    needs: tuple[tuple[str, str], ...]  # each other file it was made from, with the digest of it as it was read
    work: ArticleWork


@dataclass(frozen=True)
class ArticleCache:
    """The articles kept by earlier builds, for this one to read back and add to."""

    folder: Path | None  # None: nothing is kept (no home folder)
    look_digest: str  # of everything besides its own files that an article's work depends on

    def key_of(self, path: Path) -> str:
        """Digest the article's file and its sidecar, as they are now, with the look."""
        digest = hashlib.sha256(self.look_digest.encode("utf-8"))
        for part in (path, sidecar_of(path)):
            digest.update(file_digest(part).encode("utf-8", "surrogateescape") + b"\0")
        return digest.hexdigest()

    def kept(self, path: Path, key: str) -> ArticleWork | None:
        """Return the article's work kept by an earlier build, if it was made from the same bytes; else None."""
        entry = self._read(path)
        if entry is None or entry.key != key:
            return None
        if any(file_digest(Path(need), digest.split("\0")[-2]) != digest for need, digest in entry.needs):
            return None
        return entry.work

    def keep(self, path: Path, key: str, work: ArticleWork, needs: tuple[tuple[str, str], ...]) -> None:
        """Keep a work made anew for the next build, at once: it is not held until the build ends. `key` is the
        article's as it was before the stages read it, `needs` the other files as the stages read them. An article
        is kept whatever becomes of the build; it is read back only for the same bytes."""
        if self.folder is None or key != self.key_of(path):  # changed while it was being made: made again next time
            return
        entry = _Entry(key, needs, work)
        save_kept_article(entry_file(self.folder, path), pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))

    def _read(self, path: Path) -> _Entry | None:
        if self.folder is None:
            return None
        file = entry_file(self.folder, path)
        if not (_the_users_alone(self.folder) and _the_users_alone(file)):
            return None  # read back as Python objects: only what the user alone could have written
        try:
            entry = pickle.loads(file.read_bytes())
        except Exception:  # none kept, or damaged, or from another Glossator: made again and kept anew
            return None
        return entry if isinstance(entry, _Entry) else None


def _the_users_alone(path: Path) -> bool:
    try:
        status = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_digest(path: Path, data: bytes | str) -> str:
    """Digest a file as the stages read it: its bytes, or its text once decoded (a byte order mark dropped, line ends
    normalised), with where it leads; `file_digest` gives the same for the file as it is now."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    kind = "text" if isinstance(data, str) else "bytes"
    return f"{_leads_to(path)}\0{kind}\0{hashlib.sha256(raw).hexdigest()}"


def file_digest(path: Path, kind: str | None = None) -> str:
    """Digest a file as it is now: where it leads, and its bytes (or its text, for a digest `read_digest` made of a
    text); a missing file, a dangling link or something not a file as such. Never waits on a named pipe."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as error:
        return f"{_leads_to(path)}\0unreadable {type(error).__name__} {getattr(error, 'errno', '')}"
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            return f"{_leads_to(path)}\0not a file {stat.S_IFMT(mode)}"
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            return f"{_leads_to(path)}\0unreadable {type(error).__name__} {error.errno}"
    if kind == "text":
        text, _ = parse_text(data, str(path))
        return read_digest(path, text) if text is not None else f"{_leads_to(path)}\0not UTF-8"
    return read_digest(path, data)


def _leads_to(path: Path) -> str:
    """Say where a path leads: the file itself, or a link and its target, in the folder it is in, as it resolves."""
    try:
        is_link = os.path.islink(path)
        target = os.path.realpath(path) if is_link else os.path.join(_resolved(os.path.dirname(path)), path.name)
    except (OSError, ValueError):
        is_link, target = False, "?"
    return f"{path}\0{is_link}\0{target}"


@functools.lru_cache(maxsize=256)
def _resolved(folder: str) -> str:
    # An article's files are in one folder or a few: resolved once each, not once for each file in them; forgotten
    # at each build's start (open_cache).
    return os.path.realpath(folder)


def open_cache(layouts: Path | None, templates: dict[str, LayoutFile], site: Site, theme: Path) -> ArticleCache:
    """Return the cache of articles built with these layouts and settings."""
    _resolved.cache_clear()
    look = hashlib.sha256()
    for part in (_FORMAT, _versions(), str(Path.cwd()), str(layouts or theme), repr(site),
                 *(f"{name}\0{file.path}\0{file.text}" for name, file in sorted(templates.items()))):
        look.update(str(part).encode("utf-8", "surrogateescape") + b"\0")
    try:
        folder: Path | None = cache_file(theme).parent / "articles"
    except RuntimeError:  # no home folder to keep them in
        folder = None
    return ArticleCache(folder, look.hexdigest())


def entry_file(folder: Path, path: Path) -> Path:
    """Return where one article's work is kept: a name from its path, so a changed article replaces its file."""
    return folder / (hashlib.sha256(os.fsencode(path.absolute())).hexdigest()[:24] + ".pickle")


def _versions() -> str:
    # MarkupSafe and pyahocorasick give no version without importlib.metadata's look through the installed
    # packages: their files' sizes and times tell an upgrade as well.
    installed = [os.stat(module.__file__ or "") for module in (markupsafe, ahocorasick)]
    return repr((_code_digest(), sys.version, markdown_it.__version__, jinja2.__version__, yaml.__version__,
                 [(status.st_size, status.st_mtime_ns) for status in installed]))


@functools.cache
def _code_digest() -> str:
    """Digest Glossator's own files: stricter than its version number, which a checkout being worked on keeps."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for file in sorted(package.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
            digest.update(file.relative_to(package).as_posix().encode("utf-8") + b"\0" + file.read_bytes())
    return digest.hexdigest()
