"""Stage 5, write: put the built files in place all at once, or not at all."""

from __future__ import annotations

import ctypes
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .problems import Problem, Where
from .render.compiled_layouts import cache_file

# What a build writes (pages, received texts, the offline ZIP, feed and sitemap; never a folder), and what a file
# manager leaves behind: an old site holds nothing else. A folder that does is not a site, or holds a file put there
# by hand, and swapping the new site in would delete it.
_SITE_FILE = re.compile(r"\w[\w.-]*\.(?:html|source\.txt|annotations\.jsonld|epub)|offline\.zip|feed\.xml|sitemap\.xml")
_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def write(files: Mapping[str, bytes], out: Path, *, inputs: Iterable[Path] = ()) -> list[Problem]:
    """Replace the folder `out` with exactly `files`, swapping in a complete new folder.

    `inputs` are the folders and files the site is built from: `out` may neither be nor hold nor lie inside one."""
    out = out.absolute()
    refusal = replace_refusal(out, inputs)
    if refusal:
        return [Problem(Where(str(out)), refusal)]
    unsafe = [name for name in files if not _is_plain_name(name)]
    if unsafe:
        return [Problem(Where(str(out)), f"refusing to write '{unsafe[0]}' outside the site folder")]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as error:
        return [Problem(Where(str(out)), f"cannot write the site: {error.strerror or error}")]
    try:
        for name, data in sorted(files.items()):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        staging.chmod(0o755)
        with _lock(out):
            _swap(staging, out)
    except OSError as error:
        message = f"cannot write the site: {error.strerror or error}; the previous site is unchanged"
        return [Problem(Where(str(out)), message)]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return []


def replace_refusal(out: Path, inputs: Iterable[Path]) -> str | None:
    """Say why a site must not replace `out`, or None when it may: a build replaces the whole folder."""
    overlap = _overlap(out, inputs)
    if overlap:
        return f"refusing to build into {out}: it {overlap}, which the site is built from; choose another --out"
    if out.is_symlink():
        return f"refusing to replace {out}: it is a symbolic link, which a build would replace; choose another --out"
    if os.path.lexists(out) and not out.is_dir():
        return f"refusing to replace {out}: it is a file, not a folder; choose another --out"
    strangers = sorted(entry.name for entry in out.iterdir() if not _is_site_file(entry)) if out.is_dir() else []
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


def _is_site_file(entry: Path) -> bool:
    if entry.name in _LITTER:
        return True
    return entry.is_file() and not entry.is_symlink() and _SITE_FILE.fullmatch(entry.name) is not None


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


def replace_file(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write one file atomically: a reader sees the old bytes or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(temp, mode)
    os.replace(temp, path)
