"""SLUG.annotations.jsonld: the W3C Web Annotation test suite's schemas pass it, its selectors find the passages
again, and the reader gives back what the sidecar said (and says why when it cannot)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from glossator.anchor.place import AnchoredArticle
from glossator.load.config import Site
from glossator.outputs.web_annotation import (
    annotations_from_hypothesis,
    annotations_from_jsonld,
    collection_file,
    collection_of,
    note_html,
    serialise,
    shown_text,
)
from glossator.pipeline import checked_articles

from .conftest import LAYOUTS, Run, dedent

SUITE = Path(__file__).parent / "data" / "web-annotation"
BASE = "https://example.org/notes/"

ARTICLE = dedent("""
    ---
    title: The council’s vote
    date: 2024-03-05T18:30+01:00
    lang: en-GB
    ---
    The council voted 4–3 to close the “old library” on Friday.

    Its members said the old library would reopen in *spring*, after the repairs.
""")
SIDECAR = dedent("""
    annotations:
      - quote: voted 4–3
        note: The minutes record the vote by name; see [the minutes](https://example.org/minutes).
        sources:
          - title: Council minutes, 5 March 2024
            url: https://example.org/minutes
          - title: A telephone call with the clerk
      - quote: old library
        suffix: ' would'
        kind: correction
        original: old old library
        note: The received text doubled "old".
      - quote: spring
        id: when
        note: No date has been set.
""")
# What the suite's assertion lists name but the stored copy of the suite does not hold (tests/data/.../SOURCES.md).
MISSING = {"collections/pages/5.2-pageContextValidated.json", "collections/5.1-collectionContextValidated.json",
           "collections/5.1-collectionLabelValidated.json", "collections/5.1-collectionTotalValidated.json",
           "collections/5.1-collectionFirstValidated.json", "collections/5.1-collectionLastValidated.json",
           "collections/3.3.1-collectionCreatedValidated.json", "collections/3.3.1-collectionModifiedValidated.json",
           "collections/3.3.6-collectionRightsValidated.json"}


def _anchored(folder: Path) -> AnchoredArticle:
    works, _, problems = checked_articles(folder)
    assert problems == [] and works[0].anchored is not None
    return works[0].anchored


@pytest.fixture
def article(content: Callable[..., Path]) -> AnchoredArticle:
    return _anchored(content({"vote.md": ARTICLE, "vote.annotations.yaml": SIDECAR}))


def _export(anchored: AnchoredArticle, site: Site) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(collection_file(anchored, site))
    return data


# ---- the W3C test suite's schemas --------------------------------------------------------------------------------


def _registry() -> Registry:
    """Every schema of the stored suite by its own id, which is how its files name one another: no network."""
    resources = []
    for path in sorted(SUITE.rglob("*.json")):
        schema = json.loads(path.read_text("utf-8"))
        resources.append((schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)))
    return Registry().with_resources(resources)


def _validator(schema: dict[str, Any]) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(schema, registry=_registry(),
                                      format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _assertions(test_file: str) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """The assertions a .test file lists, each with its schema (None for one the stored suite lacks)."""
    listed = json.loads((SUITE / test_file).read_text("utf-8"))["assertions"]
    for name in listed:
        path = SUITE / name
        yield name, json.loads(path.read_text("utf-8")) if path.is_file() else None


def _failures(test_file: str, instance: Any) -> tuple[list[str], set[str]]:
    """Run a .test file's assertions as the suite's runner does: each must give its expected result."""
    failures, missing = [], set()
    for name, schema in _assertions(test_file):
        if schema is None:
            missing.add(name)
            continue
        errors = [e.message for e in _validator(schema).iter_errors(instance)]
        if (not errors) != (schema.get("expectedResult", "valid") == "valid"):
            failures.append(f"{name}: {schema.get('errorMessage', '')} {errors[:2]}")
    return failures, missing


def _definition(file: str, name: str) -> dict[str, Any]:
    return {"$ref": f"{file}#/definitions/{name}"}


def _resolved(data: Any, base: str) -> Any:
    """Resolve relative ids and sources against the file's own address, as a JSON-LD processor does."""
    if isinstance(data, list):
        return [_resolved(item, base) for item in data]
    if not isinstance(data, dict):
        return data
    return {key: urljoin(base, value) if key in ("id", "source") and isinstance(value, str) else _resolved(value, base)
            for key, value in data.items()}


@pytest.mark.parametrize("base_url", [BASE, None])
def test_the_collection_passes_the_suite_s_annotation_and_page_assertions(article: AnchoredArticle,
                                                                          base_url: str | None) -> None:
    collection = _export(article, Site(base_url=base_url))
    if base_url is None:
        # Without a base URL the ids are relative to the file's own address: resolved there, they must be URIs.
        assert collection["id"] == "vote.annotations.jsonld"
        collection = _resolved(collection, urljoin(BASE, "vote.annotations.jsonld"))
    items = collection["first"]["items"]
    assert len(items) == 3
    seen_missing: set[str] = set()
    for item in items:
        # An embedded annotation takes the collection's @context; given on its own, it carries it.
        failures, missing = _failures("annotations/annotationMusts.test", {"@context": collection["@context"], **item})
        assert failures == []
        assert missing == set()
    for test_file in ("collections/pages/pageMusts.test", "collections/collectionMusts.test"):
        failures, missing = _failures(test_file, collection)
        assert failures == []
        seen_missing |= missing
    assert seen_missing == MISSING
    # What the missing collection assertions would check, with the definitions they would use.
    for file, name in [("annotations.json", "contextValueFound"), ("collections.json", "labelDefinition"),
                       ("collections.json", "totalDefinition"), ("collections.json", "firstRequiredIfTotalMoreThanZero"),
                       ("collections.json", "lastValidIfPresent"), ("otherProperties.json", "createdValidIfPresent"),
                       ("otherProperties.json", "modifiedValidIfPresent")]:
        instance = collection["@context"] if name == "contextValueFound" else collection
        assert list(_validator(_definition(file, name)).iter_errors(instance)) == [], name


def test_the_suite_finds_each_feature_it_is_meant_to_find(article: AnchoredArticle) -> None:
    note, correction, _ = _export(article, Site(base_url=BASE))["first"]["items"]
    found = {("annotations.json", "motivationPropertyFound"): note,
             ("otherProperties.json", "createdPropertyFound"): note,
             ("otherProperties.json", "modifiedPropertyFound"): note,
             ("choiceSet.json", "choiceDetected"): note["body"][0],
             ("otherProperties.json", "itemPurposePropertyFound"): note["body"][0],
             ("bodyTarget.json", "itemFormatPropertyFound"): note["body"][0],
             ("bodyTarget.json", "itemLanguagePropertyFound"): note["body"][0],
             ("specificResource.json", "specificeResourceDetected"): note["body"][1],
             ("otherProperties.json", "purposePropertyFound"): correction["body"][1],
             ("specificResource.json", "selectorDetected"): note["target"],
             ("specificResource.json", "textQuoteSelectorDetected"): note["target"]["selector"][0],
             ("specificResource.json", "textPositionSelectorDetected"): note["target"]["selector"][1]}
    for (file, name), instance in found.items():
        assert list(_validator(_definition(file, name)).iter_errors(instance)) == [], name


def test_the_suite_s_schemas_refuse_what_the_model_forbids(article: AnchoredArticle) -> None:
    # The check above means something only if these schemas, run this way, can fail.
    item = {"@context": "http://www.w3.org/ns/anno.jsonld", **_export(article, Site(base_url=BASE))["first"]["items"][0]}
    for broken in ({**item, "id": "not a uri"}, {**item, "created": "5 March"}, {**item, "bodyValue": "both"},
                   {key: value for key, value in item.items() if key != "target"}):
        failures, _ = _failures("annotations/annotationMusts.test", broken)
        assert failures, broken
    # "citing" is no motivation or purpose of the model: a source is a body for "linking".
    assert list(_validator(_definition("annotations.json", "motivationRecognizedIfPresent")).iter_errors(
        {**item, "motivation": "citing"}))


# ---- what the file says ------------------------------------------------------------------------------------------


def test_each_annotation_targets_the_page_and_the_passage_as_it_is_shown(article: AnchoredArticle) -> None:
    collection = _export(article, Site(base_url=BASE))
    assert collection["id"] == BASE + "vote.annotations.jsonld"
    assert collection["label"] == "Annotations on “The council’s vote”" and collection["total"] == 3
    note, correction, when = collection["first"]["items"]
    assert [note["id"], correction["id"], when["id"]] == [
        BASE + "vote.html#note-voted-4-3", BASE + "vote.html#fix-old-library", BASE + "vote.html#when"]
    quote, position = correction["target"]["selector"]
    assert correction["target"]["source"] == BASE + "vote.html"
    # 32 characters either side from the text as read, across paragraphs, as Hypothesis takes them.
    assert quote == {"type": "TextQuoteSelector", "exact": "old library",
                     "prefix": "on Friday. Its members said the ", "suffix": " would reopen in spring, after t"}
    assert article.reading.text[position["start"] : position["end"]] == "old library"
    # Typographic quotation marks as the page shows them, though quotes are matched with straight ones.
    assert note["target"]["selector"][0]["suffix"] == " to close the “old library” on F"
    assert shown_text(article).count("“") == 1 and '"' in article.reading.text


def test_bodies_give_the_note_in_html_and_markdown_the_original_wording_and_the_sources(
        article: AnchoredArticle) -> None:
    note, correction, _ = _export(article, Site(base_url=BASE))["first"]["items"]
    assert note["motivation"] == "commenting" and correction["motivation"] == "editing"
    html, markdown = note["body"][0]["items"]
    assert html["format"] == "text/html" and html["language"] == "en-GB"
    assert html["value"] == ('<p>The minutes record the vote by name; see '
                             '<a href="https://example.org/minutes">the minutes</a>.</p>\n')
    assert markdown["value"] == "The minutes record the vote by name; see [the minutes](https://example.org/minutes)."
    assert note["body"][1] == {"type": "SpecificResource", "purpose": "linking",
                               "source": {"id": "https://example.org/minutes", "label": "Council minutes, 5 March 2024"}}
    assert note["body"][2]["value"] == "A telephone call with the clerk" and note["body"][2]["purpose"] == "linking"
    assert correction["body"][1] == {"type": "TextualBody", "purpose": "editing", "value": "old old library",
                                     "format": "text/plain", "language": "en-GB"}


def test_dates_come_from_the_article_never_the_clock(content: Callable[..., Path], article: AnchoredArticle) -> None:
    collection = _export(article, Site())
    assert collection["created"] == collection["modified"] == "2024-03-05T18:30:00+01:00"
    assert collection["first"]["items"][0]["created"] == "2024-03-05T18:30:00+01:00"
    undated = _anchored(content({"vote.md": ARTICLE.replace("date: 2024-03-05T18:30+01:00\n", "")}))
    assert "created" not in _export(undated, Site())


def test_the_file_is_the_same_bytes_every_build_and_names_characters_as_they_are(article: AnchoredArticle) -> None:
    first = collection_file(article, Site(base_url=BASE))
    assert first == collection_file(article, Site(base_url=BASE))
    text = first.decode("utf-8")
    assert "“old library”" in text and "\\u" not in text and text.endswith("}\n")
    # Encoded annotation by annotation, and kept: the bytes of the whole collection encoded at once.
    assert first == serialise(collection_of(article, Site(base_url=BASE), note_html))


def test_an_article_without_annotations_has_an_empty_collection(content: Callable[..., Path]) -> None:
    collection = _export(_anchored(content({"vote.md": ARTICLE})), Site())
    assert collection["total"] == 0 and "first" not in collection
    assert annotations_from_jsonld(collection) == ([], [])


def test_the_build_writes_the_file_and_the_page_links_it(content: Callable[..., Path], glossator: Callable[..., Run],
                                                        tmp_path: Path) -> None:
    folder = content({"vote.md": ARTICLE, "vote.annotations.yaml": SIDECAR})
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", tmp_path / "site")
    assert result.code == 0, result.err
    page = (tmp_path / "site" / "vote.html").read_text("utf-8")
    assert '<link rel="alternate" type="application/ld+json" href="vote.annotations.jsonld"' in page
    assert '<a href="vote.annotations.jsonld" type="application/ld+json">W3C Web Annotations</a>' in page
    assert json.loads((tmp_path / "site" / "vote.annotations.jsonld").read_text("utf-8"))["total"] == 3


# ---- reading it back ---------------------------------------------------------------------------------------------


def test_reading_the_export_back_gives_the_sidecar_s_annotations(content: Callable[..., Path],
                                                                 article: AnchoredArticle, tmp_path: Path) -> None:
    records, refusals = annotations_from_jsonld(_export(article, Site(base_url=BASE)))
    assert refusals == []
    assert [(r.quote, r.kind, r.original, r.id) for r in records] == [
        ("voted 4–3", "note", None, "note-voted-4-3"), ("old library", "correction", "old old library", "fix-old-library"),
        ("spring", "note", None, "when")]
    assert records[0].note == "The minutes record the vote by name; see [the minutes](https://example.org/minutes)."
    assert [(s.title, s.url) for s in records[0].sources] == [
        ("Council minutes, 5 March 2024", "https://example.org/minutes"), ("A telephone call with the clerk", None)]
    # A sidecar made from the records places every annotation where the original one stood.
    entries = [{"quote": r.quote, "prefix": r.prefix, "suffix": r.suffix, "note": r.note, "kind": r.kind,
                "original": r.original, "id": r.id,
                "sources": [{"title": s.title, **({"url": s.url} if s.url else {})} for s in r.sources] or None}
               for r in records]
    sidecar = yaml.safe_dump({"annotations": [{k: v for k, v in e.items() if v is not None} for e in entries]},
                             allow_unicode=True)
    again = _anchored(content({"vote.md": ARTICLE, "vote.annotations.yaml": sidecar}))
    assert [(a.start, a.end, a.html_id, a.label) for a in again.anchors] == [
        (a.start, a.end, a.html_id, a.label) for a in article.anchors]
    assert [a.annotation.note for a in again.anchors] == [a.annotation.note for a in article.anchors]


def test_reading_hypothesis_rows() -> None:
    row = {"id": "Xy12", "uri": "https://example.org/notes/vote.html", "text": "Is this **right**?",
           "tags": ["vote", "check"], "references": [],
           "target": [{"source": "https://example.org/notes/vote.html", "selector": [
               {"type": "RangeSelector", "startContainer": "/main[1]/p[1]", "startOffset": 0,
                "endContainer": "/main[1]/p[1]", "endOffset": 9},
               {"type": "TextPositionSelector", "start": 12, "end": 21},
               {"type": "TextQuoteSelector", "exact": "voted 4–3", "prefix": "The council ", "suffix": " to close"}]}]}
    page_note = {**row, "target": [{"source": row["uri"]}]}
    reply = {**row, "references": ["Xy12"]}
    records, refusals = annotations_from_hypothesis({"rows": [row, page_note, reply], "total": 3})
    assert [(r.quote, r.prefix, r.suffix, r.note, r.tags, r.start) for r in records] == [
        ("voted 4–3", "The council ", " to close", "Is this **right**?", ("vote", "check"), 12)]
    assert [str(r) for r in refusals] == [
        "rows[1]: a page note: it quotes no passage (no TextQuoteSelector in target[0].selector)",
        "rows[2]: a reply to another annotation, which has no passage of its own"]
    assert annotations_from_jsonld({"rows": [row]}) == annotations_from_hypothesis([row])


def test_malformed_input_is_refused_with_where_and_why(article: AnchoredArticle) -> None:
    good = _export(article, Site(base_url=BASE))
    assert annotations_from_jsonld("text") == ([], annotations_from_jsonld(42)[1])
    assert "not a Web Annotation file" in str(annotations_from_jsonld({"type": "Thing"})[1][0])
    broken = copy.deepcopy(good)
    items = broken["first"]["items"]
    items[0]["target"] = "https://example.org/notes/vote.html"
    items[1]["body"] = [7]
    items[2]["target"]["selector"][0]["exact"] = ""
    records, refusals = annotations_from_jsonld(broken)
    assert records == []
    assert [str(r) for r in refusals] == [
        "first.items[0]: it quotes no passage (no TextQuoteSelector in its target): an annotation of the whole page "
        "has nowhere to stand in the text",
        "first.items[1].body[0]: a body must be an object or an address; this one is int",
        "first.items[2]: its TextQuoteSelector has no 'exact' text"]
    elsewhere = {**good, "first": BASE + "vote.annotations.jsonld?page=1"}
    assert "download that page" in str(annotations_from_jsonld(elsewhere)[1][0])


def test_a_single_annotation_a_page_or_a_list_reads_too(article: AnchoredArticle) -> None:
    page = _export(article, Site(base_url=BASE))["first"]
    one = page["items"][2]
    assert [r.id for r in annotations_from_jsonld(one)[0]] == ["when"]
    assert [r.id for r in annotations_from_jsonld(page)[0]] == ["note-voted-4-3", "fix-old-library", "when"]
    assert [r.where for r in annotations_from_jsonld(page["items"])[0]] == ["[0]", "[1]", "[2]"]
    html_only = {**one, "body": {"type": "TextualBody", "value": "<p>No date <em>yet</em>.</p>", "format": "text/html"}}
    assert annotations_from_jsonld(html_only)[0][0].note == "No date yet."
