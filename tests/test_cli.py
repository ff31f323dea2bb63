"""The command line: exit status, FILE:LINE:COL errors, and a site left untouched on failure."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .conftest import ARTICLE, REPO, SIDECAR, Run, dedent

# Each kind of bad content, and the site it leaves alone: tests/test_invalid.py.


def test_all_problems_are_reported_in_one_run_then_a_summary(content: Callable[..., Path],
                                                            glossator: Callable[..., Run]) -> None:
    sidecar = "annotations:\n  - qoute: x\n    note: n\n  - quote: purple fox\n    note: n\n"
    folder = content({"small.md": ARTICLE, "small.annotations.yaml": sidecar, "other.md": "---\nbyline: x\n---\n"})
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert len(result.errors) == 3  # the sidecar's typo, its other quote not found, the other article's title
    assert result.err.splitlines()[-1] == "3 errors in 2 files"


def test_a_front_matter_mistake_does_not_hide_the_sidecars_mistakes(content: Callable[..., Path],
                                                                     glossator: Callable[..., Run]) -> None:
    folder = content({"a.md": ARTICLE.replace("title: A small article\n", ""),
                      "a.annotations.yaml": SIDECAR.replace("brown fox jumps", "brown fox leaps")})
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert [line.split(": error: ")[1].split(";")[0] for line in result.errors] == [
        'quote "brown fox leaps" is not in the article', "the front matter is missing the required key 'title'"]


def test_check_writes_nothing(content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    folder = content()
    result = glossator("check", "--content", folder)
    assert result.code == 0
    assert result.err == "glossator: checked 1 article and 3 annotations: no errors\n"
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


def test_the_build_script_ends_with_its_summary_written_and_the_site_in_place(tmp_path: Path) -> None:
    # build.py ends the process without tearing the interpreter down: nothing written may be lost on the way.
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--content", str(REPO / "content"),
                             "--out", str(out)], capture_output=True, text=True, cwd=REPO, check=False)
    assert result.returncode == 0, result.stderr
    site_files = [path for path in out.iterdir() if path.name != ".glossator-site.json"]  # its manifest aside
    assert result.stderr.endswith(f"glossator: built {len(site_files)} files into {out}/\n")
    assert (out / "index.html").read_bytes() == (REPO / "site" / "index.html").read_bytes()
