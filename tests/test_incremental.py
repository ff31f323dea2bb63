"""Incremental equals clean: after any edits, renames, additions and deletions, the site is a clean build's."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator import pipeline
from glossator.incremental import Builder, Sources

from .conftest import ARTICLE, LAYOUTS, SIDECAR

NAMES = ["alpha", "beta", "gamma"]

# Each step is (operation, article name, variant); a variant picks the text an edit writes.
steps = st.lists(st.tuples(
    st.sampled_from(["note", "body", "add", "delete", "rename", "break", "layout", "config", "source"]),
    st.sampled_from(NAMES), st.integers(0, 3)), min_size=1, max_size=7)


def _article(name: str, variant: int) -> str:
    text = ARTICLE.replace("A small article", f"Article {name}").replace("2024-05-01", f"2024-05-0{variant + 1}")
    return text + f"\nA closing paragraph, version {variant}.\n" * (variant % 2)


def _apply(root: Path, operation: str, name: str, variant: int) -> None:
    """Change the sources as an editor might; some steps break them."""
    content, md, sidecar = root / "content", root / "content" / f"{name}.md", root / "content" / f"{name}.annotations.yaml"
    if operation == "add" or (not md.exists() and operation in ("note", "body", "rename", "source")):
        md.write_text(_article(name, variant), encoding="utf-8")
        sidecar.write_text(SIDECAR, encoding="utf-8")
    elif operation == "note":
        sidecar.write_text(SIDECAR.replace("A note with", f"Edit {variant} of a note with"), encoding="utf-8")
    elif operation == "body":
        md.write_text(_article(name, variant), encoding="utf-8")
    elif operation == "delete":
        md.unlink(missing_ok=True)
        sidecar.unlink(missing_ok=True)
    elif operation == "rename":
        target = NAMES[(NAMES.index(name) + 1 + variant) % len(NAMES)]
        md.rename(content / f"{target}.md")
        if sidecar.exists():
            sidecar.rename(content / f"{target}.annotations.yaml")
    elif operation == "break":
        sidecar.write_text(SIDECAR + "  - quote: [unclosed\n", encoding="utf-8")
    elif operation == "layout":
        (root / "layouts" / "index.html").write_text(
            (LAYOUTS / "index.html").read_text(encoding="utf-8") + f"<!-- {variant} -->\n", encoding="utf-8")
    elif operation == "config":
        settings_text = ["", "base_url: https://example.org/x/\n", "title: Other\n", "title: [unclosed\n"][variant]
        (root / "glossator.yaml").write_text(settings_text, encoding="utf-8")
    else:  # source: name a received text, which may be missing, match the page or not
        text = md.read_text(encoding="utf-8").replace("---\nThe quick", f"source: {name}.txt\n---\nThe quick", 1)
        md.write_text(text, encoding="utf-8")
        if variant % 2:
            (content / f"{name}.txt").write_text("Some other words entirely.\n", encoding="utf-8")


def _tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_incremental_rebuilds_equal_a_clean_build(sequence: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "content").mkdir()
        shutil.copytree(LAYOUTS, root / "layouts")
        _apply(root, "add", "alpha", 0)
        builder = Builder(Sources(root / "content", root / "layouts", root / "site"))
        assert builder.rebuild().ok
        last_good = _tree(root / "site")
        for operation, name, variant in sequence:
            _apply(root, operation, name, variant)
            outcome = builder.rebuild()
            clean = pipeline.check(root / "content", root / "layouts",
                                   config=pipeline.config_path(None, root / "content"))
            assert sorted(map(str, outcome.problems)) == sorted(map(str, clean.problems))
            if outcome.ok:
                last_good = clean.files
            assert _tree(root / "site") == last_good


def test_an_edit_recomputes_only_its_article(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    for name in NAMES:
        _apply(tmp_path, "add", name, 0)
    builder = Builder(Sources(tmp_path / "content", LAYOUTS, tmp_path / "site"))
    assert set(builder.rebuild().recomputed) == {f"{name}.md" for name in NAMES}
    _apply(tmp_path, "note", "beta", 1)
    outcome = builder.rebuild()
    assert outcome.recomputed == ("beta.md",)
    # The index changes too when the offline copy's size, which it shows, rounds differently.
    assert {"beta.html", "offline.zip"} <= set(outcome.written) <= {"beta.html", "offline.zip", "index.html"}
    assert builder.rebuild().written == ()
