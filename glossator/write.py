"""Stage 5, write: put the built files in place all at once, or not at all."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from io import BufferedReader
from pathlib import Path, PurePosixPath

from .model import Archive, FileData, KeptFile, SiteFile, Staged, size_of
from .outputs.offline import archive_chunks
from .problems import Problem, Where
from .render.compiled_layouts import cache_file

# Every build lists the files it wrote in this file, beside them: the next build may replace exactly those. A folder
# that holds anything else is not a site, or holds a file put there by hand, and swapping the new site in would
# delete it.
MANIFEST = ".glossator-site.json"
# A site built before there were manifests holds only files of these names (pages, received texts, the offline
# ZIP, feed and sitemap; no folder): such a folder may be replaced once, and has a manifest from then on.
_UNLISTED_SITE_FILE = re.compile(r"\w[\w.-]*\.(?:html|source\.txt)|offline\.zip|feed\.xml|sitemap\.xml")
_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})  # what file managers leave in any folder


def write(files: Mapping[str, FileData], out: Path, *, inputs: Iterable[Path] = ()) -> list[Problem]:
    """Replace the folder `out` with exactly `files`, swapping in a complete new folder.

    `inputs` are the folders and files the site is built from: `out` may neither be nor hold nor lie inside one."""
    staging, problems = open_staging(out, inputs)
    if staging is None:
        return problems
    try:
        return staging.commit(files)
    finally:
        staging.discard()


class Staging:
    """A new site being written beside `out`, file by file, and swapped in whole once every file is there."""

    def __init__(self, out: Path, folder: Path, placed: dict[str, Placed] | None = None) -> None:
        self.out, self.folder = out, folder
        self.placed = placed or {}  # the files the last build placed in `out`, as it left them
        self.record: PlacedSite | None = None  # what this build placed, once it is swapped in

    def stage(self, file: SiteFile) -> SiteFile:
        """Write one file now; return it as staged, its bytes no longer held. A name it may not take is kept in
        memory, for `commit` to refuse. Worker processes stage the files of their articles: nothing is recorded here."""
        if not isinstance(file.data, bytes) or not _is_plain_name(file.name):
            return file
        digest = file.digest or hashlib.sha256(file.data).hexdigest()
        try:
            self._put(file.name, file.data, digest)
        except OSError:
            return file  # kept in memory: `commit` meets the same error, and says it as a problem
        return replace(file, data=Staged(self.folder / file.name, len(file.data), zlib.crc32(file.data), digest))

    def commit(self, files: Mapping[str, FileData]) -> list[Problem]:
        """Write the files not staged yet and the manifest, then swap the new site in; or say why not."""
        unsafe = [name for name in files if not _is_plain_name(name)]
        if unsafe:
            return [Problem(Where(str(self.out)), f"refusing to write '{unsafe[0]}' outside the site folder")]
        digests = {}
        try:
            for name, data in sorted(with_manifest(files).items()):
                if isinstance(data, Staged):  # in place already
                    digests[name] = data.digest
                elif isinstance(data, Archive):
                    digests[name] = archive_digest(data)
                    self._put(name, data, digests[name])
                else:
                    self._put(name, data)
            self.folder.chmod(0o755)
            # Taken in the new folder before it is swapped in (a rename keeps every file, and the folder, as it is):
            # after the swap another build may already have swapped its own site in.
            record = _placed_site(self.folder, digests)
            with _lock(self.out):
                _swap(self.folder, self.out)
        except OSError as error:
            message = f"cannot write the site: {error.strerror or error}; the previous site is unchanged"
            return [Problem(Where(str(self.out)), message)]
        self.record = record
        return []

    def link_kept(self, files: Iterable[KeptFile]) -> tuple[SiteFile, ...] | None:
        """Put in the new site the old site's files of an article kept by an earlier build, when each holds the bytes
        it was kept with; else None, with none of them put in: the article is made anew."""
        staged: list[SiteFile] = []
        for kept in files:
            path, holding = self.folder / kept.name, functools.partial(_hashing_to, kept=kept)
            if not _is_plain_name(kept.name) or not self._link_old(kept.name, kept.digest, holding):
                for file in staged:
                    with suppress(OSError):
                        os.unlink(self.folder / file.name)
                return None
            staged.append(SiteFile(kept.name, Staged(path, kept.size, kept.crc, kept.digest), kept.what, kept.article,
                                   kept.digest))
        return tuple(staged)

    def _put(self, name: str, data: bytes | Archive, digest: str | None = None) -> None:
        """Write a file into the new site, or link the old site's file of that name when it holds these bytes: a
        rebuild with little changed then writes little."""
        if self._link_old(name, digest, lambda old: _holding(old, data)):
            return
        path = self.folder / name
        if isinstance(data, bytes):
            path.write_bytes(data)
            return
        with open(path, "wb") as handle:
            handle.writelines(archive_chunks(data))

    def _link_old(self, name: str, digest: str | None, holding: Callable[[Path], tuple[int, int] | None]) -> bool:
        """Link the old site's file of that name into the new site if it holds the bytes of this `digest`. They are
        known the same without reading the old file when the last build placed it with this digest and it is as that
        build left it (same file, size and time of change); else `holding` reads it (device and inode, or None),
        which costs less than writing the file again."""
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        old = self.out / name
        placed = self.placed.get(name) if digest is not None else None
        if placed is not None and placed.digest == digest and _identity_of(old) == placed.identity:
            same: tuple[int, int] | None = placed.identity[:2]
        else:
            same = holding(old)
        return same is not None and _linked(old, path, same)

    def discard(self) -> None:
        """Remove what is left in the staging folder: the old site after a swap, or the new one after a failure."""
        shutil.rmtree(self.folder, ignore_errors=True)


def open_staging(out: Path, inputs: Iterable[Path] = (), *, trust_placed: bool = False,
                 ) -> tuple[Staging | None, list[Problem]]:
    """Start writing a new site for `out`, or say why `out` must not be replaced; with `trust_placed`, a file the
    last build placed and left as it was is linked without being read (`read_placed`)."""
    out = out.absolute()
    refusal = replace_refusal(out, inputs)
    if refusal:
        return None, [Problem(Where(str(out)), refusal)]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        return Staging(out, folder, read_placed(out) if trust_placed and out.is_dir() else {}), []
    except OSError as error:
        return None, [Problem(Where(str(out)), f"cannot write the site: {error.strerror or error}")]


@dataclass(frozen=True)
class Placed:
    """A file a build placed in the site: which file it is, as its folder's file system tells, and its bytes' digest."""

    identity: tuple[int, int, int, int]  # device, inode, size, time of last change in ns
    digest: str


def archive_digest(archive: Archive) -> str:
    """Digest what decides the offline ZIP's bytes: each entry's name and the digest of its bytes, in order."""
    digest = hashlib.sha256()
    for name, data, _ in archive.entries:
        own = data.digest if isinstance(data, Staged) else hashlib.sha256(data).hexdigest()
        digest.update(f"{name}\0{own}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


@dataclass(frozen=True)
class PlacedSite:
    """What a build placed: its site folder (device and inode), when it looked, and each file it placed."""

    folder: tuple[int, int]
    looked: int  # time.time_ns() before the files were looked at
    files: Mapping[str, Placed]


def _placed_site(folder: Path, digests: Mapping[str, str]) -> PlacedSite:
    looked = time.time_ns()
    placed = {}
    for name, digest in digests.items():
        with suppress(OSError):
            placed[name] = Placed(_identity(os.stat(folder / name, follow_symlinks=False)), digest)
    status = os.stat(folder)
    return PlacedSite((status.st_dev, status.st_ino), looked, placed)


# A file's time of change moves in steps (the kernel's clock tick; a second or two on some file systems): a file
# changed again within one step of being written keeps its time. Such a file, written shortly before its build looked
# at it, is not trusted: it is compared again, as git compares a file changed in the second its index was written.
_TIMESTAMP_STEP_NS = 2_000_000_000


def placed_file(out: Path) -> Path:
    """Return where what a build placed in `out` is kept for the next build (beside the compiled layouts)."""
    return cache_file(out).parent / "sites" / (hashlib.sha256(os.fsencode(out.absolute())).hexdigest()[:24] + ".json")


def read_placed(out: Path) -> dict[str, Placed]:
    """Read what the last build placed in `out`: nothing when it was not kept, cannot be read, or `out` is no
    longer the folder that build swapped in (another build's came after it)."""
    try:
        kept = json.loads(placed_file(out).read_text("utf-8"))
        status = os.stat(out)
        if kept.get("out") != str(out.absolute()) or kept.get("folder") != [status.st_dev, status.st_ino]:
            return {}
        settled = int(kept["looked"]) - _TIMESTAMP_STEP_NS
        return {name: Placed((int(a), int(b), int(c), int(d)), str(digest))
                for name, (a, b, c, d, digest) in kept["files"].items() if int(d) < settled}
    except (OSError, RuntimeError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def save_placed(out: Path, record: PlacedSite) -> None:
    """Keep what a build placed in `out`; what cannot be written costs the next build only time."""
    listed = {name: [*placed.identity, placed.digest] for name, placed in sorted(record.files.items())}
    try:
        path = placed_file(out)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        kept = {"out": str(out.absolute()), "folder": list(record.folder), "looked": record.looked, "files": listed}
        replace_file(path, json.dumps(kept).encode("utf-8"), mode=0o600)
    except (OSError, RuntimeError):
        pass


def _identity_of(path: Path) -> tuple[int, int, int, int] | None:
    try:
        return _identity(os.stat(path, follow_symlinks=False))
    except OSError:
        return None


def _linked(old: Path, path: Path, inode: tuple[int, int]) -> bool:
    """Link `old` at `path` if it is still the file (device, inode) that was found to hold the bytes."""
    try:
        os.link(old, path)
        linked = os.stat(path)
        if (linked.st_dev, linked.st_ino) == inode:
            return True
        path.unlink()  # another build swapped its site in between: not the file looked at
    except OSError:
        pass  # another file system, or links refused: written, as any other
    return False


def _identity(status: os.stat_result) -> tuple[int, int, int, int]:
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


def _holding(path: Path, data: bytes | Archive) -> tuple[int, int] | None:
    """Return the device and inode of `path` if it is a regular file of exactly these bytes, else None."""
    chunks = [data] if isinstance(data, bytes) else archive_chunks(data)
    return _file_where(path, size_of(data),
                       lambda handle: all(handle.read(len(chunk)) == chunk for chunk in chunks) and not handle.read(1))


def _hashing_to(path: Path, kept: KeptFile) -> tuple[int, int] | None:
    """Return the device and inode of `path` if it is a regular file of a kept file's size and SHA-256, else None."""
    return _file_where(path, kept.size, lambda handle: hashlib.file_digest(handle, "sha256").hexdigest() == kept.digest)


def _file_where(path: Path, size: int, holds: Callable[[BufferedReader], bool]) -> tuple[int, int] | None:
    """Return the device and inode of `path` if it is a regular file (not a link) of `size` bytes that `holds`."""
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode) or status.st_size != size or os.path.islink(path):
                return None
            same = holds(handle)
    except OSError:
        return None
    return (status.st_dev, status.st_ino) if same else None


def replace_refusal(out: Path, inputs: Iterable[Path]) -> str | None:
    """Say why a site must not replace `out`, or None when it may: a build replaces the whole folder."""
    overlap = _overlap(out, inputs)
    if overlap:
        return f"refusing to build into {out}: it {overlap}, which the site is built from; choose another --out"
    if out.is_symlink():
        return f"refusing to replace {out}: it is a symbolic link, which a build would replace; choose another --out"
    if os.path.lexists(out) and not out.is_dir():
        return f"refusing to replace {out}: it is a file, not a folder; choose another --out"
    strangers = _strangers(out) if out.is_dir() else []
    if strangers:
        more = f" and {len(strangers) - 1} more" if len(strangers) > 1 else ""
        return (f"refusing to replace {out}: it holds '{strangers[0]}'{more}, which a build does not write, and a build"
                " replaces the whole folder; move it elsewhere, or choose another --out")
    return None


def _overlap(out: Path, inputs: Iterable[Path]) -> str | None:
    target = out.resolve()
    for given in inputs:
        source = given.resolve()
        if target == source:
            return f"is '{given}'"
        if source in target.parents:
            return f"is inside '{given}'"
        if target in source.parents:
            return f"holds '{given}'"
    return None


def with_manifest(files: Mapping[str, FileData]) -> dict[str, FileData]:
    """Return the site's files and the manifest that lists them, for the next build to know what it may replace."""
    return {**files, MANIFEST: manifest_of(files)}


def manifest_of(names: Iterable[str]) -> bytes:
    """Return the manifest of a site of these files."""
    listed = json.dumps({"written by": "glossator", "files": sorted(name for name in names if name != MANIFEST)},
                        indent=1, ensure_ascii=False)
    return (listed + "\n").encode("utf-8")


def _strangers(out: Path) -> list[str]:
    """Name what `out` holds that no build wrote, by its path from `out`: files, folders, links."""
    written = _manifest(out)
    if written is None:
        return sorted(entry.name for entry in out.iterdir() if entry.name not in _LITTER
                      and not (_UNLISTED_SITE_FILE.fullmatch(entry.name) and _is_regular(entry)))
    folders = {parent.as_posix() for name in written for parent in PurePosixPath(name).parents}
    strangers: list[str] = []
    _look_through(str(out), "", written, folders, strangers)
    return sorted(strangers)


def _look_through(folder: str, prefix: str, written: frozenset[str], folders: set[str], strangers: list[str]) -> None:
    """Add to `strangers` what a folder of the site holds that no build wrote, and look through its subfolders."""
    with os.scandir(folder) as entries:  # the kind of each entry without a look-up of each: a site has hundreds
        for entry in entries:
            path = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if path in folders:
                    _look_through(entry.path, path + "/", written, folders, strangers)
                else:
                    strangers.append(path)
            elif entry.name not in _LITTER and entry.name != MANIFEST \
                    and not (path in written and entry.is_file(follow_symlinks=False)):
                strangers.append(path)


def _manifest(out: Path) -> frozenset[str] | None:
    """Read the names the build that wrote `out` listed; None when it has no manifest, or one no build wrote."""
    try:
        listed = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    files = listed.get("files") if isinstance(listed, dict) else None
    if not isinstance(files, list) or not all(isinstance(name, str) and _is_plain_name(name) for name in files):
        return None
    return frozenset(PurePosixPath(name).as_posix() for name in files)


def _is_regular(entry: Path) -> bool:
    return entry.is_file() and not entry.is_symlink()


def _is_plain_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _swap(staging: Path, out: Path) -> None:
    """Put staging where out is; afterwards staging holds the old site, if any, for removal."""
    if not os.path.lexists(out):
        staging.rename(out)
    elif not _exchange(staging, out):
        # Two renames leave a moment without a site; only where the one-step swap is missing.
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        out.replace(old)
        staging.rename(out)
        old.replace(staging)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2), so a server never finds the site missing."""
    import ctypes  # here: only a build that replaces a site needs it

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    return bool(result == 0)


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Serialise swaps, so two builds started at once leave one whole site."""
    with open(out.with_name(f".{out.name}.lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save_compiled_layouts(layouts: Path, data: bytes) -> None:
    """Keep the compiled layouts for the next build; a cache that cannot be written costs only time."""
    try:
        path = cache_file(layouts)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # code is run from it: the user's alone
        replace_file(path, data, mode=0o600)
    except (OSError, RuntimeError):
        pass


def save_kept_article(path: Path, data: bytes) -> None:
    """Keep one article's work for the next build (article_cache.py); what cannot be written costs only time."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # read back as Python objects: the user's alone
        replace_file(path, data, mode=0o600)
    except OSError:
        pass


def replace_file(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write one file atomically: a reader sees the old bytes or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
