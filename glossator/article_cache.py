"""Each article's work kept from one build for the next: a build with nothing changed reads it back instead of
taking the article through the stages again.

An article is kept once its own files are made, cut to its summary (outputs/article_files.py): its page and other
files, its front matter, metadata and anchors. It is used again only when every byte it was made from is the same:
the article and its sidecar (read before the stages read them), its received text and pictures, the layouts, the
settings and Glossator's own files, with the same Python, markdown-it-py, Jinja and PyYAML. One file per article
under the user's cache folder (`$XDG_CACHE_HOME/glossator/articles`, beside the compiled layouts), replaced when the
article changes, so the folder holds one file per article built. Deleting it costs one slower build.
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

import jinja2
import markdown_it
import yaml

from .load.content import sidecar_of
from .load.files import MAX_FILE_BYTES
from .model import ArticleWork, LayoutFile, Site
from .render.compiled_layouts import cache_file
from .write import save_kept_article

_FORMAT = 1


@dataclass(frozen=True)
class _Entry:
    """What one article's file in the cache holds."""

    key: str  # its own files and the look, as `ArticleCache.key_of` digests them
    needs: tuple[tuple[str, str], ...]  # each other file it was made from, with the digest of its bytes
    work: ArticleWork


@dataclass(frozen=True)
class ArticleCache:
    """The articles kept by earlier builds, for this one to read back and add to."""

    folder: Path | None  # None: nothing is kept (no home folder)
    look: str  # the digest of everything besides its own files that an article's work depends on

    def key_of(self, path: Path) -> str:
        """Digest the article's file and its sidecar, as they are before the stages read them, with the look."""
        digest = hashlib.sha256(self.look.encode("utf-8"))
        for part in (str(path), str(sidecar_of(path))):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(_file_digest(Path(part)).encode("ascii"))
        return digest.hexdigest()

    def kept(self, path: Path, key: str) -> ArticleWork | None:
        """Return the article's work kept by an earlier build, if it was made from the same bytes; else None."""
        entry = self._read(path)
        if entry is None or entry.key != key:
            return None
        if any(_file_digest(Path(need)) != digest for need, digest in entry.needs):
            return None
        return entry.work

    def keep(self, path: Path, key: str, work: ArticleWork) -> None:
        """Keep a work made anew for the next build, at once: it is not held until the build ends. An article is
        kept whatever becomes of the build; it is read back only for the same bytes."""
        if self.folder is None:
            return
        entry = _Entry(key, tuple((str(need), _file_digest(need)) for need in work.needs), work)
        save_kept_article(entry_file(self.folder, path), pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))

    def _read(self, path: Path) -> _Entry | None:
        if self.folder is None:
            return None
        try:
            entry = pickle.loads(entry_file(self.folder, path).read_bytes())
        except Exception:  # none kept, or damaged, or from another Glossator: made again and kept anew
            return None
        return entry if isinstance(entry, _Entry) else None


def open_cache(layouts: Path | None, templates: dict[str, LayoutFile], site: Site, theme: Path) -> ArticleCache:
    """Return the cache of articles built with these layouts and settings."""
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


def _file_digest(path: Path) -> str:
    """Digest a file's kind and bytes; never wait on a named pipe, as the loader does not."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as error:
        return f"unreadable {type(error).__name__} {getattr(error, 'errno', '')}"
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            return f"not a file {stat.S_IFMT(mode)}"
        try:
            return hashlib.sha256(handle.read(MAX_FILE_BYTES + 1)).hexdigest()
        except OSError as error:
            return f"unreadable {type(error).__name__} {error.errno}"


def _versions() -> str:
    return repr((_code_digest(), sys.version, markdown_it.__version__, jinja2.__version__, yaml.__version__))


@functools.cache
def _code_digest() -> str:
    """Digest Glossator's own files: stricter than its version number, which a checkout being worked on keeps."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for file in sorted(package.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
            digest.update(file.relative_to(package).as_posix().encode("utf-8") + b"\0" + file.read_bytes())
    return digest.hexdigest()
