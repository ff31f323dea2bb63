"""The quick schema check agrees with jsonschema on every value it judges, and judges all of ours."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from glossator.check.schema import is_valid
from glossator.load.content import split_front_matter
from glossator.load.located_yaml import parse_yaml

from .conftest import REPO

SCHEMAS = ("annotations.schema.json", "front_matter.schema.json", "config.schema.json")


def _schema(name: str) -> Any:
    return json.loads((REPO / "glossator" / name).read_text("utf-8"))


def _content_data() -> list[tuple[str, Any]]:
    """Every sidecar and front matter under content/, tests/invalid/ and tests/fixtures/, as parsed data."""
    found = []
    for path in sorted([*REPO.glob("content/*"), *REPO.glob("tests/invalid/**/*"), *REPO.glob("tests/fixtures/**/*")]):
        if path.name.endswith(".annotations.yaml"):
            located, _ = parse_yaml(path.read_text("utf-8", errors="replace"), path.name)
            found += [("annotations.schema.json", located.data)] if located else []
        elif path.suffix == ".md" and path.is_file():
            parsed, _ = split_front_matter(path.read_text("utf-8", errors="replace"), path.name)
            found += [("front_matter.schema.json", parsed[0].data)] if parsed else []
    return found


CRAFTED: list[tuple[str, Any]] = [
    ("annotations.schema.json", {"annotations": [{"quote": "q", "note": "n", "kind": True}]}),
    ("annotations.schema.json", {"annotations": [{"quote": "q", "kind": "correction"}]}),
    ("annotations.schema.json", {"annotations": [{"quote": "q", "kind": "correction", "original": "o"}]}),
    ("annotations.schema.json", {"annotations": [{"quote": "q", "note": "n", "original": "o"}]}),
    ("annotations.schema.json", {"annotations": [{"quote": " ", "note": "n"}]}),
    ("annotations.schema.json", {"annotations": [{"quote": "q", "note": "n", "id": "ref-1"}]}),
    ("annotations.schema.json", {"annotations": [{"quote": "q", "note": "n", "sources": [{"title": 1}]}]}),
    ("annotations.schema.json", {"annotations": [{"quote": "q", "note": "n", "sources": [{"title": "t", "x": 1}]}]}),
    ("annotations.schema.json", {"annotations": {}}),
    ("annotations.schema.json", {"annotations": [], "extra": None}),
    ("front_matter.schema.json", {"title": "t", "date": "2023-11-16", "lang": 1}),
    ("front_matter.schema.json", {"title": 1.0}),
    ("config.schema.json", {"title": "t", "base_url": "https://example.org/"}),
    ("config.schema.json", {"base_url": False}),
    ("config.schema.json", {"base_url": "https://example.org/\n"}),
    ("annotations.schema.json", {"annotations": [{"quote": "q", "note": "n", "id": "intro\n"}]}),
    ("front_matter.schema.json", {"title": "t", "lang": "en\n", "date": "2024-05-01\n"}),
    ("front_matter.schema.json", {"title": "t", "source_url": "www.example.org/story"}),
    ("front_matter.schema.json", {"title": "t", "source_url": "mailto:desk@example.org"}),
] + [("annotations.schema.json", {"annotations": [{"quote": "q", "note": "n", "sources": [{"title": "t", "url": url}]}]})
     for url in ("javascript:alert(1)", "https://example.org/\n", "http://example.org", "example.org/minutes")]


@pytest.mark.parametrize(("name", "data"), _content_data() + CRAFTED)
def test_the_quick_check_agrees_with_jsonschema(name: str, data: Any) -> None:
    schema = _schema(name)
    assert is_valid(schema, data) is jsonschema.Draft202012Validator(schema).is_valid(data)


def _patterns(node: Any) -> list[str]:
    if isinstance(node, list):
        return [pattern for item in node for pattern in _patterns(item)]
    if not isinstance(node, dict):
        return []
    own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
    return own + _patterns(list(node.values()))


@pytest.mark.parametrize("name", SCHEMAS)
def test_patterns_end_at_the_end_of_the_text_for_python_and_for_editors(name: str) -> None:
    # Python's `$` also matches before a final line break; `\Z` means a letter Z to an editor's ECMAScript regex.
    # `(?![\s\S])`, "no character follows", means the end of the text in both.
    for pattern in _patterns(_schema(name)):
        assert not re.search(r"(?<!\\)(\$|\\Z)", pattern), pattern


def test_a_keyword_the_check_does_not_know_leaves_the_verdict_to_jsonschema() -> None:
    assert is_valid({"type": "string", "minLength": 2}, "a") is None
    assert is_valid({"enum": [1, True]}, 1) is None
    assert is_valid({"$ref": "https://example.org/schema"}, 1) is None


def test_every_bundled_schema_is_judged_by_the_quick_check() -> None:
    for name in SCHEMAS:
        assert is_valid(_schema(name), {}) is not None, name


def test_content_files_exist_to_compare() -> None:
    assert len(_content_data()) > 20
    assert Path(REPO / "content").is_dir()
