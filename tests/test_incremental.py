"""Incremental equals clean: after any edits, renames, additions and deletions, the site is a clean build's."""

from __future__ import annotations

import base64
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator import pipeline
from glossator.dev.cache import Builder, Sources
from glossator.dev.changes import Stale, detect_change
from glossator.write import with_manifest

from .conftest import ARTICLE, LAYOUTS, SIDECAR, tree

NAMES = ["alpha", "beta", "gamma"]
PNG = b"\x89PNG\r\n\x1a\n"  # the first bytes of every PNG file

# Each step is (operation, article name, variant); a variant picks the text an edit writes.
steps = st.lists(st.tuples(
    st.sampled_from(["note", "order", "id", "quote", "body", "add", "delete", "rename", "break", "layout", "config",
                     "source", "picture"]),
    st.sampled_from(NAMES), st.integers(0, 3)), min_size=1, max_size=7)


def _article(name: str, variant: int) -> str:
    text = ARTICLE.replace("A small article", f"Article {name}").replace("2024-05-01", f"2024-05-0{variant + 1}")
    return text + f"\nA closing paragraph, version {variant}.\n" * (variant % 2)


# The sidecar's entries, and one more on the same words as the first: the notes at one place print in file order.
ENTRIES = [*SIDECAR.split("\n  - ")[1:], "quote: brown fox jumps\n    note: Another note on the same words.\n"]


def _sidecar(operation: str, variant: int) -> str:
    """Return a sidecar that reorders the entries, gives one an id, or moves or narrows the last one's quote."""
    entries = [entry.rstrip("\n") for entry in ENTRIES[: 3 + (variant % 2)]]
    if operation == "order":
        entries = entries[::-1] if variant >= 2 else entries
    elif operation == "id":  # variant 3: an id that a quote would make, which that quote's id steps aside for
        wanted = "note-long-passage" if variant == 3 else f"custom-{variant}"
        entries[variant % 3] += f"\n    id: {wanted}"
    else:  # the same note on other words (its id kept: only the marks move), or with a context that is wrong
        entries[2] = ["quote: list item\n    id: kept", "quote: long passage\n    prefix: 'not a '",
                      "quote: long passage\n    id: kept", "quote: long passage\n    suffix: ' nowhere'",
                      ][variant] + "\n    note: In a list."
    return "annotations:\n" + "".join(f"  - {entry}\n" for entry in entries)


def _apply(root: Path, operation: str, name: str, variant: int) -> None:
    """Change the sources as an editor might; some steps break them."""
    content, md, sidecar = root / "content", root / "content" / f"{name}.md", root / "content" / f"{name}.annotations.yaml"
    if operation == "add" or (not md.exists() and operation in ("note", "body", "rename", "source", "picture")):
        md.write_text(_article(name, variant), encoding="utf-8")
        sidecar.write_text(SIDECAR, encoding="utf-8")
    elif operation == "note":
        sidecar.write_text(SIDECAR.replace("A note with", f"Edit {variant} of a note with"), encoding="utf-8")
    elif operation in ("order", "id", "quote"):
        sidecar.write_text(_sidecar(operation, variant), encoding="utf-8")
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
    elif operation == "picture":  # show plan.png, which articles share; write it, or delete it
        _picture(content, md, variant)
    else:  # source: name a received text, which may be missing, match the page or not
        text = md.read_text(encoding="utf-8").replace("---\nThe quick", f"source: {name}.txt\n---\nThe quick", 1)
        md.write_text(text, encoding="utf-8")
        if variant % 2:
            (content / f"{name}.txt").write_text("Some other words entirely.\n", encoding="utf-8")


def _picture(content: Path, md: Path, variant: int) -> None:
    picture = content / "plan.png"
    if variant == 0 and "![" not in md.read_text(encoding="utf-8"):
        md.write_text(md.read_text(encoding="utf-8") + "\n![The plan](plan.png)\n", encoding="utf-8")
    elif variant == 3:
        picture.unlink(missing_ok=True)
    else:
        picture.write_bytes(PNG + bytes([variant]) * 8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_incremental_rebuilds_equal_a_clean_build(sequence: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        builder, last_good = _built_site(root)
        for operation, name, variant in sequence:
            _apply(root, operation, name, variant)
            last_good = _rebuild_and_compare(root, builder, last_good)


def _built_site(root: Path) -> tuple[Builder, dict[str, bytes]]:
    """One article, "alpha", built by a Builder in root; return the builder and the site it wrote."""
    (root / "content").mkdir()
    shutil.copytree(LAYOUTS, root / "layouts")
    _apply(root, "add", "alpha", 0)
    builder = Builder(Sources(root / "content", root / "layouts", root / "site"))
    assert builder.rebuild().ok
    return builder, tree(root / "site", manifest=True)


def _rebuild_and_compare(root: Path, builder: Builder, last_good: dict[str, bytes]) -> dict[str, bytes]:
    """Rebuild; check the problems and the site against a clean build's, and return the site now good."""
    outcome = builder.rebuild()
    clean = pipeline.check(root / "content", root / "layouts", config=pipeline.config_path(None, root / "content"))
    assert sorted(map(str, outcome.problems)) == sorted(map(str, clean.problems))
    if outcome.ok:
        last_good = with_manifest(clean.files)  # the manifest a clean build writes beside them too
    assert tree(root / "site", manifest=True) == last_good
    return last_good


def test_sidecar_edits_on_one_body_equal_a_clean_build(tmp_path: Path) -> None:
    # Edits a random sequence may miss: marks that move while every note's HTML stays (quote 0 and 2), a prefix
    # or suffix added to a quote placed before (quote 1, 3), two notes on the same words swapped (order 1, 3).
    builder, last_good = _built_site(tmp_path)
    for operation, variant in [("quote", 0), ("quote", 2), ("quote", 0), ("note", 0), ("quote", 3), ("note", 0),
                               ("quote", 1), ("order", 1), ("order", 3), ("order", 1), ("id", 3), ("id", 1)]:
        _apply(tmp_path, operation, "alpha", variant)
        last_good = _rebuild_and_compare(tmp_path, builder, last_good)


def test_a_misnamed_sidecar_stops_a_rebuild_as_it_stops_a_build(tmp_path: Path) -> None:
    builder, last_good = _built_site(tmp_path)
    content = tmp_path / "content"
    (content / "alpha.annotations.yaml").rename(content / "alpha.annotations.yml")
    last_good = _rebuild_and_compare(tmp_path, builder, last_good)
    assert [str(p) for p in builder.rebuild().problems] == [
        f"{content}/alpha.annotations.yml:1:1: error: a sidecar's name ends in '.annotations.yaml', so this file is"
        " not read; rename it 'alpha.annotations.yaml'"]
    (content / "alpha.annotations.yml").rename(content / "alpha.annotations.yaml")
    assert builder.rebuild().ok


def test_a_picture_file_added_edited_or_deleted_rebuilds_the_page_as_a_build_would(tmp_path: Path) -> None:
    builder, last_good = _built_site(tmp_path)
    content = tmp_path / "content"
    article, picture = content / "alpha.md", content / "plans" / "plan.png"
    good = article.read_text(encoding="utf-8")
    article.write_text(good + "\n![A plan](plans/plan.png)\n", encoding="utf-8")
    last_good = _rebuild_and_compare(tmp_path, builder, last_good)  # no such file yet
    assert [p.message for p in builder.rebuild().problems] == [
        "picture file 'plans/plan.png' not found in the content folder"]
    picture.parent.mkdir()
    for data in (PNG + b"first", PNG + b"second"):  # added, then edited while the body stays the same
        picture.write_bytes(data)
        last_good = _rebuild_and_compare(tmp_path, builder, last_good)
        assert f'src="data:image/png;base64,{base64.b64encode(data).decode()}"'.encode() in last_good["alpha.html"]
    _apply(tmp_path, "note", "alpha", 1)  # a note's edit keeps the other blocks, and the picture with them
    last_good = _rebuild_and_compare(tmp_path, builder, last_good)
    picture.unlink()
    picture.symlink_to(tmp_path / "layouts" / "style.css")  # outside the content folder
    last_good = _rebuild_and_compare(tmp_path, builder, last_good)
    assert [p.message for p in builder.rebuild().problems] == [
        "'plans/plan.png' leads outside the content folder; keep content files inside it"]
    picture.unlink()
    picture.write_bytes(PNG + b"first")
    last_good = _rebuild_and_compare(tmp_path, builder, last_good)
    assert builder.rebuild().ok
    picture.unlink()
    last_good = _rebuild_and_compare(tmp_path, builder, last_good)
    assert not builder.rebuild().ok
    article.write_text(good, encoding="utf-8")
    _rebuild_and_compare(tmp_path, builder, last_good)
    assert builder.rebuild().ok


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
    changed = {"beta.html", "beta.annotations.jsonld", "offline.zip"}
    assert changed <= set(outcome.written) <= {*changed, "index.html"}
    assert builder.rebuild().written == ()


def test_the_changes_the_watcher_names_decide_what_a_rebuild_looks_at(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    for name in NAMES:
        _apply(tmp_path, "add", name, 0)
    builder = Builder(Sources(tmp_path / "content", LAYOUTS, tmp_path / "site"))
    assert builder.rebuild().ok
    _apply(tmp_path, "note", "alpha", 1)
    _apply(tmp_path, "note", "beta", 1)
    page = tmp_path / "site" / "alpha.html"
    told = builder.rebuild([detect_change(PurePosixPath("beta.annotations.yaml"), "content")])  # as watch says
    assert told.recomputed == ("beta.md",)  # alpha's edit is not looked at: no change named it
    assert "Edit 1 of a note" in (tmp_path / "site" / "beta.html").read_text() and "Edit 1" not in page.read_text()
    assert builder.rebuild([Stale("layout")]).recomputed == ()  # a layout renders pages again, reads no article
    assert builder.rebuild().recomputed == ("alpha.md",)  # told nothing, a rebuild looks at everything
    assert "Edit 1 of a note" in page.read_text()


def test_a_dense_article_rendered_block_by_block_equals_a_clean_build(tmp_path: Path) -> None:
    # Headings with notes, tight and loose lists, quotes and code: the block cache renders each top-level block
    # alone, which must join into the page one render of the whole body makes.
    shutil.copytree(Path(__file__).parent / "fixtures" / "dense", tmp_path / "content",
                    ignore=shutil.ignore_patterns("*.py"))
    shutil.copytree(LAYOUTS, tmp_path / "layouts")
    builder = Builder(Sources(tmp_path / "content", tmp_path / "layouts", tmp_path / "site"))
    assert builder.rebuild().ok
    last_good = _rebuild_and_compare(tmp_path, builder, tree(tmp_path / "site", manifest=True))
    sidecar = tmp_path / "content" / "dense.annotations.yaml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("note: ", "note: Edited. ", 1), encoding="utf-8")
    _rebuild_and_compare(tmp_path, builder, last_good)


def _insert_after(path: Path, marker: str, added: str) -> int:
    """Add a line to a file after the first line containing `marker`; return its line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if marker in line) + 1
    path.write_text("".join([*lines[:at], added + "\n", *lines[at:]]), encoding="utf-8")
    return at + 1


def test_a_layout_that_fails_while_rendering_is_reported_at_its_line_and_the_site_kept(tmp_path: Path) -> None:
    builder, last_good = _built_site(tmp_path)
    layouts = tmp_path / "layouts"
    note = layouts / "partials" / "note.html"
    line = _insert_after(note, '<span class="sidenote', "{{ anchor.nope.x }}")
    expected = (f"{note}:{line}:1: error: layout error: 'glossator.model.Anchor object' has no attribute 'nope'"
                " (while rendering alpha.html)")
    assert [str(problem) for problem in builder.rebuild().problems] == [expected]
    assert tree(tmp_path / "site", manifest=True) == last_good
    _rebuild_and_compare(tmp_path, builder, last_good)  # reported again, as a clean build reports it
    shutil.copy(LAYOUTS / "partials" / "note.html", note)
    assert builder.rebuild().ok

    # An error only some content sets off: a content edit, the layouts unchanged.
    line = _insert_after(layouts / "article.html", "<h1>", '{% if meta.title == "Boom" %}{{ 1 // 0 }}{% endif %}')
    last_good = _rebuild_and_compare(tmp_path, builder, last_good)
    alpha = tmp_path / "content" / "alpha.md"
    alpha.write_text(_article("alpha", 0).replace("Article alpha", "Boom"), encoding="utf-8")
    outcome = builder.rebuild()
    assert [str(problem) for problem in outcome.problems] == [
        f"{layouts / 'article.html'}:{line}:1: error: layout error: integer division or modulo by zero"
        " (while rendering alpha.html)"]
    assert tree(tmp_path / "site", manifest=True) == last_good
    _apply(tmp_path, "add", "alpha", 1)
    _rebuild_and_compare(tmp_path, builder, last_good)


def _three_articles(tmp_path: Path) -> tuple[Path, Builder]:
    """Write the three articles, build them in a builder, and return the site folder and the builder."""
    (tmp_path / "content").mkdir()
    for name in NAMES:
        _apply(tmp_path, "add", name, 0)
    site = tmp_path / "site"
    builder = Builder(Sources(tmp_path / "content", LAYOUTS, site))
    assert builder.rebuild().ok
    return site, builder


def test_a_save_writes_the_edited_page_first_and_the_site_wide_files_after(tmp_path: Path) -> None:
    site, builder = _three_articles(tmp_path)
    archive = (site / "offline.zip").read_bytes()
    _apply(tmp_path, "note", "beta", 1)
    first = builder.rebuild_articles([detect_change(PurePosixPath("beta.annotations.yaml"), "content")])
    assert first.ok and first.pending
    assert first.written == ("beta.annotations.jsonld", "beta.html")
    assert "Edit 1 of a note" in (site / "beta.html").read_text("utf-8")
    assert (site / "offline.zip").read_bytes() == archive  # not yet: the page came first
    rest = builder.finish()
    assert "offline.zip" in rest.written and not rest.pending
    assert builder.finish().written == ()  # nothing left
    clean = pipeline.check(tmp_path / "content", LAYOUTS)
    assert tree(site, manifest=True) == with_manifest(clean.files)


def test_a_layout_or_settings_change_writes_every_file_at_once(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    for name in NAMES:
        _apply(tmp_path, "add", name, 0)
    builder = Builder(Sources(tmp_path / "content", LAYOUTS, tmp_path / "site"))
    assert not builder.rebuild_articles().pending  # the first build writes the whole site
    assert not builder.rebuild_articles([Stale("layout")]).pending
    assert not builder.rebuild_articles([Stale("config")]).pending


def test_a_save_with_a_problem_leaves_the_site_wide_files_of_the_save_before_it_to_finish(tmp_path: Path) -> None:
    site, builder = _three_articles(tmp_path)
    _apply(tmp_path, "note", "alpha", 1)
    first = builder.rebuild_articles([detect_change(PurePosixPath("alpha.annotations.yaml"), "content")])
    assert first.pending  # and another save is waiting, so the watcher leaves the index and ZIP for later
    good = pipeline.check(tmp_path / "content", LAYOUTS)
    _apply(tmp_path, "break", "beta", 0)
    assert not builder.rebuild_articles([detect_change(PurePosixPath("beta.md"), "content")]).ok
    assert builder.pending
    assert "offline.zip" in builder.finish().written
    assert tree(site, manifest=True) == with_manifest(good.files)  # the site of the last good save, whole


def test_site_wide_files_that_fail_after_the_page_put_the_page_back(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, layouts)
    index = layouts / "index.html"
    # A site's own index that shows each summary in capitals: an article without one makes it fail.
    index.write_text(index.read_text("utf-8").replace("{{ item.meta.title }}</a>",
                                                      "{{ item.meta.title }}</a> {{ item.meta.summary.upper() }}"),
                     encoding="utf-8")
    article = content / "alpha.md"
    with_summary = ARTICLE.replace("byline: Ann Author\n", "byline: Ann Author\nsummary: Short.\n")
    article.write_text(with_summary, encoding="utf-8")
    site = tmp_path / "site"
    builder = Builder(Sources(content, layouts, site))
    assert builder.rebuild().ok
    before = tree(site, manifest=True)
    article.write_text(with_summary.replace("summary: Short.\n", "").replace("Ann Author", "Ann B. Author"),
                       encoding="utf-8")
    outcome = builder.rebuild([detect_change(PurePosixPath("alpha.md"), "content")])
    assert [p.message for p in outcome.problems] and "layouts/index.html" in str(outcome.problems[0])
    assert tree(site, manifest=True) == before  # the page written ahead is put back
