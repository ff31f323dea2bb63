"""`glossator fix`: quotes lost by an edit of the text are re-anchored, shown as a diff, written with --write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from glossator.model import ArticleWork
from glossator.stages import Context, run_stages

from .conftest import Run

CASES = read_fixture_file(Path(__file__).parent / "fixtures" / "fix-corpus.md")
HEAD = "---\ntitle: T\n---\n"


def _passages(content: Path) -> dict[int, str]:
    """Return the passage each annotation of content/a stands on, by its line in the sidecar."""
    checked = run_stages(ArticleWork(content / "a.md"), Context(content), stop="validate")
    assert checked.problems == () and checked.article is not None
    anchored = run_stages(checked, Context(content), start="anchor", stop="anchor").anchored  # lost quotes allowed
    assert anchored is not None
    return {a.annotation.where.line: anchored.reading.text[a.start : a.end] for a in anchored.anchors}


@pytest.mark.parametrize(("line", "title", "source", "expected"), CASES, ids=[case[1] for case in CASES])
def test_fix_corpus(line: int, title: str, source: str, expected: str, tmp_path: Path,
                    glossator: Callable[..., Run]) -> None:
    before, after, annotations = source.split("===\n")
    content = tmp_path / "content"
    content.mkdir()
    sidecar = content / "a.annotations.yaml"
    sidecar.write_text("annotations:\n" + "".join("  " + line + "\n" for line in annotations.splitlines()), "utf-8")
    (content / "a.md").write_text(HEAD + before, "utf-8")
    assert glossator("check", "--content", content).code == 0  # the sidecar places on the text before
    (content / "a.md").write_text(HEAD + after, "utf-8")
    lines = [i + 2 for i, text in enumerate(annotations.splitlines()) if text.startswith("- ")]
    wanted = expected.splitlines()
    orphans = [lines[i] for i, want in enumerate(wanted) if want == "orphan"]
    original = sidecar.read_bytes()

    shown = glossator("fix", "--content", content)
    assert sidecar.read_bytes() == original  # nothing is written without --write
    assert shown.code == 1
    written = glossator("fix", "--content", content, "--write")
    assert written.out == shown.out
    assert [line.split(":")[1] for line in written.err.splitlines() if ": error: orphaned" in line] == [str(n) for n in orphans]
    assert written.code == (1 if orphans else 0)

    check = glossator("check", "--content", content)
    assert check.code == (1 if orphans else 0), check.err
    placed = _passages(content) if not orphans else {}
    for at, want in zip(lines, wanted, strict=True):
        if want != "orphan" and placed:
            assert placed[at] == want
    text = sidecar.read_text("utf-8").splitlines()
    for at in orphans:  # an orphan's lines are as they were
        assert text[at - 1] == original.decode().splitlines()[at - 1]


def test_the_diff_says_how_sure_it_is(tmp_path: Path, glossator: Callable[..., Run]) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(HEAD + "The quick brown fox leaps over the lazy dog.\n", "utf-8")
    sidecar = content / "a.annotations.yaml"
    sidecar.write_text("# mine\nannotations:\n  - quote: quick brown fox jumps over  # was right\n    note: n\n")
    run = glossator("fix", "--content", content)
    name = (content / "a.annotations.yaml").as_posix()
    assert run.out == (f"# {name}:3:12: 84% sure: 1 word of the quote changed\n"
                       f"--- a/{name}\n+++ b/{name}\n@@ -1,4 +1,4 @@\n # mine\n annotations:\n"
                       "-  - quote: quick brown fox jumps over  # was right\n"
                       "+  - quote: quick brown fox leaps over  # was right\n     note: n\n")
    assert run.err == "glossator fix: would re-anchor 1 quote (run again with --write to write)\n"


def test_nothing_to_fix(content: Callable[..., Path], glossator: Callable[..., Run]) -> None:
    run = glossator("fix", "--content", content())
    assert (run.code, run.out, run.err) == (0, "", "glossator fix: no quote to re-anchor\n")


def test_an_unknown_article_is_a_usage_error(content: Callable[..., Path], glossator: Callable[..., Run]) -> None:
    run = glossator("fix", "nosuch", "--content", content())
    assert run.code == 2 and "no article 'nosuch'" in run.err


def test_a_sidecar_changed_while_fixing_is_not_overwritten(tmp_path: Path, glossator: Callable[..., Run],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from glossator.commands import fix

    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(HEAD + "The quick brown fox leaps over the lazy dog.\n", "utf-8")
    sidecar = content / "a.annotations.yaml"
    sidecar.write_text("annotations:\n  - quote: quick brown fox jumps over\n    note: n\n")
    real = fix.save_sidecar

    def meanwhile(path: Path, text: str, read: bytes | str | None) -> list[object]:
        path.write_text(path.read_text() + "# an edit made meanwhile\n")
        return real(path, text, read)  # type: ignore[return-value]

    monkeypatch.setattr(fix, "save_sidecar", meanwhile)
    run = glossator("fix", "--content", content, "--write")
    assert run.code == 1 and "changed on disk since it was read; nothing was written" in run.err
    assert sidecar.read_text().endswith("# an edit made meanwhile\n")
