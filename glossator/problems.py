"""Problems found in content: collected across a run, reported together."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Where:
    """A place in a content file: 1-based line and column."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem(Exception):
    """One thing wrong with the content, at one place."""

    where: Where
    message: str

    def __str__(self) -> str:
        # One problem, one line, whatever the content quoted: no line breaks, no terminal escapes.
        return f"{self.where}: error: {self.message}".translate(_ESCAPES)


_ESCAPES = {code: repr(chr(code))[1:-1] for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)}


def summary(problems: list[Problem]) -> str:
    """Say in one line how many problems there were."""
    files = len({p.where.file for p in problems})
    noun = "error" if len(problems) == 1 else "errors"
    where = "file" if files == 1 else "files"
    return f"{len(problems)} {noun} in {files} {where}"
