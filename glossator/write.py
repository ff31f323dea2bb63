"""Stage 5, write: put the built files in place all at once, or not at all."""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .compiled_layouts import cache_file
from .problems import Problem, Where


def write(files: Mapping[str, bytes], out: Path) -> list[Problem]:
    """Replace the folder `out` with exactly `files`, swapping in a complete new folder."""
    out = out.absolute()
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
