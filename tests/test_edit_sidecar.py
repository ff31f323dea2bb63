"""Editing a sidecar as text: the annotation edited changes, every other byte stays, and the data reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from glossator.edit.sidecar import (
    SidecarEditError,
    append_annotation,
    delete_annotation,
    fingerprint,
    new_sidecar,
    read_sidecar,
    replace_annotation,
    save_sidecar,
    update_annotation,
)
from glossator.load.located_yaml import parse_yaml

ODD = (Path(__file__).parent / "fixtures" / "odd-sidecar.annotations.yaml").read_text("utf-8")
TRICKY = [
    "a: colon", "a #hash", "# leading hash", "- leading dash", "'single'", '"double"', "both ' and \"",
    "line one\nline two", "ends with a newline\n", "two blank lines\n\n\n", "  leading spaces", "trailing space ",
    "true", "null", "123", "2023-11-16", "", "tab\there", "back\\slash", "{[flow, chars]}", "*star &amp !bang",
    "café “curly” — ünïcödé 😀", "e\u0301 decomposed", "line\u2028separator", "no\u00a0break", "%percent @at `tick",
    "key: value\n# not a comment\n- not an item", "|\n>", "...", "---", "<<", "=", "~", "? question",
]


def _data(text: str) -> Any:
    located, problems = parse_yaml(text, "a.yaml")
    assert located is not None, problems
    return located.data


def _items(text: str) -> list[dict[str, Any]]:
    items = _data(text)["annotations"]
    assert isinstance(items, list)
    return items


def _lines_kept(before: str, after: str, first: int, last: int) -> None:
    """Assert that every line of `before` outside lines first..last (1-based) is in `after`, in place."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert new[: first - 1] == old[: first - 1]
    tail = len(old) - last
    assert new[len(new) - tail :] == old[len(old) - tail :]


def test_the_odd_sidecar_reads_as_intended() -> None:
    items = _items(ODD)
    assert [item["quote"] for item in items] == ["single quoted: with a colon", 'double "quoted"', "flow mapping",
                                                 "plain quote"]


@pytest.mark.parametrize("note", TRICKY)
def test_an_appended_note_reads_back_exactly_and_the_rest_is_untouched(note: str) -> None:
    fields = {"note": note or "x", "quote": "new passage", "prefix": "the ", "sources": [{"title": note or "t"}]}
    edited = append_annotation(ODD, fields)
    assert _items(edited) == [*_items(ODD), fields]
    at = ODD.index("# a comment at the end")
    assert edited.startswith(ODD[:at]) and edited.endswith(ODD[at:])
    added = edited[at : len(edited) - len(ODD) + at]
    assert added.startswith("\n  - quote: new passage\n    prefix: \"the \"\n"), added  # a blank line, as between


@pytest.mark.parametrize("index", range(4))
@pytest.mark.parametrize("note", ["plain new note", "a: colon\nand lines", "# hash", ""])
def test_changing_one_annotation_leaves_the_others_byte_for_byte(index: int, note: str) -> None:
    lines = [i + 1 for i, line in enumerate(ODD.splitlines()) if line.lstrip().startswith("- ")
             and not line.lstrip().startswith("- title") and not line.lstrip().startswith("- {title")]
    first, last = lines[index], (lines[index + 1] - 1 if index + 1 < len(lines) else len(ODD.splitlines()) - 1)
    changes = {"note": note or None, "suffix": " after: #", "id": None}
    edited = update_annotation(ODD, index, changes)
    expected = _items(ODD)
    item = expected[index]
    item.pop("id", None)
    item["suffix"] = " after: #"
    item["note"] = note if note else item.pop("note") and None
    if item["note"] is None:
        del item["note"]
    assert _items(edited) == expected
    _lines_kept(ODD, edited, first, last)


def test_a_change_keeps_the_annotations_other_keys_as_they_were() -> None:
    edited = update_annotation(ODD, 0, {"quote": "new quote"})
    assert edited == ODD.replace("'single quoted: with a colon'", "new quote")
    edited = update_annotation(ODD, 1, {"note": "short"})
    assert edited == ODD.replace("note: |\n        A literal note.\n          Indented line kept.", "note: short")
    assert update_annotation(ODD, 0, {"quote": "single quoted: with a colon"}) == ODD  # the same value: no change


def test_a_multi_line_note_is_written_as_a_literal_block() -> None:
    edited = update_annotation(ODD, 3, {"note": "First line.\n\nSecond *paragraph*."})
    assert "    note: |-\n      First line.\n\n      Second *paragraph*.\n# a comment" in edited


def test_replace_makes_the_annotation_exactly_the_fields_given() -> None:
    fields = {"quote": "plain quote", "note": "now a note"}
    edited = replace_annotation(ODD, 3, fields)
    assert _items(edited)[3] == fields
    assert "  - quote: plain quote\n    note: now a note\n# a comment at the end" in edited


@pytest.mark.parametrize("index", range(4))
def test_deleting_an_annotation_leaves_the_others_byte_for_byte(index: int) -> None:
    edited = delete_annotation(ODD, index)
    expected = _items(ODD)
    del expected[index]
    assert _items(edited) == expected
    assert "# ---- the first ----" in edited and "# a comment at the end" in edited
    assert "\n\n\n" not in edited


def test_deleting_the_last_annotation_leaves_an_empty_list() -> None:
    text = "annotations:  # mine\n  - quote: x\n    note: y\n"
    assert delete_annotation(text, 0) == "annotations: []  # mine\n"


def test_a_new_sidecar_has_the_schema_line_and_takes_annotations(tmp_path: Path) -> None:
    path = tmp_path / "content" / "a.annotations.yaml"
    text = new_sidecar(path, [{"quote": "q", "note": "n"}])
    assert text.startswith("# yaml-language-server: $schema=")
    schema = (path.parent / text.splitlines()[0].split("$schema=")[1]).resolve()
    assert schema.name == "annotations.schema.json" and schema.is_file()
    assert _items(text) == [{"quote": "q", "note": "n"}]
    assert text.endswith("annotations:\n  - quote: q\n    note: n\n")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "annotations:\n", "annotations: []\n",
                                  "annotations: [{quote: a, note: b}]\n"])
def test_the_first_annotation_goes_into_any_empty_sidecar(text: str) -> None:
    edited = append_annotation(text, {"quote": "q", "note": "n: m"})
    assert _items(edited)[-1] == {"quote": "q", "note": "n: m"}


def test_flow_collections_are_edited_in_flow() -> None:
    text = "annotations: [{quote: a, note: b}, {quote: c, note: d}]\n"
    assert update_annotation(text, 1, {"note": "e, f"}) == 'annotations: [{quote: a, note: b}, {quote: c, note: "e, f"}]\n'
    assert update_annotation(text, 0, {"prefix": "x "}) == 'annotations: [{quote: a, note: b, prefix: "x "}, {quote: c, note: d}]\n'
    assert delete_annotation(text, 0) == "annotations: [{quote: c, note: d}]\n"


def test_line_ends_and_a_byte_order_mark_stay() -> None:
    text = "\ufeffannotations:\r\n  - quote: a\r\n    note: b\r\n"
    edited = append_annotation(text, {"quote": "c", "note": "d\ne"})
    assert edited.startswith(text) and "\n" not in edited.replace("\r\n", "")


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: update_annotation(t, 9, {"note": "x"}), "there is no annotation 10"),
    (lambda t: delete_annotation("annotations: [\n", 0), "not valid YAML"),
    (lambda t: append_annotation("- a list\n", {"quote": "q"}), "not a mapping"),
])
def test_an_edit_the_sidecar_cannot_take_is_refused(edit: Any, message: str) -> None:
    with pytest.raises(SidecarEditError, match=message):
        edit(ODD)


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(note=_TEXT, quote=_TEXT.filter(str.strip), title=_TEXT)
def test_any_text_reads_back_as_written(note: str, quote: str, title: str) -> None:
    fields = {"quote": quote, "note": note, "sources": [{"title": title}]}
    assert _items(append_annotation(ODD, fields))[-1] == fields
    assert _items(update_annotation(ODD, 1, {"note": note}))[1]["note"] == note
    assert yaml.safe_load(update_annotation(ODD, 2, {"note": note}))["annotations"][2]["note"] == note


def test_saving_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "a.annotations.yaml"
    path.write_text(ODD, "utf-8")
    read = read_sidecar(path)
    edited = append_annotation(ODD, {"quote": "q", "note": "n"})
    path.write_text(ODD + "# someone else's edit\n", "utf-8")
    problems = save_sidecar(path, edited, read)
    assert len(problems) == 1 and "changed on disk since it was read; nothing was written" in problems[0].message
    assert path.read_text("utf-8").endswith("# someone else's edit\n")
    assert save_sidecar(path, edited, fingerprint(read_sidecar(path))) == []
    assert path.read_text("utf-8") == edited
    assert [p.name for p in tmp_path.iterdir()] == ["a.annotations.yaml"]  # no temporary file left


def test_saving_a_new_sidecar_refuses_one_made_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "a.annotations.yaml"
    assert read_sidecar(path) is None
    path.write_text("annotations: []\n", "utf-8")
    problems = save_sidecar(path, new_sidecar(path), None)
    assert "was created since it was read" in problems[0].message
    assert path.read_text("utf-8") == "annotations: []\n"
