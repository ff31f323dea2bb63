"""The commands beside the build: init, new, layouts, schema, and the command line's own --help and --version."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from glossator.cli import TOOLS

from .conftest import LAYOUTS, Run, tree

RECEIVED = """\
# Not a heading: the received text opened with a hash
1. Not a list either, and *no* emphasis: 3 < 4 & [brackets] stay.
    Four spaces in front, no code block.
> Nor a quote.
---
The last line ends in a backslash \\
"""


def test_init_writes_a_site_that_builds_and_checks(tmp_path: Path, glossator: Callable[..., Run]) -> None:
    site = tmp_path / "new-site"
    result = glossator("init", site)
    assert result.code == 0, result.err
    assert sorted(tree(site)) == [
        ".github/workflows/pages.yml", ".gitignore", "README.md", "annotations.schema.json",
        "content/first-article.annotations.yaml", "content/first-article.md", "content/first-article.source.txt",
        "glossator.yaml", "requirements.txt"]
    assert (site / "requirements.txt").read_text() == f"glossator=={version('glossator')}\n"
    sidecar = (site / "content" / "first-article.annotations.yaml").read_text()
    assert sidecar.startswith("# yaml-language-server: $schema=../annotations.schema.json\n")
    workflow = yaml.safe_load((site / ".github" / "workflows" / "pages.yml").read_text())
    ours = yaml.safe_load((Path(__file__).parent.parent / ".github" / "workflows" / "pages.yml").read_text())
    assert _actions(workflow) == _actions(ours)  # the same official actions, at the same versions
    result = glossator("build", "--content", site / "content", "--out", site / "site")
    assert result.code == 0, result.err
    assert {"first-article.html", "index.html"} <= set(tree(site / "site"))


def _actions(workflow: dict[str, object]) -> list[str]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    return sorted(step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step)


def test_init_refuses_a_folder_that_holds_anything_and_writes_nothing(tmp_path: Path,
                                                                      glossator: Callable[..., Run]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / ".git").mkdir()
    result = glossator("init", tmp_path)
    assert result.code == 1
    assert result.errors == [f"glossator: error: {tmp_path} is not empty: it holds '.git' and 1 more; give a new or "
                             "empty folder; nothing was written"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git", "notes.txt"]


def test_new_adds_an_article_with_an_empty_sidecar(tmp_path: Path, glossator: Callable[..., Run]) -> None:
    assert glossator("init", tmp_path).code == 0
    content = tmp_path / "content"
    result = glossator("new", "council-vote", "--title", "Vote: the council # decides", "--content", content)
    assert result.code == 0, result.err
    article = (content / "council-vote.md").read_text()
    front = yaml.safe_load(article.split("---\n")[1])
    assert front["title"] == "Vote: the council # decides"
    assert (content / "council-vote.annotations.yaml").read_text() == (
        "# yaml-language-server: $schema=../annotations.schema.json\nannotations: []\n")
    assert glossator("check", "--content", content).code == 0


def test_new_from_a_received_text_copies_it_and_the_first_audit_passes(tmp_path: Path,
                                                                       glossator: Callable[..., Run]) -> None:
    content = tmp_path / "content"
    content.mkdir()
    received = tmp_path / "as-received.txt"
    received.write_text(RECEIVED)
    result = glossator("new", "garbled", "--from", received, "--content", content)
    assert result.code == 0, result.err
    assert (content / "garbled.source.txt").read_text() == RECEIVED
    assert "source: garbled.source.txt" in (content / "garbled.md").read_text()
    result = glossator("build", "--content", content, "--out", tmp_path / "site")
    assert result.code == 0, result.err  # the audit compared the page with the received text, word for word
    page = (tmp_path / "site" / "garbled.html").read_text()
    assert "<h2" not in page and "<li>" not in page and "<em>" not in page and "<blockquote>" not in page


def test_an_empty_sidecar_of_a_site_without_a_schema_copy_names_the_installed_schema(
        tmp_path: Path, glossator: Callable[..., Run]) -> None:
    content = tmp_path / "content"
    content.mkdir()
    assert glossator("new", "a", "--content", content).code == 0
    line = (content / "a.annotations.yaml").read_text().splitlines()[0]
    schema = Path(line.split("$schema=")[1])
    assert schema.is_absolute() and schema.is_file()
    assert str(schema) == glossator("schema").out.strip()


@pytest.mark.parametrize(("slug", "message"), [
    ("bad name", "the name 'bad name.md' makes an unsafe page address; use letters, digits, '-', '_' and '.' only"),
    ("index", "the name 'index.md' is taken by the site's index page; rename it"),
    ("Small", "'Small.md' and 'small.md' differ only in case; on many systems their pages would overwrite each other"),
])
def test_new_refuses_a_bad_slug_and_changes_nothing(slug: str, message: str, content: Callable[..., Path],
                                                     glossator: Callable[..., Run]) -> None:
    folder = content()
    before = tree(folder)
    result = glossator("new", slug, "--content", folder)
    assert (result.code, result.errors) == (1, [f"glossator: error: {message}; nothing was written"])
    assert tree(folder) == before


def test_new_refuses_an_existing_article_or_a_missing_received_text(tmp_path: Path, content: Callable[..., Path],
                                                                    glossator: Callable[..., Run]) -> None:
    folder = content()
    before = tree(folder)
    result = glossator("new", "small", "--content", folder)
    assert (result.code, result.errors) == (1, [f"glossator: error: {folder}/small.md already exists; nothing was "
                                                "written"])
    result = glossator("new", "other", "--from", tmp_path / "missing.txt", "--content", folder)
    assert (result.code, result.errors) == (1, [f"{tmp_path}/missing.txt:1:1: error: no such file: give the file of "
                                                "the text as it reached you"])
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")
    result = glossator("new", "other", "--from", tmp_path / "latin1.txt", "--content", folder)
    assert result.code == 1 and "not valid UTF-8" in result.errors[0]
    assert tree(folder) == before


def test_layouts_lists_the_theme_and_copies_one_file_to_override(tmp_path: Path, content: Callable[..., Path],
                                                                 glossator: Callable[..., Run]) -> None:
    folder = content()
    listed = glossator("layouts", "--content", folder).out.splitlines()
    assert listed == sorted(p.relative_to(LAYOUTS).as_posix() for p in LAYOUTS.rglob("*") if p.is_file())
    assert glossator("layouts", "--copy", "partials/note.html", "--content", folder).code == 0
    own = tmp_path / "layouts" / "partials" / "note.html"
    assert own.read_bytes() == (LAYOUTS / "partials" / "note.html").read_bytes()
    assert f"partials/note.html  (replaced by {own})" in glossator("layouts", "--content", folder).out
    own.write_text(own.read_text().replace('class="sidenote', 'class="my-note sidenote'))
    assert glossator("build", "--content", folder, "--out", tmp_path / "site").code == 0
    page = (tmp_path / "site" / "small.html").read_text()
    assert page.count('class="my-note sidenote') == 2  # the two notes; the correction keeps the theme's partial
    result = glossator("layouts", "--copy", "partials/note.html", "--content", folder)
    assert result.code == 1 and "already exists" in result.errors[0]
    assert "my-note" in own.read_text()
    result = glossator("layouts", "--copy", "articel.html", "--content", folder)
    assert result.code == 1 and result.errors[0].startswith("glossator: error: the theme has no layout 'articel.html'")


def test_an_error_in_an_overriding_layout_points_at_the_users_file(tmp_path: Path, content: Callable[..., Path],
                                                                   glossator: Callable[..., Run]) -> None:
    folder = content()
    (tmp_path / "layouts").mkdir()
    lines = (LAYOUTS / "index.html").read_text().splitlines(keepends=True)
    lines.insert(len(lines) - 1, "{{ nope.x }}\n")
    (tmp_path / "layouts" / "index.html").write_text("".join(lines))
    result = glossator("build", "--content", folder, "--out", tmp_path / "site")
    assert result.code == 1
    assert result.errors == [f"{tmp_path}/layouts/index.html:{len(lines) - 1}:1: error: layout error: 'nope' is "
                             "undefined (while rendering index.html)"]


def test_help_names_every_command_and_version_prints_the_version() -> None:
    run = [sys.executable, "-m", "glossator"]
    shown = subprocess.run([*run, "--help"], capture_output=True, text=True, check=True).stdout
    for name in ("build", "check", "watch", "serve", *dict(TOOLS)):
        assert f"    {name} " in shown
    assert subprocess.run([*run, "--version"], capture_output=True, text=True, check=True).stdout == (
        f"glossator {version('glossator')}\n")
    for name in dict(TOOLS):
        assert subprocess.run([*run, name, "--help"], capture_output=True, text=True).returncode == 0
