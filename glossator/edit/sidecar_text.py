"""The text surgery behind edit.sidecar: where an annotation's lines and values stand, and what replaces them."""

from __future__ import annotations

from typing import Any

import yaml

from ..load.located_yaml import parse_yaml
from . import yaml_text

KEY_ORDER = ("quote", "prefix", "suffix", "kind", "original", "note", "id", "sources")
_ITEM_DASH = 2  # where the dash of a sidecar's first annotation goes, as in the README


class SidecarEditError(ValueError):
    """An edit this sidecar cannot take: not a sidecar's shape, no such annotation, or YAML that does not read."""


def compose(text: str) -> yaml.Node | None:
    """Return the YAML node tree of a sidecar, whose marks count characters (the C reader's count bytes)."""
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
        return node
    except yaml.YAMLError as error:
        raise SidecarEditError(f"the sidecar is not valid YAML ({error}); fix it first") from error


def data(text: str) -> dict[str, Any]:
    """Return a sidecar's data as the build reads it."""
    located, problems = parse_yaml(text, "sidecar")
    if located is None:
        raise SidecarEditError(f"the sidecar cannot be read: {problems[0].message}; fix it first")
    if located.data is None:
        return {}
    if not isinstance(located.data, dict):
        raise SidecarEditError("the sidecar is not a mapping with the key 'annotations'; fix it first")
    return located.data


def checked(edited: str, expected: dict[str, Any]) -> str:
    """Return the edited text if it reads back as exactly the data intended; refuse it otherwise."""
    if data(edited) != expected:
        raise SidecarEditError("the edit would not read back as intended, so it was not made (a bug: please report "
                               "it with the sidecar)")
    return edited


def annotations_node(text: str) -> tuple[yaml.MappingNode | None, yaml.Node | None]:
    """Return the sidecar's top mapping and its `annotations` value, each None where the text has none."""
    root = compose(text)
    if root is None:
        return None, None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise SidecarEditError("the sidecar is not a mapping with the key 'annotations'; fix it first")
    for key, value in root.value:
        if key.value == "annotations":
            return root, value
    return root, None


def annotations_key(text: str) -> yaml.Node:
    """Return the node of the key `annotations`."""
    root, _ = annotations_node(text)
    key: yaml.Node = next(k for k, _ in (root.value if root else []) if k.value == "annotations")
    return key


def item_node(items: yaml.Node | None, index: int) -> yaml.MappingNode:
    """Return the node of annotation `index`."""
    values = items.value if isinstance(items, yaml.SequenceNode) else []
    if not 0 <= index < len(values):
        raise SidecarEditError(f"there is no annotation {index + 1}: the sidecar has {len(values)}")
    item = values[index]
    if not isinstance(item, yaml.MappingNode):
        raise SidecarEditError(f"annotation {index + 1} is not a mapping of keys to values; fix it first")
    return item


def item_data(text: str, index: int) -> dict[str, Any]:
    """Return the data of annotation `index`, checking that it is a mapping."""
    item_node(annotations_node(text)[1], index)
    item = data(text)["annotations"][index]
    assert isinstance(item, dict)
    return item


def is_empty(items: yaml.Node) -> bool:
    """Tell whether `annotations` holds nothing: no value, null, or []."""
    if isinstance(items, yaml.ScalarNode):
        return items.tag == "tag:yaml.org,2002:null"
    return isinstance(items, yaml.SequenceNode) and not items.value


def newline(text: str) -> str:
    """Return the line break the file uses."""
    return "\r\n" if "\r\n" in text else "\n"


def line_start(text: str, at: int) -> int:
    """Return where the line holding `at` starts."""
    return text.rfind("\n", 0, at) + 1


def line_end(text: str, at: int) -> int:
    """Return where the line after the one holding `at` starts (the end of the text on the last line)."""
    found = text.find("\n", at)
    return len(text) if found < 0 else found + 1


def content_end(text: str, node: yaml.Node) -> int:
    """Return where a value's own text ends: a block scalar's end mark lies past the line breaks that follow it."""
    if isinstance(node, yaml.ScalarNode):
        end = node.end_mark.index
        if node.style in ("|", ">"):
            while end > node.start_mark.index and text[end - 1] in " \t\r\n":
                end -= 1
        return end
    assert isinstance(node, yaml.CollectionNode)
    if node.flow_style or not node.value:
        return int(node.end_mark.index)
    last = node.value[-1]
    return content_end(text, last[1] if isinstance(node, yaml.MappingNode) else last)


def dash_line_start(text: str, item: yaml.Node) -> int:
    """Return where the line of an item's dash starts: most often the line of its first key."""
    at = item.start_mark.index - 1
    while at >= 0 and text[at] in " \t\r\n":
        at -= 1
    return line_start(text, at if at >= 0 and text[at] == "-" else item.start_mark.index)


def _ended(text: str, nl: str) -> str:
    return text if not text or text.endswith("\n") else text + nl


def first_item(text: str, root: yaml.Node | None, items: yaml.Node | None, annotation: dict[str, Any],
               nl: str) -> str:
    """Return the text with the first annotation written under `annotations:`, made if it is missing."""
    block = yaml_text.mapping_lines(annotation, _ITEM_DASH, nl)
    if items is None:
        if root is not None and root.start_mark.column != 0:
            raise SidecarEditError("the sidecar's keys are indented; fix it first")
        return _ended(text, nl) + "annotations:" + nl + block + nl
    start, end = items.start_mark.index, items.end_mark.index
    if text[end:line_end(text, end)].strip() == "":
        start = len(text[:start].rstrip(" "))
    text = text[:start] + text[end:]
    at = line_end(text, start)
    return _ended(text[:at], nl) + block + nl + text[at:]


def after_last_item(text: str, items: yaml.SequenceNode, annotation: dict[str, Any], nl: str) -> str:
    """Return the text with an annotation added to a block list, indented and spaced as the last one is."""
    first, last = items.value[0], items.value[-1]
    dash = items.start_mark.column
    keys_at = first.value[0][0].start_mark.column if isinstance(first, yaml.MappingNode) and first.value and \
        not first.flow_style else dash + 2
    at = line_end(text, content_end(text, last))
    gap = ""
    if len(items.value) > 1:
        between = text[line_end(text, content_end(text, items.value[-2])) : dash_line_start(text, last)]
        gap = nl if any(not line.strip() for line in between.split("\n")[:-1]) else ""
    return _ended(text[:at], nl) + gap + yaml_text.mapping_lines(annotation, dash, nl, keys_at) + nl + text[at:]


def set_key(text: str, index: int, key: str, value: Any) -> str:
    """Return the text with one key of annotation `index` set to value, or removed for None."""
    item = item_node(annotations_node(text)[1], index)
    pairs = item.value
    found = next((i for i, (k, _) in enumerate(pairs) if k.value == key), None)
    if item.flow_style:
        return _set_flow_key(text, pairs, found, key, value)
    nl = newline(text)
    if found is not None and value is not None:
        key_node, value_node = pairs[found]
        start, end = key_node.start_mark.index, content_end(text, value_node)
        comment = text[end : line_end(text, end)].strip() != ""
        shown = yaml_text.entry(key, value, key_node.start_mark.column, nl, inline=comment)
        return text[:start] + shown + text[end:]
    if found is not None:
        return _without_block_key(text, pairs, found)
    column: int = pairs[0][0].start_mark.column
    after = _insertion_point(pairs, key)
    at = line_end(text, content_end(text, pairs[after][1]))
    return _ended(text[:at], nl) + " " * column + yaml_text.entry(key, value, column, nl) + nl + text[at:]


def _insertion_point(pairs: list[tuple[yaml.Node, yaml.Node]], key: str) -> int:
    """Return the pair a new key goes after: the last one that KEY_ORDER puts before it, else the last."""
    rank = {name: i for i, name in enumerate(KEY_ORDER)}
    wanted = rank.get(key, len(rank))
    before = [i for i, (k, _) in enumerate(pairs) if rank.get(k.value, len(rank)) < wanted]
    return before[-1] if before else len(pairs) - 1


def _without_block_key(text: str, pairs: list[tuple[yaml.Node, yaml.Node]], found: int) -> str:
    key_node, value_node = pairs[found]
    start = line_start(text, key_node.start_mark.index)
    if text[start : key_node.start_mark.index].strip():  # the key follows the dash: the next key takes its place
        if found + 1 == len(pairs):
            raise SidecarEditError("an annotation cannot lose its last key; delete the annotation instead")
        return text[: key_node.start_mark.index] + text[pairs[found + 1][0].start_mark.index :]
    return text[:start] + text[line_end(text, content_end(text, value_node)) :]


def _set_flow_key(text: str, pairs: list[tuple[yaml.Node, yaml.Node]], found: int | None, key: str,
                  value: Any) -> str:
    if found is not None and value is not None:
        value_node = pairs[found][1]
        start, end = value_node.start_mark.index, content_end(text, value_node)
        return str(text[:start] + yaml_text.flow_value(value) + text[end:])
    if found is not None:
        spans = [(k.start_mark.index, content_end(text, v)) for k, v in pairs]
        return without_flow_part(text, spans, found)
    at = content_end(text, pairs[-1][1])
    return text[:at] + f", {yaml_text.scalar(key, flow=True)}: {yaml_text.flow_value(value)}" + text[at:]


def without_flow_part(text: str, spans: list[tuple[int, int]], index: int) -> str:
    """Return the text without part `index` of a flow collection, and the comma that joined it."""
    if index > 0:
        return text[: spans[index - 1][1]] + text[spans[index][1] :]
    if len(spans) > 1:
        return text[: spans[0][0]] + text[spans[1][0] :]
    return text[: spans[0][0]] + text[spans[0][1] :]
