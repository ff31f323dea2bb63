"""`glossator import`: a site's own Web Annotation file gives its sidecar back, a Hypothesis export becomes notes
placed on the article (or says why not), and the sidecar keeps every byte it had."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from glossator.pipeline import checked_articles

from .conftest import LAYOUTS, REPO, Run, dedent, tree

HYPOTHESIS = Path(__file__).parent / "data" / "hypothesis"
ROWS = HYPOTHESIS / "harbour.search.json"

VOTE = dedent("""
    ---
    title: The council’s vote
    date: 2024-03-05
    ---
    The council voted 4–3 to close the “old library” on Friday.

    Its members said the old library would reopen in *spring*, after the repairs.
""")
VOTE_SIDECAR = dedent("""
    annotations:
      - quote: voted 4–3
        note: The minutes record the vote by name; see [the minutes](https://example.org/minutes).
        sources:
          - title: Council minutes, 5 March 2024
            url: https://example.org/minutes
          - title: A telephone call with the clerk
      - quote: old library
        prefix: 'Its members said the '
        suffix: ' would reopen'
        kind: correction
        original: old old library
        note: The received text doubled "old".
      - quote: spring
        id: when
        note: No date has been set.
""")


def _copy(folder: Path, files: dict[str, str | Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in files.items():
        if isinstance(value, Path):
            shutil.copy(value, folder / name)
        else:
            (folder / name).write_text(value, "utf-8")
    return folder


def _hypothesis_content(tmp_path: Path) -> Path:
    return _copy(tmp_path / "content", {"harbour.md": HYPOTHESIS / "harbour.md",
                                         "harbour.annotations.yaml": HYPOTHESIS / "harbour.annotations.yaml"})


def _annotations(content: Path, slug: str) -> dict[str, tuple[int, int, dict[str, Any]]]:
    """Each annotation of an article by the id its note has on the page: where it stands, and its other fields."""
    works, _, problems = checked_articles(content)
    assert problems == []
    anchored = next(w.anchored for w in works if w.anchored is not None and w.anchored.article.slug == slug)
    return {a.html_id: (a.start, a.end, {"kind": a.annotation.kind, "note": a.annotation.note,
                                          "original": a.annotation.original, "id": a.annotation.id,
                                          "sources": a.annotation.sources}) for a in anchored.anchors}


# ---- the round trip ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("site", ["vote", "sample"])
def test_export_then_import_gives_the_same_annotations_and_the_same_page(site: str, tmp_path: Path,
                                                                        glossator: Callable[..., Run]) -> None:
    if site == "vote":
        content = _copy(tmp_path / "content", {"vote.md": VOTE, "vote.annotations.yaml": VOTE_SIDECAR})
        slug = "vote"
    else:  # the repository's own article: 22 annotations, corrections its source audit needs
        content = tmp_path / "content"
        shutil.copytree(REPO / "content", content)
        slug = "blinken-us-china-relationship"
    built = glossator("build", "--content", content, "--layouts", LAYOUTS, "--out", tmp_path / "site")
    assert built.code == 0, built.err
    before = _annotations(content, slug)
    exported = tmp_path / "site" / f"{slug}.annotations.jsonld"
    (content / f"{slug}.annotations.yaml").unlink()

    result = glossator("import", exported, "--article", slug, "--content", content)
    assert result.code == 0, result.err
    assert f"imported {len(before)} annotation" in result.err and "likeness" not in result.err
    after = _annotations(content, slug)
    assert after == before  # the same places, notes, kinds, originals, sources and ids, field by field
    written = yaml.safe_load((content / f"{slug}.annotations.yaml").read_text("utf-8"))["annotations"]
    assert [entry.get("id") for entry in written if entry.get("id")] == [
        fields["id"] for _, _, fields in before.values() if fields["id"]]  # no id the page would make anyway

    again = glossator("build", "--content", content, "--layouts", LAYOUTS, "--out", tmp_path / "again")
    assert again.code == 0, again.err
    assert tree(tmp_path / "again") == tree(tmp_path / "site")


def test_importing_the_same_file_twice_adds_nothing(tmp_path: Path, glossator: Callable[..., Run]) -> None:
    content = _copy(tmp_path / "content", {"vote.md": VOTE, "vote.annotations.yaml": VOTE_SIDECAR})
    assert glossator("build", "--content", content, "--layouts", LAYOUTS, "--out", tmp_path / "site").code == 0
    sidecar = content / "vote.annotations.yaml"
    original = sidecar.read_bytes()
    result = glossator("import", tmp_path / "site" / "vote.annotations.jsonld", "--article", "vote",
                       "--content", content)
    assert result.code == 0
    assert sidecar.read_bytes() == original
    assert result.err.count("it is in the sidecar already (the same passage and note): skipped") == 3
    assert "nothing to import; 3 there already" in result.err


def test_a_position_that_holds_the_quote_places_it_when_the_context_does_not(tmp_path: Path,
                                                                            glossator: Callable[..., Run]) -> None:
    content = _copy(tmp_path / "content", {"vote.md": VOTE, "vote.annotations.yaml": VOTE_SIDECAR})
    assert glossator("build", "--content", content, "--layouts", LAYOUTS, "--out", tmp_path / "site").code == 0
    data = json.loads((tmp_path / "site" / "vote.annotations.jsonld").read_text("utf-8"))
    correction = data["first"]["items"][1]["target"]["selector"][0]
    correction["prefix"], correction["suffix"] = "another page's words ", " and more"
    edited = tmp_path / "edited.jsonld"
    edited.write_text(json.dumps(data), "utf-8")
    before = _annotations(content, "vote")
    (content / "vote.annotations.yaml").unlink()
    result = glossator("import", edited, "--article", "vote", "--content", content)
    assert result.code == 0, result.err
    assert "likeness" not in result.err  # the second "old library", by its TextPositionSelector
    assert _annotations(content, "vote") == before


# ---- a Hypothesis export -----------------------------------------------------------------------------------------


def test_a_hypothesis_export_with_rows_it_cannot_import_writes_nothing_and_says_why(
        tmp_path: Path, glossator: Callable[..., Run]) -> None:
    content = _hypothesis_content(tmp_path)
    sidecar = content / "harbour.annotations.yaml"
    original = sidecar.read_bytes()
    result = glossator("import", ROWS, "--article", "harbour", "--content", content)
    assert result.code == 1
    assert sidecar.read_bytes() == original
    lines = result.err.splitlines()
    assert lines[1:4] == [
        f"{ROWS}: annotation 2 (Sj3kUu3wEe6Y4hcD2n0Lxw): a page note: it quotes no passage (no TextQuoteSelector in "
        "target[0].selector)",
        f"{ROWS}: annotation 3 (U0F0Eu3xEe6NAW8xg2n3cA): a reply to another annotation, which has no passage of its own",
        f"{ROWS}: annotation 5 (ZGVtb2xpc2hlZCAxOTUwAA): its quote \"demolished in 1950\" is not in the article: the "
        "passage most like it, \"listed in 1971\", is only 42% alike"]
    assert lines[5] == f"{ROWS}: annotation 7 (aGlnaGxpZ2h0IG9ubHkAAA): it has no text (a highlight): a note needs words"
    assert lines[-1] == ("glossator import: nothing written: 4 could not be imported (run again with --partial to "
                         "import the other 3)")


def test_partial_imports_the_rows_that_place_and_keeps_every_byte_of_the_sidecar(
        tmp_path: Path, glossator: Callable[..., Run]) -> None:
    content = _hypothesis_content(tmp_path)
    sidecar = content / "harbour.annotations.yaml"
    original = sidecar.read_bytes()
    result = glossator("import", ROWS, "--article", "harbour", "--content", content, "--partial")
    assert result.code == 1  # some were not imported
    after = sidecar.read_bytes()
    assert after.startswith(original)  # comments, blank lines and the annotations there, byte for byte
    assert after[len(original):].decode("utf-8").splitlines() == [
        "",
        "  - quote: after the great storm of that winter",
        "    note: |-",
        "      The Met Office's [list of named storms](https://www.metoffice.gov.uk/weather/warnings-and-advice/"
        "uk-storm-centre) has none that winter; perhaps the *January 1886* gale?",
        "",
        "      Tags: dates, needs\\_source",  # a sidecar has no tags: they end the note, as Markdown text
        "",
        "  - quote: three feet higher",
        "    note: The 1888 survey gives *four* feet.",
        "",
        "  - quote: the town’s museum keeps a model",  # the article's wording, its apostrophe as written
        "    note: |-",
        "      The model is on loan to the county museum until 2025.",
        "",
        "      Tags: museum"]
    err = result.err.splitlines()
    # Placed by likeness, and said so with how sure: a prefix that held a margin note, and an earlier wording.
    assert err[0] == (f"{ROWS}: annotation 1 (Qm9yUe3vEe6qVxvEvA8ZJg): placed by likeness, 93% sure (quote unchanged; "
                      "its prefix changed): on \"after the great storm of that winter\"")
    assert err[4] == (f"{ROWS}: annotation 6 (bXVzZXVtIG1vZGVsIGZpeA): placed by likeness, 85% sure (1 word of the "
                      "quote changed): on \"the town’s museum keeps a model\"")
    assert err[-1] == (f"glossator import: imported 3 annotations into {sidecar} (2 placed by likeness: check them); "
                       "4 not imported")
    built = glossator("check", "--content", content)
    assert built.code == 0, built.err
    assert "checked 1 article and 5 annotations" in built.err


def test_a_dry_run_shows_the_diff_and_writes_nothing(tmp_path: Path, glossator: Callable[..., Run]) -> None:
    content = _hypothesis_content(tmp_path)
    original = (content / "harbour.annotations.yaml").read_bytes()
    result = glossator("import", ROWS, "--article", "harbour", "--content", content, "--partial", "--dry-run")
    assert (content / "harbour.annotations.yaml").read_bytes() == original
    name = (content / "harbour.annotations.yaml").as_posix()
    assert result.out.startswith(f"--- a/{name}\n+++ b/{name}\n")
    assert "+  - quote: three feet higher\n" in result.out
    assert "would import 3 annotations" in result.err


# ---- what is refused ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("partial", [False, True])
def test_malformed_json_writes_nothing(partial: bool, tmp_path: Path, glossator: Callable[..., Run]) -> None:
    content = _hypothesis_content(tmp_path)
    original = (content / "harbour.annotations.yaml").read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_text(ROWS.read_text("utf-8")[:400], "utf-8")
    result = glossator("import", broken, "--article", "harbour", "--content", content,
                       *(["--partial"] if partial else []))
    assert result.code == 1
    assert (content / "harbour.annotations.yaml").read_bytes() == original
    assert result.errors and result.errors[0].startswith(f"{broken}:")
    assert "not JSON" in result.errors[0] and "nothing was imported" in result.errors[0]


def test_an_entry_the_checks_refuse_is_listed_and_the_others_written_with_partial(
        tmp_path: Path, glossator: Callable[..., Run]) -> None:
    content = _copy(tmp_path / "content", {"vote.md": VOTE})
    annotations = [
        {"type": "Annotation", "id": "urn:x:1", "bodyValue": "Fine.",
         "target": {"source": "vote.html", "selector": {"type": "TextQuoteSelector", "exact": "spring"}}},
        {"type": "Annotation", "id": "urn:x:2", "bodyValue": "A link.",
         "body": [{"type": "SpecificResource", "purpose": "linking", "source": {"id": "javascript:alert(1)"}}],
         "target": {"source": "vote.html", "selector": {"type": "TextQuoteSelector", "exact": "on Friday"}}}]
    file = tmp_path / "list.jsonld"
    file.write_text(json.dumps(annotations), "utf-8")
    strict = glossator("import", file, "--article", "vote", "--content", content)
    assert strict.code == 1 and not (content / "vote.annotations.yaml").exists()
    assert f"{file}: annotation 2 (urn:x:2): the sidecar would not pass the checks with it: " in strict.err
    assert "must be a full web address" in strict.err
    partial = glossator("import", file, "--article", "vote", "--content", content, "--partial")
    assert partial.code == 1
    assert {fields["note"] for _, _, fields in _annotations(content, "vote").values()} == {"Fine."}


def test_a_file_that_is_no_annotation_file_or_names_no_article_is_refused(tmp_path: Path,
                                                                         glossator: Callable[..., Run]) -> None:
    content = _hypothesis_content(tmp_path)
    other = tmp_path / "other.json"
    other.write_text('{"type": "Thing"}', "utf-8")
    result = glossator("import", other, "--article", "harbour", "--content", content)
    assert result.code == 1 and "not a Web Annotation file" in result.err
    assert glossator("import", ROWS, "--article", "nowhere", "--content", content).code == 2
    assert glossator("import", tmp_path / "missing.json", "--article", "harbour", "--content", content).code == 2
    assert glossator("import", ROWS, "--content", content).code == 2  # --article is required


def test_a_sidecar_in_flow_style_takes_the_new_entries_inside_its_brackets(tmp_path: Path,
                                                                          glossator: Callable[..., Run]) -> None:
    content = _copy(tmp_path / "content", {"harbour.md": HYPOTHESIS / "harbour.md",
                                           "harbour.annotations.yaml": "# by hand\nannotations: [{quote: listed, "
                                                                       "note: Grade II.}]\n"})
    result = glossator("import", ROWS, "--article", "harbour", "--content", content, "--partial")
    assert "imported 3 annotations" in result.err
    text = (content / "harbour.annotations.yaml").read_text("utf-8")
    assert text.startswith("# by hand\nannotations: [{quote: listed, note: Grade II.}, {quote: after the great")
    assert text.endswith("}]\n")
    assert glossator("check", "--content", content).code == 0
