"""Broken layouts: exit 1, the exact FILE:LINE:COL line of the layout at fault, and the previous site kept.

A layout is code the user wrote: whatever goes wrong in it, compiling or rendering, is reported at its own file
and line, never as a Python traceback.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import LAYOUTS, Run, tree

ZERO = "integer division or modulo by zero"

# case: (layout, a line to add it after (None: at the end), the line added, the message the user sees)
CASES: dict[str, tuple[str, str | None, str, str]] = {
    "division-by-zero": ("article.html", "<h1>", "{{ (meta.title|length) // 0 }}",
                         f"{ZERO} (while rendering small.html)"),
    "undefined-attribute-chain": ("article.html", "<h1>", "{{ meta.nope.x }}",
                                  "'glossator.model.Meta object' has no attribute 'nope' (while rendering small.html)"),
    "undefined-macro": ("article.html", "<h1>", "{{ margin_note(meta) }}",
                        "'margin_note' is undefined (while rendering small.html)"),
    "missing-include": ("article.html", "<h1>", '{% include "partials/margin.html" %}',
                        "no layout named 'partials/margin.html' in the layouts folder (while rendering small.html)"),
    "in-the-parent-layout": ("base.html", "<body", "{{ 1 // 0 }}", f"{ZERO} (while rendering small.html)"),
    "in-a-note-partial": ("partials/note.html", '<span class="sidenote', "{{ anchor.nope.x }}",
                          "'glossator.model.Anchor object' has no attribute 'nope' (while rendering small.html)"),
    "in-the-index": ("index.html", "{% for item in articles %}", "{{ item.nope.x }}",
                     "'dict object' has no attribute 'nope' (while rendering index.html)"),
    "in-the-inline-style": ("style.css", None, "{{ 1 // 0 }}", ZERO),
    "syntax-error": ("article.html", "<h1>", "{% if %}", "Expected an expression, got 'end of statement block'"),
    "syntax-error-in-the-parent-layout": ("base.html", "<body", "{% if %}",  # compiled as the page renders
                                          "Expected an expression, got 'end of statement block'"
                                          " (while rendering small.html)"),
}


def _break(layouts: Path, name: str, after: str | None, added: str) -> int:
    """Add a line to a layout after the first line containing `after`; return its line number."""
    path = layouts / name
    lines = path.read_text("utf-8").splitlines(keepends=True)
    at = len(lines) if after is None else next(i for i, line in enumerate(lines) if after in line) + 1
    lines.insert(at, added + "\n")
    path.write_text("".join(lines), "utf-8")
    return at + 1


@pytest.mark.parametrize("case", CASES)
def test_a_broken_layout_is_reported_at_its_line_and_the_site_kept(case: str, content: Callable[..., Path],
                                                                   glossator: Callable[..., Run],
                                                                   tmp_path: Path) -> None:
    name, after, added, message = CASES[case]
    layouts = Path(shutil.copytree(LAYOUTS, tmp_path / "layouts"))
    site = tmp_path / "site"
    assert glossator("build", "--content", content(), "--layouts", layouts, "--out", site).code == 0
    before = tree(site)
    line = _break(layouts, name, after, added)
    result = glossator("build", "--content", content(), "--layouts", layouts, "--out", site)
    assert result.code == 1, result.err
    assert result.errors == [f"{layouts}/{name}:{line}:1: error: layout error: {message}"]
    assert "Traceback" not in result.err
    assert tree(site) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site.new")) == []
