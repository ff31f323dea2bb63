"""Reading content files: size, encoding and characters checked, and never a path outside the content folder."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..problems import REFUSED_CHARACTERS, Problem, Where, refused_character, shorten

MAX_FILE_BYTES = 10 * 1024 * 1024
# Files editors write beside the one being saved: vim's swap files and its '4913' write test,
# emacs's '#autosave#' and '.#lock', backups ending in '~', JetBrains' and others' temporary copies.


_LITTER_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".crswap", "___jb_tmp___", "___jb_old___")


def parse_text(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 content, dropping a byte order mark and normalising line ends."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"not valid UTF-8: byte 0x{data[error.start]:02x} at offset {error.start}; save the file as UTF-8"
        return None, [Problem(Where(file, line, col), message)]
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def refused_characters(text: str, file: str, first_line: int = 1, *,
                       refused: re.Pattern[str] = REFUSED_CHARACTERS) -> list[Problem]:
    """Refuse control characters and the like (see REFUSED_CHARACTERS) in Markdown or plain text, at the first."""
    found = refused.search(text)
    if found is None:
        return []
    at = found.start()
    line = first_line + text.count("\n", 0, at)
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    more = sum(1 for _ in refused.finditer(text, at + 1))
    others = f" (and {more} more in this file)" if more else ""
    return [Problem(Where(file, line, col), f"text holds {refused_character(found.group())}; remove it{others}")]


def read_file(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """Read a content file as text, refusing one over the size limit."""
    data, problems = read_bytes(path, file)
    if data is None:
        return None, problems
    if len(data) > MAX_FILE_BYTES:
        message = f"file is over the size limit of {MAX_FILE_BYTES:,} bytes (10 MiB); split it"
        return None, [Problem(Where(file), message)]
    return parse_text(data, file)


def read_bytes(path: Path, file: str) -> tuple[bytes | None, list[Problem]]:
    """Read a regular file's bytes, one past the size limit at most: a longer file is over it."""
    try:
        # Non-blocking: opening a named pipe would otherwise wait, and the build with it, for a writer.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None, [Problem(Where(file), "not a regular file; a content file must be a plain file")]
            data = handle.read(MAX_FILE_BYTES + 1)  # a file may grow after a size check: read no more
    except OSError as error:
        if path.is_symlink() and not path.exists():
            return None, [Problem(Where(file), f"a symbolic link to '{os.readlink(path)}', which does not exist")]
        return None, [Problem(Where(file), f"cannot read file: {error.strerror or error}")]
    return data, []


def is_litter(name: str) -> bool:
    """Tell whether a file name is an editor's lock, swap, backup or temporary file, or a hidden one."""
    return (name.startswith(".") or name == "4913" or name.endswith(_LITTER_SUFFIXES)
            or (name.startswith("#") and name.endswith("#")))


def visible(content: Path, pattern: str) -> list[Path]:
    return sorted(path for path in content.glob(pattern) if not is_litter(path.name))


def outside(content: Path, path: Path, where: Where, *, shown: str | None = None) -> list[Problem]:
    """Refuse a path that leads outside the content folder, directly or by a link."""
    shown = shown if shown is not None else path.name
    try:
        if path.resolve(strict=False).is_relative_to(content.resolve()):
            return []
    except (OSError, RuntimeError, ValueError) as error:  # a link loop, a name too long, a NUL byte
        reason = "a symbolic link that loops" if isinstance(error, RuntimeError) else "not a usable path"
        if isinstance(error, OSError) and error.strerror:
            reason = f"not a usable path: {error.strerror}"
        return [Problem(where, f"'{shorten(shown)}' is {reason}")]
    return [Problem(where, f"'{shorten(shown)}' leads outside the content folder; keep content files inside it")]


def display(content: Path, path: Path) -> str:
    return str(content / path.relative_to(content)) if path.is_relative_to(content) else str(path)
