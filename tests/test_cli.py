"""The command line: exit status, FILE:LINE:COL errors, and a site left untouched on failure."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ARTICLE, LAYOUTS, REPO, SIDECAR, Run, dedent

BAD_SIDECARS = {
    "a typo in a key": ("  - qoute: brown fox\n    note: n\n", 2, "did you mean 'quote'"),
    "a quote that matches nothing": ("  - quote: purple fox\n    note: n\n", 2, "not in the article"),
    "a quote that matches twice": ("  - quote: passage\n    note: n\n", 2, "add 'prefix' or 'suffix'"),
    "a correction without original": ("  - quote: brown fox\n    kind: correction\n", 2, "'original'"),
    "a note without text": ("  - quote: brown fox\n", 2, "'note'"),
    "a wrong kind": ("  - quote: brown fox\n    kind: comment\n    note: n\n", 3, "must be one of"),
    "broken YAML": ("  - quote: \"brown fox\n    note: n\n", 2, "invalid YAML"),
    "a quote across two blocks": ("  - quote: jumps over the lazy dog. A list item\n    note: n\n", 2, "block boundary"),
}


def _site_with_old_page(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("the previous site")
    return site


@pytest.mark.parametrize("case", BAD_SIDECARS, ids=list(BAD_SIDECARS))
def test_bad_sidecar_exits_1_pointing_at_the_line(case: str, content: Callable[..., Path],
                                                   glossator: Callable[..., Run], tmp_path: Path) -> None:
    entry, line, words = BAD_SIDECARS[case]
    folder = content({"small.md": ARTICLE, "small.annotations.yaml": "annotations:\n" + entry})
    site = _site_with_old_page(tmp_path)
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", site)
    assert result.code == 1
    assert result.errors[0].startswith(f"{folder}/small.annotations.yaml:{line}:")
    assert words in result.errors[0]
    assert [p.name for p in site.iterdir()] == ["old.html"]
    assert (site / "old.html").read_text() == "the previous site"


BAD_ARTICLES = {
    "no front matter": ("Just text.\n", 1, "front matter"),
    "unclosed front matter": ("---\ntitle: x\nText.\n", 1, "did you forget"),
    "no title": ("---\nbyline: x\n---\nText.\n", 2, "'title'"),
    "a bad date": ("---\ntitle: x\ndate: 2023-13-45\n---\nText.\n", 3, "ISO 8601"),
    "an unknown front matter key": ("---\ntitle: x\nauthor: y\n---\nText.\n", 3, "unknown key 'author'"),
}


@pytest.mark.parametrize("case", BAD_ARTICLES, ids=list(BAD_ARTICLES))
def test_bad_article_exits_1_pointing_at_the_line(case: str, content: Callable[..., Path],
                                                   glossator: Callable[..., Run], tmp_path: Path) -> None:
    text, line, words = BAD_ARTICLES[case]
    folder = content({"bad.md": text})
    site = _site_with_old_page(tmp_path)
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", site)
    assert result.code == 1
    assert result.errors[0].startswith(f"{folder}/bad.md:{line}:")
    assert words in result.errors[0]
    assert (site / "old.html").read_text() == "the previous site"


def test_all_problems_are_reported_in_one_run_then_a_summary(content: Callable[..., Path],
                                                            glossator: Callable[..., Run]) -> None:
    sidecar = "annotations:\n  - qoute: x\n    note: n\n  - quote: purple fox\n    note: n\n"
    folder = content({"small.md": ARTICLE, "small.annotations.yaml": sidecar, "other.md": "---\nbyline: x\n---\n"})
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert len(result.errors) == 2  # the sidecar's typo stops its checks; the other article's missing title
    assert result.err.splitlines()[-1] == "2 errors in 2 files"


def test_check_writes_nothing(content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    folder = content()
    result = glossator("check", "--content", folder)
    assert result.code == 0
    assert not (tmp_path / "site").exists()


def test_usage_error_exits_2(glossator: Callable[..., Run]) -> None:
    assert glossator("build", "--no-such-option").code == 2
    assert glossator("publish").code == 2


def test_bad_content_never_shows_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "bad.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    (folder / "bad.annotations.yaml").write_text("annotations: [")
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--content", str(folder),
                             "--out", str(tmp_path / "site")], capture_output=True, text=True, cwd=REPO, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{folder}/bad.md:2:8: error: not valid UTF-8: byte 0xff at offset 11" in result.stderr
    assert f"{folder}/bad.annotations.yaml:1:" in result.stderr


def test_console_script_is_declared() -> None:
    assert 'glossator = "glossator.cli:main"' in (REPO / "pyproject.toml").read_text()


def test_sidecar_positions_survive_front_matter_offsets(content: Callable[..., Path],
                                                        glossator: Callable[..., Run]) -> None:
    article = dedent("""
        ---
        title: x
        ---
        One paragraph.

        Another paragraph.
    """)
    sidecar = SIDECAR.replace("brown fox jumps", "Another paragraph").replace("the lazy dog", "One")
    sidecar = sidecar.replace("the the lazy dog", "One one").replace("long passage", "no such passage")
    folder = content({"x.md": article, "x.annotations.yaml": sidecar})
    result = glossator("check", "--content", folder)
    assert result.errors == [f"{folder}/x.annotations.yaml:8:5: error: quote \"no such passage\" is not in the article"]
