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
import importlib.util
import os
import pickle
import stat
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .load.content import sidecar_of
from .load.files import MAX_FILE_BYTES, parse_text
from .model import ArticleWork, KeptFile, LayoutFile, Site, Staged
from .render.compiled_layouts import cache_file
from .write import save_kept_article

_FORMAT = 2


# A file's times move in steps (a second or two on some file systems): a file changed within one step of being looked
# at may keep the times it was looked at with, so its digest is not trusted by them (as git treats a racy index).
_TIME_STEP_NS = 2_000_000_000

Identity = tuple[int, int, int, int, int]  # device, inode, size, times of last change of the bytes and of the file


@dataclass(frozen=True)
class OwnFiles:
    """An article's file and its sidecar as a build looked at them before the stages read them."""

    key: str  # their digests with the look: what an article is kept under
    files: tuple[tuple[Identity | None, str], ...]  # each file's identity (None: not a plain file), and its digest
    looked: int  # time.time_ns() before they were looked at
    read: bool = True  # whether a file was read: an earlier look could not vouch for it


@dataclass(frozen=True)
class _Entry:
    """What one article's file in the cache holds."""

    own: OwnFiles
    needs: tuple[tuple[str, str], ...]  # each other file it was made from, with the digest of it as it was read
    work: ArticleWork  # its summary, without its own files
    files: tuple[KeptFile, ...]  # its own files, whose bytes are in the site the build placed


@dataclass(frozen=True)
class ArticleCache:
    """The articles kept by earlier builds, for this one to read back and add to."""

    folder: Path | None  # None: nothing is kept (no home folder)
    look_digest: str  # of everything besides its own files that an article's work depends on

    def own_files(self, path: Path, earlier: OwnFiles | None = None) -> OwnFiles:
        """Digest the article's file and its sidecar, as they are now, with the look. A file as `earlier` found it
        (the same file, size and times, settled before it was looked at) is not read again: its digest is taken."""
        looked = time.time_ns()
        digest = hashlib.sha256(self.look_digest.encode("utf-8"))
        files, read = [], False
        for index, part in enumerate((path, sidecar_of(path))):
            identity = _identity(part)  # before reading: a change after it is seen by the next build
            own = _vouched(identity, earlier.files[index], earlier.looked) if earlier is not None else None
            if own is None:
                own, read = file_digest(part), True
            files.append((identity, own))
            digest.update(own.encode("utf-8", "surrogateescape") + b"\0")
        return OwnFiles(digest.hexdigest(), tuple(files), looked, read)

    def kept(self, path: Path) -> tuple[ArticleWork, tuple[KeptFile, ...]] | None:
        """Return the article's work kept by an earlier build, and its own files, if it was made from the same bytes
        as are there now; else None."""
        entry = self._read(path)
        if entry is None:
            return None
        own = self.own_files(path, entry.own)
        if own.key != entry.own.key:
            return None
        if any(file_digest(Path(need), digest.split("\0")[-2]) != digest for need, digest in entry.needs):
            return None
        if own.read:  # the same bytes, looked at anew: the next build need not read them again
            self._save(path, replace(entry, own=own))
        return entry.work, entry.files

    def keep(self, path: Path, own: OwnFiles, work: ArticleWork) -> None:
        """Keep a work made anew, whose files are staged, for the next build, at once: it is not held until the
        build ends. `own` is the article's as it was before the stages read it; the work's `needs_read` are the other
        files as the stages read them. An article is kept whatever becomes of the build; it is read back only for the
        same bytes, and only with the files this build places."""
        files = tuple(KeptFile(file.name, file.what, file.article, file.data.size, file.data.crc, file.data.digest)
                      for file in work.files_made if isinstance(file.data, Staged))
        if self.folder is None or len(files) != len(work.files_made) or own.key != self.own_files(path).key:
            return  # a file not staged, or the article changed while it was being made: made again next time
        self._save(path, _Entry(own, work.needs_read, replace(work, files_made=(), needs_read=()), files))

    def _save(self, path: Path, entry: _Entry) -> None:
        if self.folder is not None:
            kept = pickle.dumps((_FORMAT, entry), protocol=pickle.HIGHEST_PROTOCOL)
            save_kept_article(entry_file(self.folder, path), kept)

    def _read(self, path: Path) -> _Entry | None:
        if self.folder is None:
            return None
        file = entry_file(self.folder, path)
        if not (_the_users_alone(self.folder) and _the_users_alone(file)):
            return None  # read back as Python objects: only what the user alone could have written
        try:
            kept = pickle.loads(file.read_bytes())
        except Exception:  # none kept, or damaged, or from another Glossator: made again and kept anew
            return None
        # An entry of another format may unpickle into these classes, without the fields they have now.
        if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == _FORMAT and isinstance(kept[1], _Entry)):
            return None
        return kept[1]


def _vouched(identity: Identity | None, earlier: tuple[Identity | None, str], looked: int) -> str | None:
    """Return the digest an earlier look found for a file, if the file is as it found it then and had settled."""
    if identity is None or identity != earlier[0] or identity[4] >= looked - _TIME_STEP_NS:
        return None
    return earlier[1]


def _identity(path: Path) -> Identity | None:
    try:
        status = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns


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


# The libraries a page depends on. Each is told by its main file's size and time, as installed: an upgrade or a
# reinstall writes it anew. Found, not imported, and not looked up in importlib.metadata, which reads every
# installed package's records: a build with nothing changed would import the parser and the schemas for nothing.
_LIBRARIES = ("markdown_it", "jinja2", "markupsafe", "yaml", "ahocorasick")


def _versions() -> str:
    installed = []
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        status = os.stat(spec.origin) if spec is not None and spec.origin else None
        installed.append((name, status.st_size, status.st_mtime_ns) if status else (name, None, None))
    return repr((_code_digest(), sys.version, installed))


@functools.cache
def _code_digest() -> str:
    """Digest Glossator's own files: stricter than its version number, which a checkout being worked on keeps."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for file in sorted(package.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
            digest.update(file.relative_to(package).as_posix().encode("utf-8") + b"\0" + file.read_bytes())
    return digest.hexdigest()
