"""Write values as YAML text that reads back as exactly the same data: plain where safe, else quoted."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

# Plain (unquoted) text is kept for what cannot be misread: no indicator first, no ': ' or ' #' inside, no spaces
# at the ends, nothing a YAML reader would take for a number, a date, true or null.
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:#\n]|:(?=\S)|(?<=\S)#)*(?<![\s:])")
_RESOLVER = yaml.resolver.Resolver()  # what a plain scalar would be read as: the SafeLoader's implicit types
_FLOW_INDICATORS = frozenset(",[]{}?:#")  # PyYAML ends a plain scalar in flow at these
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x85": "\\N", "\u2028": "\\L",
            "\u2029": "\\P", "\ufeff": "\\ufeff"}
# A literal block holds text of several lines as written: lines that a block would read otherwise are quoted.
_BLOCK_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]|[ ]\n|[ ]$|\n\n\n?$|\A[ \n]")


def scalar(text: str, *, flow: bool = False) -> str:
    """Return one line of YAML that reads back as text: plain if it can be, else double-quoted."""
    if _is_plain(text, flow):
        return text
    return '"' + "".join(_ESCAPES.get(char, _escaped(char)) for char in text) + '"'


def _is_plain(text: str, flow: bool) -> bool:
    if not _PLAIN.fullmatch(text) or not text.isprintable() or (flow and _FLOW_INDICATORS.intersection(text)):
        return False
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == "tag:yaml.org,2002:str"


def _escaped(char: str) -> str:
    if char.isprintable() or char == " ":
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def entry(key: str, value: Any, indent: int, newline: str = "\n", *, inline: bool = False) -> str:
    """Return `key: value` as block YAML whose later lines are indented by `indent` + 2; `inline` keeps it one line."""
    inner = " " * (indent + 2)
    if isinstance(value, str) and "\n" in value and not inline and not _BLOCK_UNSAFE.search(value):
        chomp = "" if value.endswith("\n") else "-"
        lines = value.removesuffix("\n").split("\n")
        return f"{key}: |{chomp}" + "".join(newline + (inner + line if line else "") for line in lines)
    if isinstance(value, Sequence) and not isinstance(value, str) and value and not inline:
        items = [mapping_lines(item, indent + 2, newline) if isinstance(item, Mapping) else
                 f"{inner}- {flow_value(item)}" for item in value]
        return f"{key}:" + "".join(newline + item for item in items)
    return f"{key}: {flow_value(value) if inline or not isinstance(value, str) else scalar(value)}"


def mapping_lines(mapping: Mapping[str, Any], dash: int, newline: str = "\n", keys_at: int | None = None) -> str:
    """Return a mapping as one block list item: its dash at column `dash`, its keys at `keys_at` (dash + 2)."""
    keys_at = dash + 2 if keys_at is None else keys_at
    lines = [entry(key, value, keys_at, newline) for key, value in mapping.items()]
    first = " " * dash + "-" + " " * (keys_at - dash - 1)
    return first + (newline + " " * keys_at).join(lines)


def flow_value(value: Any) -> str:
    """Return a value as flow YAML on one line: text quoted unless plain is safe even in a flow collection."""
    if isinstance(value, str):
        return scalar(value, flow=True)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{scalar(str(k), flow=True)}: {flow_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(flow_value(item) for item in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    raise TypeError(f"a sidecar holds text, lists and mappings, not {type(value).__name__}")
