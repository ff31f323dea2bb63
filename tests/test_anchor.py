"""Anchoring: quotes placed on the text a reader sees (cases in fixtures/anchoring.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from markdown_it.utils import read_fixture_file

from glossator.anchor import anchor_article
from glossator.model import Annotation, Article, Meta
from glossator.problems import Where

CASES = read_fixture_file(Path(__file__).parent / "fixtures" / "anchoring.md")


def _article(source: str) -> Article:
    body, sidecar = source.split("===\n")
    items = yaml.safe_load(sidecar)
    annotations = tuple(Annotation(where=Where("a.yaml", i + 1, 3), **item) for i, item in enumerate(items))
    return Article(slug="a", path="a.md", meta=Meta(title="t"), body=body, body_line=1, annotations=annotations)


@pytest.mark.parametrize(("line", "title", "source", "expected"), CASES, ids=[case[1] for case in CASES])
def test_anchoring(line: int, title: str, source: str, expected: str) -> None:
    article = _article(source)
    anchored, problems = anchor_article(article)
    placed = {a.annotation.where.line: anchored.reading.text[a.start : a.end] for a in anchored.anchors}
    errors = {p.where.line: p.message for p in problems}
    for number, want in enumerate(expected.splitlines(), start=1):
        if want.startswith("error: "):
            assert want.removeprefix("error: ") in errors[number]
        else:
            assert placed.get(number) == want, errors.get(number)


def test_notes_are_numbered_in_reading_order_and_corrections_take_a_mark() -> None:
    source = "Alpha beta gamma delta epsilon.\n===\n" + yaml.safe_dump([
        {"quote": "delta", "note": "third in the file, second on the page"},
        {"quote": "gamma", "kind": "correction", "original": "gama"},
        {"quote": "Alpha", "note": "first"},
        {"quote": "epsilon", "note": "last"},
    ])
    anchored, problems = anchor_article(_article(source))
    assert problems == []
    assert [(a.annotation.quote, a.label) for a in anchored.anchors] == [
        ("Alpha", "1"), ("gamma", "†"), ("delta", "2"), ("epsilon", "3")]


def test_page_ids_are_unique_and_safe() -> None:
    source = "Le <b>café</b> ouvre. Le <b>café</b> ferme.\n===\n" + yaml.safe_dump([
        {"quote": "Le <b>café</b> ouvre", "note": "a"},
        {"quote": "Le <b>café</b> ferme", "note": "b"},
        {"quote": "ferme", "id": "closing", "note": "c"},
    ])
    anchored, problems = anchor_article(_article(source))
    assert problems == []
    ids = [a.html_id for a in anchored.anchors]
    assert ids == ["note-le-b-cafe-b", "note-le-b-cafe-b-2", "closing"]


def test_text_nested_deeper_than_commonmarks_twenty_levels_is_kept() -> None:
    anchored, problems = anchor_article(_article("> " * 40 + "deep words\n===\n[]\n"))
    assert problems == []
    assert anchored.reading.text == "deep words"


def test_a_quote_that_matches_several_places_names_each_one() -> None:
    body = "He said yes. Then she said yes.\nAnd on another line *she* said yes.\n\n- she said yes\n"
    _, problems = anchor_article(_article(body + "===\n" + yaml.safe_dump([{"quote": "said yes", "note": "n"}])))
    assert [p.message for p in problems] == [
        "quote \"said yes\" matches 4 places in a.md (at 1:4, 1:23, 2:27, 4:7); add 'prefix' or 'suffix' to choose one"]
