"""Edit a sidecar as text: add, change and delete annotations, every other byte of the file kept as it was.

The file is never re-dumped: only the lines of the annotation edited change, so comments, blank lines, key order
and quoting stay as the writer made them. Every edit is read back and must give exactly the data intended."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..problems import Problem, Where
from ..write import replace_file
from . import yaml_text
from .sidecar_text import (
    KEY_ORDER,
    SidecarEditError,
    after_last_item,
    annotations_key,
    annotations_node,
    checked,
    content_end,
    dash_line_start,
    data,
    first_item,
    is_empty,
    item_data,
    item_node,
    line_end,
    line_start,
    newline,
    set_key,
    without_flow_part,
)

__all__ = ["KEY_ORDER", "SidecarEditError", "append_annotation", "delete_annotation", "fingerprint", "new_sidecar",
           "ordered", "read_sidecar", "replace_annotation", "save_sidecar", "update_annotation"]

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "annotations.schema.json"  # the one the build checks with
SCHEMA_COPY = SCHEMA_FILE.name  # where `glossator init` puts a copy: at the top of a new site, beside content/


def fingerprint(data: bytes | None) -> str:
    """Return the SHA-256 of a sidecar's bytes as read ('' for no file), for a client to send back with its edit."""
    return "" if data is None else hashlib.sha256(data).hexdigest()


def read_sidecar(path: Path) -> bytes | None:
    """Return a sidecar's bytes, or None if there is no file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def save_sidecar(path: Path, text: str, read: bytes | str | None) -> list[Problem]:
    """Write an edited sidecar in one step, unless the file changed since `read` (its bytes or fingerprint)."""
    expected = read if isinstance(read, str) else fingerprint(read)
    try:
        now = fingerprint(read_sidecar(path))
    except OSError as error:
        return [Problem(Where(str(path)), f"cannot read the sidecar: {error.strerror or error}; nothing was written")]
    if now != expected:
        happened = "was created" if expected == "" else "was deleted" if now == "" else "changed on disk"
        return [Problem(Where(str(path)), f"the sidecar {happened} since it was read; nothing was written: "
                                          "read it again and redo the edit")]
    try:
        mode = path.stat().st_mode & 0o777 if now else 0o644
        replace_file(path, text.encode("utf-8"), mode=mode)
    except OSError as error:
        return [Problem(Where(str(path)), f"cannot write the sidecar: {error.strerror or error}; it is unchanged")]
    return []


def new_sidecar(path: Path, annotations: Sequence[Mapping[str, Any]] = ()) -> str:
    """Return the text of a new sidecar at `path`: the schema line for editors, then the annotations."""
    text = f"# yaml-language-server: $schema={schema_reference(path.parent)}\nannotations: []\n"
    for annotation in annotations:
        text = append_annotation(text, annotation)
    return text


def schema_reference(content: Path) -> str:
    """Name the annotations schema by a path an editor can reach from a sidecar in `content`: the site's own copy,
    as `init` writes it, which goes wherever the site goes; else the one installed with Glossator."""
    copy = content.parent / SCHEMA_COPY
    if copy.is_file():
        return Path(os.path.relpath(copy, content)).as_posix()
    return SCHEMA_FILE.as_posix()


def append_annotation(text: str, fields: Mapping[str, Any]) -> str:
    """Return the sidecar text with one annotation added after the last."""
    root, items = annotations_node(text)
    annotation = ordered(fields)
    before = data(text)
    expected = {**before, "annotations": [*(before.get("annotations") or []), annotation]}
    nl = newline(text)
    if items is None or is_empty(items):
        edited = first_item(text, root, items, annotation, nl)
    elif not isinstance(items, yaml.SequenceNode):
        raise SidecarEditError("'annotations' is not a list; fix it first")
    elif items.flow_style:
        at = items.end_mark.index - 1  # the closing bracket
        edited = text[:at] + ", " + yaml_text.flow_value(annotation) + text[at:]
    else:
        edited = after_last_item(text, items, annotation, nl)
    return checked(edited, expected)


def update_annotation(text: str, index: int, changes: Mapping[str, Any]) -> str:
    """Return the sidecar text with annotation `index` given new values for some keys; None removes a key."""
    for key, value in changes.items():
        current = item_data(text, index)
        if (value is None and key not in current) or current.get(key) == value:
            continue  # unchanged: its bytes stay as they are
        expected = data(text)
        item = dict(current)
        if value is None:
            del item[key]
        else:
            item[key] = value
        expected["annotations"][index] = item
        text = checked(set_key(text, index, key, value), expected)
    return text


def replace_annotation(text: str, index: int, fields: Mapping[str, Any]) -> str:
    """Return the sidecar text with annotation `index` made exactly `fields`; unchanged keys keep their bytes."""
    current = item_data(text, index)
    changes: dict[str, Any] = dict.fromkeys(key for key in current if key not in fields)
    return update_annotation(text, index, {**changes, **ordered(fields)})


def delete_annotation(text: str, index: int) -> str:
    """Return the sidecar text without annotation `index`."""
    _, items = annotations_node(text)
    item = item_node(items, index)
    expected = data(text)
    del expected["annotations"][index]
    assert isinstance(items, yaml.SequenceNode)
    if items.flow_style:
        spans = [(node.start_mark.index, content_end(text, node)) for node in items.value]
        return checked(without_flow_part(text, spans, index), expected)
    start = dash_line_start(text, item)
    end = line_end(text, content_end(text, item))
    if start >= 2 and text[line_start(text, start - 1) : start].strip() == "":
        while end < len(text) and text[end] == "\n":  # one blank line between items stays one
            end += 1
    edited = text[:start] + text[end:]
    if len(items.value) == 1:
        key = annotations_key(text)
        edited = edited[: key.end_mark.index + 1] + " []" + edited[key.end_mark.index + 1 :]
    return checked(edited, expected)


def ordered(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return an annotation's fields in the order this module writes them; keys it does not know go last."""
    rank = {key: i for i, key in enumerate(KEY_ORDER)}
    return {key: fields[key] for key in sorted(fields, key=lambda k: rank.get(k, len(rank)))}
