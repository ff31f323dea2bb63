"""Layouts compiled by one build are kept for the next, and never used once they could be out of date."""

from __future__ import annotations

import marshal
import shutil
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from glossator import build, check
from glossator.load.layouts import load_layouts
from glossator.render.compiled_layouts import cache_file, environment_fingerprint
from glossator.render.look import make_environment

from .conftest import ARTICLE, LAYOUTS, Run, tree


@pytest.fixture
def layouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the layouts, with a cache folder of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return Path(shutil.copytree(LAYOUTS, tmp_path / "layouts"))


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def compile_(*args: object, **kwargs: object) -> None:
        raise AssertionError("a layout was compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", compile_)


def test_a_second_build_compiles_no_layout_and_writes_the_same_site(
        content: Callable[..., Path], layouts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = content()
    first = build(folder, layouts, tmp_path / "site")
    assert first.problems == []
    assert cache_file(layouts).is_file()
    written = tree(tmp_path / "site")
    _no_compiling(monkeypatch)
    second = build(folder, layouts, tmp_path / "site", keep=False)  # every page rendered again, with kept code
    assert second.problems == []
    assert tree(tmp_path / "site") == written


def test_an_edited_layout_shows_in_the_next_build(content: Callable[..., Path], layouts: Path, tmp_path: Path) -> None:
    folder = content()
    build(folder, layouts, tmp_path / "site")
    article = layouts / "article.html"
    article.write_text(article.read_text("utf-8").replace("</article>", "<p>An edited layout</p></article>"), "utf-8")
    assert build(folder, layouts, tmp_path / "site").problems == []
    assert "An edited layout" in (tmp_path / "site" / "small.html").read_text("utf-8")


def test_an_error_in_a_kept_layout_names_it_as_this_build_names_the_folder(
        content: Callable[..., Path], layouts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Kept from a build that named the folder by its full path, used by one that names it relative to here.
    article = layouts / "article.html"
    lines = article.read_text("utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines) if "<h1>" in text) + 2
    lines.insert(line - 1, '{% if meta.title == "Boom" %}{{ 1 // 0 }}{% endif %}\n')
    article.write_text("".join(lines), "utf-8")
    assert build(content(), layouts, tmp_path / "site").problems == []
    content({"small.md": ARTICLE.replace("A small article", "Boom")})
    monkeypatch.chdir(tmp_path)
    _no_compiling(monkeypatch)
    result = check(Path("content"), Path("layouts"))
    assert [str(problem) for problem in result.problems] == [
        f"layouts/article.html:{line}:1: error: layout error: integer division or modulo by zero"
        " (while rendering small.html)"]


def _fingerprint(layouts: Path) -> str:
    return environment_fingerprint(make_environment(load_layouts(layouts)[0]))


@pytest.mark.parametrize("kept", [
    b"not a cache at all",
    marshal.dumps(("another version of Jinja or of the settings", {"article.html": b"its code"})),
    None,  # the same settings, a damaged entry: made below
], ids=["damaged file", "other settings", "damaged entry"])
def test_kept_layouts_that_cannot_be_trusted_are_compiled_again(
        kept: bytes | None, content: Callable[..., Path], layouts: Path, tmp_path: Path) -> None:
    folder = content()
    fresh = check(folder, layouts)
    path = cache_file(layouts)
    path.parent.mkdir(parents=True)
    path.write_bytes(kept or marshal.dumps((_fingerprint(layouts), {"article.html": b"j2 damaged"})))
    result = build(folder, layouts, tmp_path / "site")
    assert result.problems == []
    assert tree(tmp_path / "site") == fresh.files


def test_a_cache_folder_that_cannot_be_written_costs_nothing_but_time(
        content: Callable[..., Path], layouts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    result = build(content(), layouts, tmp_path / "site")
    assert result.problems == []
    assert (tmp_path / "site" / "small.html").is_file()


def test_check_keeps_nothing(content: Callable[..., Path], layouts: Path, glossator: Callable[..., Run]) -> None:
    assert glossator("check", "--content", content(), "--layouts", layouts).code == 0
    assert not cache_file(layouts).exists()
