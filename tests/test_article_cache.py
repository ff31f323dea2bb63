"""Articles kept between builds: a build with nothing changed reads them back; any change to what a page is made
from makes that page again, and the site is always what a build with nothing kept writes."""

from __future__ import annotations

import base64
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from glossator import article_cache, pipeline, stages, write
from glossator.model import ArticleWork, Look

from .conftest import ARTICLE, LAYOUTS, SIDECAR, Run, tree

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
RECEIVED = ("The quick brown fox jumps over the the lazy dog.\n\nA list item with a long passage in it.\n\n"
            "A blockquote with a passage.\n")


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, empty."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The articles taken through the stages, by file name, as builds run."""
    names: list[str] = []
    through = stages.through_files

    def counted(content: Path, path: Path, look: object) -> object:
        names.append(path.name)
        return through(content, path, look)  # type: ignore[arg-type]

    monkeypatch.setattr(stages, "through_files", counted)
    monkeypatch.setenv("GLOSSATOR_PROCESSES", "1")  # counted in this process
    return names


def _site(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for name in ("alpha", "beta", "gamma"):
        body = ARTICLE.replace("title: A small article\n", f"title: {name}\nsource: {name}.txt\n")
        if name == "gamma":
            body += "\n![a dot](dot.png)\n"
        (content / f"{name}.md").write_text(body, encoding="utf-8")
        (content / f"{name}.annotations.yaml").write_text(SIDECAR, encoding="utf-8")
        (content / f"{name}.txt").write_text(RECEIVED, encoding="utf-8")
    (content / "dot.png").write_bytes(PNG)
    return content


def _build(tmp_path: Path, out: str = "site", layouts: Path = LAYOUTS, keep: bool = True) -> dict[str, bytes]:
    content = tmp_path / "content"
    result = pipeline.build(content, layouts, tmp_path / out, config=pipeline.config_path(None, content), keep=keep)
    assert not result.problems, result.problems
    return tree(tmp_path / out)


def _fresh(tmp_path: Path, layouts: Path = LAYOUTS) -> dict[str, bytes]:
    """What a build with nothing kept writes."""
    return _build(tmp_path, "fresh", layouts, keep=False)


def test_a_build_with_nothing_changed_reads_every_article_back(tmp_path: Path, cache_home: Path,
                                                                made: list[str]) -> None:
    _site(tmp_path)
    first = _build(tmp_path)
    assert sorted(made) == ["alpha.md", "beta.md", "gamma.md"]
    made.clear()
    assert _build(tmp_path) == first
    assert made == []


@pytest.mark.parametrize(("edit", "again"), [
    ("beta.annotations.yaml", ["beta.md"]),
    ("beta.md", ["beta.md"]),
    ("beta.txt", ["beta.md"]),  # its received text
    ("dot.png", ["gamma.md"]),  # the picture gamma shows
])
def test_editing_one_file_makes_only_the_pages_made_from_it(tmp_path: Path, cache_home: Path, made: list[str],
                                                            edit: str, again: list[str]) -> None:
    content = _site(tmp_path)
    _build(tmp_path)
    made.clear()
    path = content / edit
    if edit.endswith(".png"):
        path.write_bytes(PNG + b"\0")
    elif edit.endswith(".yaml"):
        path.write_text(SIDECAR.replace("A doubled word removed.", "A doubled word, removed."), encoding="utf-8")
    elif edit.endswith(".md"):
        path.write_text(path.read_text(encoding="utf-8").replace("Ann Author", "Ann B. Author"), encoding="utf-8")
    else:
        path.write_text(RECEIVED + "\n", encoding="utf-8")  # a blank line more: the copy published changes
    built = _build(tmp_path)
    assert made == again
    made.clear()
    assert built == _fresh(tmp_path)


def test_a_changed_layout_or_setting_or_glossator_makes_every_page_again(tmp_path: Path, cache_home: Path,
                                                                        made: list[str],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _site(tmp_path)
    _build(tmp_path)
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "style.css").write_text("body { color: black; }\n", encoding="utf-8")
    made.clear()
    assert _build(tmp_path, layouts=layouts) != _build(tmp_path)
    assert sorted(made) == sorted(["alpha.md", "beta.md", "gamma.md"] * 2)
    made.clear()
    (tmp_path / "glossator.yaml").write_text("title: Another site\n", encoding="utf-8")
    _build(tmp_path)
    assert len(made) == 3
    made.clear()
    monkeypatch.setattr(article_cache, "_code_digest", lambda: "another Glossator")
    built = _build(tmp_path)
    assert len(made) == 3
    assert built == _fresh(tmp_path)


def test_a_damaged_or_unwritable_cache_costs_only_time(tmp_path: Path, cache_home: Path, made: list[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _site(tmp_path)
    first = _build(tmp_path)
    kept = sorted((cache_home / "glossator" / "articles").iterdir())
    assert len(kept) == 3
    for path in kept:
        path.write_bytes(path.read_bytes()[:100])
    made.clear()
    assert _build(tmp_path) == first
    assert len(made) == 3
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert _build(tmp_path) == first


def test_kept_articles_are_the_users_alone(tmp_path: Path, cache_home: Path) -> None:
    _site(tmp_path)
    _build(tmp_path)
    folder = cache_home / "glossator" / "articles"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # read back as Python objects: no one else may write them
    assert {stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()} == {0o600}


def test_an_article_with_a_problem_is_never_kept(tmp_path: Path, cache_home: Path, made: list[str]) -> None:
    content = _site(tmp_path)
    _build(tmp_path)
    sidecar = content / "beta.annotations.yaml"
    sidecar.write_text(SIDECAR.replace("quote: long passage", "quote: no such passage"), encoding="utf-8")
    made.clear()
    result = pipeline.build(content, LAYOUTS, tmp_path / "site")
    assert [p.message for p in result.problems] and "no such passage" in str(result.problems[0])
    assert pipeline.build(content, LAYOUTS, tmp_path / "site").problems == result.problems  # said again, not kept
    sidecar.write_text(SIDECAR, encoding="utf-8")
    assert _build(tmp_path) == _fresh(tmp_path)


def test_build_no_cache_makes_every_article_anew(tmp_path: Path, cache_home: Path, made: list[str],
                                                 glossator: Callable[..., Run]) -> None:
    content = _site(tmp_path)
    first = _build(tmp_path)
    made.clear()
    run = glossator("build", "--no-cache", "--content", content, "--out", tmp_path / "site")
    assert run.code == 0, run.err
    assert sorted(made) == ["alpha.md", "beta.md", "gamma.md"]
    assert tree(tmp_path / "site") == first


def test_a_build_with_nothing_changed_reads_none_of_the_old_site(tmp_path: Path, cache_home: Path, made: list[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _site(tmp_path)
    monkeypatch.setattr(write, "_TIMESTAMP_STEP_NS", 100_000_000)  # this file system's steps are fine: see write.py
    first = _build(tmp_path)
    time.sleep(0.2)  # a file written shortly before its build looked at it is compared again
    assert _build(tmp_path) == first
    compared: list[str] = []
    holding = write._holding

    def counted(path: Path, data: object) -> object:
        compared.append(path.name)
        return holding(path, data)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "_holding", counted)
    assert _build(tmp_path) == first
    # The pages, their files and the offline ZIP are the files the last build placed: linked, not read again.
    assert sorted(compared) == sorted([".glossator-site.json", "404.html", "index.html"])


def test_a_site_file_changed_by_hand_is_written_again(tmp_path: Path, cache_home: Path, made: list[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _site(tmp_path)
    monkeypatch.setattr(write, "_TIMESTAMP_STEP_NS", 100_000_000)
    first = _build(tmp_path)
    time.sleep(0.2)
    assert _build(tmp_path) == first  # now every file is known as placed
    for name in ("beta.html", "offline.zip"):
        page = tmp_path / "site" / name
        data = bytearray(page.read_bytes())
        data[-2:] = b"!!"  # the same size, in place: the same file, changed
        with open(page, "r+b") as handle:
            handle.write(bytes(data))
    assert _build(tmp_path) == first


def test_a_build_that_swaps_its_site_in_after_another_leaves_no_record_to_trust(
        tmp_path: Path, cache_home: Path, made: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    content = _site(tmp_path)
    monkeypatch.setattr(write, "_TIMESTAMP_STEP_NS", 0)
    article = content / "alpha.md"
    text = article.read_text(encoding="utf-8")
    save = pipeline.save_placed

    def another_build_first(out: Path, record: write.PlacedSite) -> None:
        # This build has swapped its site in; another, of an edited article, swaps its own in before this one
        # keeps its record of what it placed. Then the edit is undone.
        monkeypatch.setattr(pipeline, "save_placed", save)
        article.write_text(text.replace("Ann Author", "EDITED"), encoding="utf-8")
        _build(tmp_path)
        article.write_text(text, encoding="utf-8")
        save(out, record)

    monkeypatch.setattr(pipeline, "save_placed", another_build_first)
    _build(tmp_path)
    assert "EDITED" in (tmp_path / "site" / "alpha.html").read_text("utf-8")  # the other build's site is in place
    assert _build(tmp_path) == _fresh(tmp_path)  # the record of the first build is not that folder's: compared
    assert _build(tmp_path) == _fresh(tmp_path)


def test_a_file_that_cannot_be_written_is_a_problem_and_the_old_site_stays(tmp_path: Path, cache_home: Path,
                                                                            glossator: Callable[..., Run]) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "short.md").write_text(ARTICLE, encoding="utf-8")
    assert glossator("build", "--content", content, "--out", tmp_path / "site").code == 0
    before = tree(tmp_path / "site")
    slug = "a" * 240  # its page's name fits; its Web Annotation file's, 260 characters, does not
    (content / f"{slug}.md").write_text(ARTICLE, encoding="utf-8")
    run = glossator("build", "--content", content, "--out", tmp_path / "site")
    assert run.code == 1
    assert run.errors == [f"{tmp_path / 'site'}:1:1: error: cannot write the site: File name too long; the previous "
                          "site is unchanged"]
    assert tree(tmp_path / "site") == before


def test_a_file_changed_while_its_article_is_made_is_read_again_next_time(tmp_path: Path, cache_home: Path,
                                                                           made: list[str],
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    content = _site(tmp_path)
    through = stages.through_files

    def edited_meanwhile(folder: Path, path: Path, look: Look) -> ArticleWork:
        work = through(folder, path, look)
        if path.name == "beta.md":  # read, then changed before the build ends
            (content / "beta.txt").write_text(RECEIVED + "\n", encoding="utf-8")
            (content / "beta.annotations.yaml").write_text(SIDECAR.replace("A doubled word removed.", "Edited."),
                                                           encoding="utf-8")
        return work

    monkeypatch.setattr(stages, "through_files", edited_meanwhile)
    _build(tmp_path)
    monkeypatch.setattr(stages, "through_files", through)
    made.clear()
    assert _build(tmp_path) == _fresh(tmp_path)
    assert "beta.md" in made


def test_a_sidecar_become_a_dangling_link_is_refused_as_a_fresh_build_refuses_it(tmp_path: Path, cache_home: Path,
                                                                                 made: list[str]) -> None:
    content = _site(tmp_path)
    _build(tmp_path)
    sidecar = content / "beta.annotations.yaml"
    sidecar.unlink()
    sidecar.symlink_to("missing.yaml")
    result = pipeline.build(content, LAYOUTS, tmp_path / "site")
    assert [str(p) for p in result.problems] == [str(p) for p in pipeline.check(content, LAYOUTS).problems]
    assert "missing.yaml" in str(result.problems[0])


def test_a_kept_article_others_could_have_written_is_not_read_back(tmp_path: Path, cache_home: Path,
                                                                   made: list[str]) -> None:
    _site(tmp_path)
    first = _build(tmp_path)
    entry = sorted((cache_home / "glossator" / "articles").iterdir())[0]
    entry.chmod(0o666)  # a pickle is code: only what the user alone could write is run
    made.clear()
    assert _build(tmp_path) == first
    assert len(made) == 1


def test_a_kept_article_whose_files_left_the_site_is_made_again(tmp_path: Path, cache_home: Path,
                                                                made: list[str]) -> None:
    # The cache keeps no page: a kept article's files are the last build's, taken from the site it placed.
    _site(tmp_path)
    first = _build(tmp_path)
    (tmp_path / "site" / "beta.html").unlink()
    made.clear()
    assert _build(tmp_path) == first
    assert made == ["beta.md"]
    made.clear()
    assert _build(tmp_path, "elsewhere") == first  # a new site folder: nothing there to take
    assert sorted(made) == ["alpha.md", "beta.md", "gamma.md"]


def test_an_article_left_as_it_was_is_not_read_again_and_one_changed_is(tmp_path: Path, cache_home: Path,
                                                                       made: list[str],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    content = _site(tmp_path)
    monkeypatch.setattr(article_cache, "_TIME_STEP_NS", 100_000_000)  # this file system's steps are fine
    read: list[str] = []
    digest = article_cache.file_digest

    def counted(path: Path, kind: str | None = None) -> str:
        read.append(path.name)
        return digest(path, kind)

    monkeypatch.setattr(article_cache, "file_digest", counted)
    first = _build(tmp_path)
    time.sleep(0.2)  # a file changed shortly before a build looked at it is read again, and then trusted
    assert _build(tmp_path) == first
    read.clear()
    assert _build(tmp_path) == first
    assert [name for name in read if name.endswith((".md", ".yaml"))] == []  # known by their size and times
    sidecar = content / "beta.annotations.yaml"
    times = sidecar.stat()
    edited = SIDECAR.replace("A doubled word removed.", "A doubled word deleted.")
    assert len(edited) == len(SIDECAR)
    sidecar.write_text(edited, encoding="utf-8")
    article_cache.os.utime(sidecar, ns=(times.st_atime_ns, times.st_mtime_ns))  # its time put back by hand
    made.clear()
    built = _build(tmp_path)
    assert made == ["beta.md"]
    assert built == _fresh(tmp_path)


def test_a_build_with_nothing_changed_imports_no_parser_at_all(tmp_path: Path, cache_home: Path) -> None:
    # Most of what such a build would spend is importing what makes articles (stages.py): none is made.
    content = _site(tmp_path)
    command = ("import sys\nfrom glossator import cli\n"
               f"status = cli.main(['build', '--content', {str(content)!r}, '--out', {str(tmp_path / 'site')!r}])\n"
               "print(status, *(name in sys.modules for name in ('markdown_it', 'glossator.stages', 'yaml')))\n")
    runs = [subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, check=True,
                           cwd=tmp_path).stdout.split() for _ in range(2)]
    assert runs == [["0", "True", "True", "True"], ["0", "False", "False", "False"]]
