"""`watch`: which paths matter and what they rebuild, and the watcher at work on a temporary site."""

from __future__ import annotations

import base64
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from glossator.dev.changes import Stale, detect_change, locate
from glossator.dev.watch import print_rebuild
from glossator.load.files import is_litter

from .conftest import ARTICLE, REPO, SIDECAR, Run
from .watching import DEADLINE, assert_ctrl_c_exits_cleanly, settle, watching

# (path relative to its root, root, what it rebuilds); None: an editor's litter, or nothing to do.
CHANGES: list[tuple[str, str, Stale | None]] = [
    ("small.md", "content", Stale("article", "small")),
    ("small.annotations.yaml", "content", Stale("article", "small")),
    ("small.source.txt", "content", Stale("source")),
    ("texts/received.txt", "content", Stale("source")),
    ("v1.2.md", "content", Stale("article", "v1.2")),
    ("notes/small.md", "content", Stale("source")),  # only top-level articles are pages
    ("plan.png", "content", Stale("source")),  # a picture an article may show
    ("pictures/plan.png", "content", Stale("source")),
    ("article.html", "layouts", Stale("layout")),
    ("partials/note.html", "layouts", Stale("layout")),
    ("glossator.yaml", "config", Stale("config")),
    (".small.md.swp", "content", None),  # vim's swap file
    (".small.md.swx", "content", None),
    ("4913", "content", None),  # vim checks it may write the folder
    ("small.md~", "content", None),  # a backup
    (".#small.md", "content", None),  # emacs's lock
    ("#small.md#", "content", None),  # emacs's autosave
    ("small.annotations.yaml.tmp", "content", None),  # a temporary copy, renamed over the file
    ("small.md___jb_tmp___", "content", None),
    (".git/index", "content", None),
    ("partials/.note.html.swp", "layouts", None),
    ("", "content", None),
]


@pytest.mark.parametrize(("path", "root", "expected"), CHANGES)
def test_detect_change(path: str, root: str, expected: Stale | None) -> None:
    assert detect_change(PurePosixPath(path), root) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["small.md", "small.annotations.yaml", "glossator.yaml", "notes.txt"])
def test_content_names_are_not_litter(name: str) -> None:
    assert not is_litter(name)


def test_locate_tells_which_folder_a_path_is_in(tmp_path: Path) -> None:
    content, own, config = tmp_path / "content", tmp_path / "layouts", tmp_path / "glossator.yaml"
    theme = tmp_path / "theme"
    layouts = (theme, own)
    assert locate(content / "a.md", content, layouts, config) == (PurePosixPath("a.md"), "content")
    assert locate(own / "p" / "n.html", content, layouts, config) == (PurePosixPath("p/n.html"), "layouts")
    assert locate(theme / "style.css", content, layouts, config) == (PurePosixPath("style.css"), "layouts")
    assert locate(config, content, layouts, config) == (PurePosixPath("glossator.yaml"), "config")
    assert locate(tmp_path / "site" / "index.html", content, layouts, config) is None
    assert locate(tmp_path / "other.yaml", content, layouts, config) is None


def test_editing_a_sidecar_changes_the_page(tmp_path: Path) -> None:
    with watching(tmp_path) as session:
        session.write("small.annotations.yaml", SIDECAR.replace("A note with", "An edited note with"))
        rebuilt = session.wait_for_rebuilds(2)
        assert rebuilt.changes == (Stale("article", "small"),)
        assert "small.html" in rebuilt.outcome.written
        assert "An edited note with" in session.page()


def test_broken_yaml_is_reported_the_page_kept_then_recovered(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    with watching(tmp_path, print_rebuild) as session:
        good = session.page()
        session.write("small.annotations.yaml", SIDECAR + "  - quote: [unclosed\n")
        assert not session.wait_for_rebuilds(2).outcome.ok
        assert session.page() == good
        errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
        assert errors[0].startswith(f"{session.content / 'small.annotations.yaml'}:10:21:")
        assert "invalid YAML" in errors[0]
        session.write("small.annotations.yaml", SIDECAR.replace("A note with", "A mended note with"))
        assert session.wait_for_rebuilds(3).outcome.ok
        assert "A mended note with" in session.page()


def test_editing_a_picture_changes_the_page_that_shows_it(tmp_path: Path) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="{size}" height="8"/></svg>\n'
    with watching(tmp_path) as session:
        session.write("plan.svg", svg.format(size=8))
        assert session.wait_for_rebuilds(2).changes == (Stale("source"),)
        session.write("small.md", ARTICLE + "\n![The plan](plan.svg)\n")
        assert session.wait_for_rebuilds(3).outcome.ok
        shown = base64.b64encode(svg.format(size=8).encode()).decode()
        assert f'<img src="data:image/svg+xml;base64,{shown}" alt="The plan" />' in session.page()
        session.write("plan.svg", svg.format(size=4))
        rebuilt = session.wait_for_rebuilds(4)
        assert rebuilt.changes == (Stale("source"),) and "small.html" in rebuilt.outcome.written
        assert base64.b64encode(svg.format(size=4).encode()).decode() in session.page()


@pytest.mark.parametrize(("name", "text", "fix"), [
    ("small.md", ARTICLE.replace("title: A small article\n", ""), ARTICLE),
    ("../layouts/article.html", "{% block broken %}", None),
    ("../layouts/article.html", "{{ 1 // 0 }}", None),
    ("../glossator.yaml", "base_url: not-a-url\n", "base_url: https://example.org/site/\n"),
])
def test_every_kind_of_broken_save_keeps_the_site_and_the_watcher(tmp_path: Path, name: str, text: str,
                                                                  fix: str | None) -> None:
    with watching(tmp_path) as session:
        before = {path.name: path.read_bytes() for path in session.out.iterdir()}
        original = (session.content / name).read_text(encoding="utf-8") if fix is None else fix
        session.write(name, text)
        problems = session.wait_for_rebuilds(2).outcome.problems
        assert problems
        assert not [problem for problem in problems if "internal error" in problem.message]  # the user's, not ours
        assert {path.name: path.read_bytes() for path in session.out.iterdir()} == before
        session.write(name, original)
        assert session.wait_for_rebuilds(3).outcome.ok


def test_a_settings_change_rebuilds_every_page(tmp_path: Path) -> None:
    with watching(tmp_path) as session:
        session.write("../glossator.yaml", "base_url: https://example.org/site/\n")
        rebuilt = session.wait_for_rebuilds(2)
        assert rebuilt.changes == (Stale("config"),)
        assert {"feed.xml", "sitemap.xml", "small.html", "index.html"} <= set(rebuilt.outcome.written)
        (tmp_path / "glossator.yaml").unlink()
        assert set(session.wait_for_rebuilds(3).outcome.removed) == {"feed.xml", "sitemap.xml"}


def test_renaming_an_article_removes_the_old_page_and_adds_the_new(tmp_path: Path) -> None:
    with watching(tmp_path) as session:
        (session.content / "small.annotations.yaml").rename(session.content / "renamed.annotations.yaml")
        (session.content / "small.md").rename(session.content / "renamed.md")
        # The two renames may fall in one burst or two; the last rebuild leaves the site right.
        with session._changed:
            assert session._changed.wait_for(lambda: (session.out / "renamed.html").exists(), DEADLINE)
        assert not (session.out / "small.html").exists()
        assert "renamed.html" in session.page("index.html")


def test_an_editor_style_save_rebuilds_once(tmp_path: Path) -> None:
    with watching(tmp_path) as session:
        sidecar = session.content / "small.annotations.yaml"
        # As vim does: check the folder is writable, keep a backup, write a temporary file, rename it over.
        (session.content / "4913").write_text("")
        (session.content / "4913").unlink()
        (session.content / ".small.annotations.yaml.swp").write_bytes(b"swap")
        sidecar.rename(session.content / "small.annotations.yaml~")
        temp = session.content / "small.annotations.yaml.tmp"
        temp.write_text(SIDECAR.replace("A note with", "A saved note with"), encoding="utf-8")
        os.replace(temp, sidecar)
        (session.content / "small.annotations.yaml~").unlink()
        (session.content / ".small.annotations.yaml.swp").unlink()
        assert session.wait_for_rebuilds(2).outcome.ok
        settle()
        assert len(session.rebuilds) == 2  # the first build, then exactly one rebuild
        assert "A saved note with" in session.page()


def test_litter_alone_rebuilds_nothing(tmp_path: Path) -> None:
    with watching(tmp_path) as session:
        session.write(".small.md.swp", "swap")
        session.write("small.md~", ARTICLE)
        settle()
        assert len(session.rebuilds) == 1


def test_ctrl_c_stops_watch_cleanly(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "small.md").write_text(ARTICLE, encoding="utf-8")
    command = [sys.executable, str(REPO / "build.py"), "watch", "--content", str(content),
               "--layouts", str(REPO / "layouts"), "--out", str(tmp_path / "site")]
    assert_ctrl_c_exits_cleanly(command, tmp_path, "watching")


def test_watching_a_missing_folder_is_a_usage_error(tmp_path: Path, glossator: Callable[..., Run]) -> None:
    result = glossator("watch", "--content", tmp_path / "missing", "--out", tmp_path / "site")
    assert result.code == 2
    assert result.err.strip() == f"glossator: cannot watch {tmp_path / 'missing'}: no such folder"


def test_each_build_and_rebuild_is_told_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with watching(tmp_path, print_rebuild) as session:
        session.write("small.annotations.yaml", SIDECAR.replace("A note with", "An edited note with"))
        session.wait_for_rebuilds(2)
        session.write("small.annotations.yaml", SIDECAR.replace("A note with", "An edited note with"))
        session.wait_for_rebuilds(3)
    told = [re.sub(r"\d+ ms", "N ms", line) for line in capsys.readouterr().err.splitlines()]
    assert told == ["glossator: built 5 files in N ms; watching for changes (Ctrl-C to stop)",
                    "glossator: rebuilt in N ms: 3 files changed",  # the page, its annotations and offline.zip
                    "glossator: rebuilt in N ms: no file changed"]
