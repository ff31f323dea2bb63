"""Parse YAML into plain data plus the file position of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Problem, Where

YamlPath = tuple[str | int, ...]

# Aliases let a few lines expand to billions of nodes ("billion laughs"); real
# sidecars use few or none, so a small bound costs nobody anything.
MAX_ALIAS_EXPANSION = 10_000

# libyaml's parser, where PyYAML was built with it, reads a large sidecar ten times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PLAIN_TAGS = {
    "tag:yaml.org,2002:timestamp",  # keep dates as written; validate checks them
    "tag:yaml.org,2002:str",
}


@dataclass(frozen=True)
class Located:
    """Plain YAML data with the position of each value and mapping key."""

    data: Any
    value_at: dict[YamlPath, Where] = field(default_factory=dict)
    key_at: dict[YamlPath, Where] = field(default_factory=dict)

    def where(self, path: YamlPath, *, key: bool = False) -> Where:
        """Return the position of the value (or key) at path, or its nearest parent."""
        table = self.key_at if key else self.value_at
        for end in range(len(path), -1, -1):
            found = table.get(path[:end])
            if found is not None:
                return found
        return next(iter(self.value_at.values()))


class _Converter:
    def __init__(self, loader: yaml.SafeLoader, file: str, line_offset: int) -> None:  # or CSafeLoader
        self.loader = loader
        self.file = file
        self.line_offset = line_offset
        self.value_at: dict[YamlPath, Where] = {}
        self.key_at: dict[YamlPath, Where] = {}
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.expanded = 0

    def where(self, node: yaml.Node) -> Where:
        mark = node.start_mark
        return Where(self.file, mark.line + 1 + self.line_offset, mark.column + 1)

    def convert(self, node: yaml.Node, path: YamlPath) -> Any:
        self._count_alias(node)
        self.value_at[path] = self.where(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag in _PLAIN_TAGS:
            return node.value
        return self.loader.construct_object(node)

    def _count_alias(self, node: yaml.Node) -> None:
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise _AliasBomb(self.where(node))
        elif isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self.seen.add(id(node))

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        self.loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int, bool, float)) or key is None:
                self.problems.append(Problem(self.where(key_node), "a key must be plain text"))
                continue
            key = str(key)
            if key in result:
                self.problems.append(Problem(self.where(key_node), f"duplicate key '{key}'"))
                continue
            self.key_at[(*path, key)] = self.where(key_node)
            result[key] = self.convert(value_node, (*path, key))
        return result


class _AliasBomb(Exception):
    def __init__(self, where: Where) -> None:
        self.where = where


def parse_yaml(text: str, file: str, *, line_offset: int = 0) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML document; return its located data, or None and the problems."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(None, {(): Where(file, 1 + line_offset, 1)}), []
        converter = _Converter(loader, file, line_offset)
        data = converter.convert(node, ())
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(error, text, file, line_offset)]
    except _AliasBomb as bomb:
        message = f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes; write the values out"
        return None, [Problem(bomb.where, message)]
    except yaml.YAMLError as error:
        return None, [Problem(Where(file, 1 + line_offset, 1), f"invalid YAML: {error}")]
    finally:
        loader.dispose()
    if converter.problems:
        return None, converter.problems
    return Located(data, converter.value_at, converter.key_at), []


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, file: str, line_offset: int) -> Problem:
    mark = error.problem_mark or error.context_mark
    if error.context_mark and "end of stream" in (error.problem or ""):
        mark = error.context_mark  # an unclosed quote is best shown where it opens
    lines = text.split("\n")
    line, col = (mark.line, mark.column) if mark else (0, 0)
    if line >= len(lines) or (line == len(lines) - 1 and not lines[line] and line):
        line = len(lines) - 2 if not lines[-1] and len(lines) > 1 else len(lines) - 1
        col = len(lines[line])  # the file ended too soon: point just past its end
    message = "; ".join(part for part in (error.context, error.problem) if part)
    if "\t" in lines[line][: col + 1]:
        message += " (a tab: indent with spaces, YAML does not allow tabs there)"
    return Problem(Where(file, line + 1 + line_offset, col + 1), f"invalid YAML: {message}")
