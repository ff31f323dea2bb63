"""Note bodies rendered ahead in a second process: the same pages, and a failed child costs nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from glossator import check, notes_ahead, pipeline
from glossator.markdown import note_parser, render_note

from .conftest import LAYOUTS, REPO

NOTES = ["Plain words", "An *emphasis* and `code`", "Two points:\n\n- one\n- two", "A [link](https://example.org)",
         "First paragraph.\n\nSecond one, with **strong** words.", "> A quote\n\n1. a\n2. b"]


def _many_notes(folder: Path, count: int) -> Path:
    """Write an article of `count` paragraphs, each with a note of its own, enough to be rendered ahead."""
    content = folder / "content"
    content.mkdir()
    paragraphs = [f"Paragraph {n} speaks of harbour number {n} and its *cranes*." for n in range(count)]
    (content / "many.md").write_text("---\ntitle: Many notes\n---\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
    items = [f"  - quote: harbour number {n} and\n    note: |-\n"
             + "".join(f"      {line}\n" if line else "\n" for line in f"{NOTES[n % len(NOTES)]} ({n})".split("\n"))
             for n in range(count)]
    (content / "many.annotations.yaml").write_text("annotations:\n" + "".join(items), "utf-8")
    return content


def test_a_child_renders_each_body_as_the_parent_would() -> None:
    md = note_parser()
    assert notes_ahead.fork_render(NOTES)() == {text: render_note(md, text) for text in NOTES}


def test_a_child_that_fails_leaves_the_bodies_to_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(md: object, text: str) -> str:
        raise RuntimeError("a bug in the child")

    monkeypatch.setattr(notes_ahead, "render_note", broken)
    assert notes_ahead.fork_render(NOTES)() == {}


def test_a_few_notes_are_not_worth_a_process() -> None:
    assert notes_ahead.render_ahead(NOTES)() == {}


def test_a_build_with_bodies_rendered_ahead_writes_the_same_site(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    content = _many_notes(tmp_path, notes_ahead.WORTH_A_PROCESS + 50)
    out = tmp_path / "site"
    # A process of its own: no other thread runs there, so its build renders the bodies ahead.
    subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--content", str(content),
                    "--layouts", str(LAYOUTS), "--out", str(out)], check=True, capture_output=True)
    monkeypatch.setattr(pipeline, "render_ahead", lambda notes: dict)
    expected = check(content, LAYOUTS)
    assert expected.problems == []
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert built == expected.files
