"""Problems found in content: collected across a run, reported together."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

# What content text may not hold, in an article, a sidecar or a received text: control characters but tab, line
# feed, carriage return and U+0085 (YAML's next line), lone surrogates, and the noncharacters U+FFFE and U+FFFF.
# None has a place on a page; a terminal would act on ESC, and feed.xml is not XML with U+FFFE in it.
REFUSED_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# A received text is never put on a page, only copied and compared word by word: the page breaks (form feeds) and
# vertical tabs of text taken from a PDF are spaces to it, and it may keep them as they were received.
REFUSED_IN_RECEIVED_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, order=True)
class Where:
    """A place in a content file: 1-based line and column."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, at one place."""

    where: Where
    message: str

    def __str__(self) -> str:
        # One problem, one line, whatever the content quoted or a file's name holds.
        return f"{self.where}: error: {self.message}".translate(_ESCAPES)

    @property
    def shown_message(self) -> str:
        """The message as it is shown: one line, without the line breaks or terminal escapes content may hold."""
        return self.message.translate(_ESCAPES)


_ESCAPES = {code: repr(chr(code))[1:-1] for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)}


def shorten(text: str, limit: int = 60) -> str:
    """Return text cut to `limit` characters for a message, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary(problems: list[Problem]) -> str:
    """Say in one line how many problems there were."""
    files = len({p.where.file for p in problems})
    noun = "error" if len(problems) == 1 else "errors"
    where = "file" if files == 1 else "files"
    return f"{len(problems)} {noun} in {files} {where}"


def refused_character(character: str) -> str:
    """Name a character of REFUSED_CHARACTERS for a message: 'the control character U+001B'."""
    code = ord(character)
    kind = "noncharacter" if code >= 0xFFFE else "lone surrogate" if 0xD800 <= code <= 0xDFFF else "control character"
    return f"the {kind} U+{code:04X}"


def report(problems: Sequence[Problem]) -> None:
    """Print every problem, file by file and line by line, then a one-line summary, on stderr."""
    for problem in sorted(problems, key=lambda problem: problem.where):
        print(problem, file=sys.stderr)
    print(summary(list(problems)), file=sys.stderr)
