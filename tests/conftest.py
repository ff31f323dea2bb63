"""Shared helpers: small content folders in tmp_path, and the command line run in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from glossator.cli import main
from glossator.write import MANIFEST

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = REPO / "glossator" / "theme"  # the default theme, as a layouts folder of its own

ARTICLE = """\
---
title: A small article
byline: Ann Author
date: 2024-05-01
---
The quick *brown fox* jumps over [the lazy dog](https://example.org).

- A list item with a *long passage* in it.

> A blockquote with a passage.
"""

SIDECAR = """\
annotations:
  - quote: brown fox jumps
    note: A note with **bold**.
  - quote: the lazy dog
    kind: correction
    original: the the lazy dog
    note: A doubled word removed.
  - quote: long passage
    note: In a list.
"""


@pytest.fixture(scope="session", autouse=True)
def cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the compiled layouts of the tests' builds (and of the builds they start) out of the user's cache."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


def tree(folder: Path, *, manifest: bool = False) -> dict[str, bytes]:
    """Every file under a folder by its path there; the manifest a build keeps of what it wrote only if asked."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and (manifest or p.name != MANIFEST)}


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def content(tmp_path: Path) -> Callable[..., Path]:
    """Write files into tmp_path/content and return that folder."""

    def make(files: dict[str, str | bytes] | None = None) -> Path:
        folder = tmp_path / "content"
        folder.mkdir(exist_ok=True)
        for name, data in (files if files is not None else {"small.md": ARTICLE, "small.annotations.yaml": SIDECAR}).items():
            path = folder / name
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return folder

    return make


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def errors(self) -> list[str]:
        return [line for line in self.err.splitlines() if ": error: " in line]


@pytest.fixture
def glossator(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run the command line in-process and capture what it prints."""

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
