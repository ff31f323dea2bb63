"""Parse YAML into plain data plus the file position of every key and value."""

from __future__ import annotations

from typing import Any

import yaml

from ..model import Located, Spot
from ..problems import REFUSED_CHARACTERS, Problem, Where, refused_character
from .yaml_mistakes import ADD_THE_DASH, explain, item_word

# Aliases let a few lines expand to billions of values ("billion laughs"); real
# sidecars use few or none, so a small bound costs nobody anything.
MAX_ALIAS_EXPANSION = 10_000
# A sidecar is six levels deep; the bound keeps recursion far from Python's limit.
MAX_DEPTH = 64

# libyaml's parser, where PyYAML was built with it, reads a large sidecar ten times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TEXT_TAGS = {
    "tag:yaml.org,2002:timestamp",  # keep dates as written; validate checks them
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:merge",  # '<<' anywhere but a key, and '=', are just text
    "tag:yaml.org,2002:value",
}
_TAG_WORDS = {
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:binary": "base64 data",
}

_UNREADABLE = object()  # stands for a scalar already reported; the data is never returned


class _Stop(Exception):
    """A problem that ends the parse: the rest of the events cannot be trusted or afforded."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


Built = tuple[Any, Spot, int]  # a value, its spot, and how many values it expands to


class _Builder:
    """Build plain data from parser events, one value at a time, with a spot for each.

    Events rather than PyYAML's node graph: the graph of a large sidecar costs hundreds
    of megabytes, and walking it recurses without bound through self-referring aliases.
    """

    def __init__(self, loader: Any, file: str, line_offset: int) -> None:
        self.loader = loader
        self.file = file
        self.line_offset = line_offset
        self.anchors: dict[str, Built] = {}
        self.anchor_lines: dict[str, int] = {}
        self.open_anchors: set[str] = set()
        self.expanded = 0
        self.problems: list[Problem] = []
        self.plain_tags: dict[str, str] = {}

    # Marks are typed Any: libyaml's and PyYAML's are different classes with the same fields.
    def where(self, mark: Any) -> Where:
        return Where(self.file, mark.line + 1 + self.line_offset, mark.column + 1)

    def spot(self, mark: Any, parts: Any = None) -> Spot:
        return (mark.line + 1 + self.line_offset, mark.column + 1, parts)

    def document(self) -> Built | None:
        self.loader.get_event()  # the stream's start
        if self.loader.check_event(yaml.StreamEndEvent):
            return None
        self.loader.get_event()  # the document's start
        built = self.node(0)
        self.loader.get_event()  # the document's end
        if not self.loader.check_event(yaml.StreamEndEvent):
            mark = self.loader.get_event().start_mark
            raise _Stop(Problem(self.where(mark), "a second YAML document starts here; a file holds one"))
        return built

    def node(self, depth: int, key: object = None, item: str | None = None) -> Built:
        """Build the next value: the value of key, or, if item names it, an item of a list."""
        event = self.loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            return self.alias(event)
        if depth > MAX_DEPTH:
            raise _Stop(Problem(self.where(event.start_mark), f"YAML nested more than {MAX_DEPTH} levels deep"))
        anchor = event.anchor
        if anchor is not None:
            self.open_anchor(anchor, event.start_mark)
        if isinstance(event, yaml.ScalarEvent):
            built = self.scalar(event)
        elif isinstance(event, yaml.SequenceStartEvent):
            built = self.sequence(event, depth, item_word(key))
        else:
            built = self.mapping(event, depth, item)
        if anchor is not None:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = built
        return built

    def open_anchor(self, anchor: str, mark: Any) -> None:
        if anchor in self.anchor_lines:
            first = self.anchor_lines[anchor]
            message = f"anchor '&{anchor}' is defined twice (first on line {first}); give each a name of its own"
            raise _Stop(Problem(self.where(mark), message))
        self.anchor_lines[anchor] = self.where(mark).line
        self.open_anchors.add(anchor)

    def alias(self, event: yaml.AliasEvent) -> Built:
        name = event.anchor
        where = self.where(event.start_mark)
        if name in self.open_anchors:
            raise _Stop(Problem(where, f"alias '*{name}' stands inside the value it names; a value cannot hold itself"))
        if name not in self.anchors:
            raise _Stop(Problem(where, f"alias '*{name}' names no anchor above it; define '&{name}' first"))
        value, spot, size = self.anchors[name]
        self.expanded += size
        if self.expanded > MAX_ALIAS_EXPANSION:
            message = f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} values; write the values out"
            raise _Stop(Problem(where, message))
        return value, self.spot(event.start_mark, spot[2]), size

    def scalar(self, event: yaml.ScalarEvent) -> Built:
        spot = self.spot(event.start_mark)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolved(event.value, event.implicit)
        if tag in _TEXT_TAGS:
            # Escapes such as "\0", "\e" or "\uFFFE" in double quotes make what the YAML reader refuses raw.
            bad = REFUSED_CHARACTERS.search(event.value)
            if bad:
                message = f"text holds {refused_character(bad.group())}; remove it"
                self.problems.append(Problem(self.where(event.start_mark), message))
            return event.value, spot, 1
        return self.construct(event, tag), spot, 1

    def resolved(self, value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of an untagged scalar. Kept for plain ones, by their text: a sidecar repeats its few keys
        thousands of times, and PyYAML's resolver tries its patterns again at each (the safe loader's resolver
        has no path resolvers, so the text and its style decide the tag)."""
        if not implicit[0]:
            return str(self.loader.resolve(yaml.ScalarNode, value, implicit))
        tag = self.plain_tags.get(value)
        if tag is None:
            tag = self.plain_tags[value] = str(self.loader.resolve(yaml.ScalarNode, value, implicit))
        return tag

    def construct(self, event: yaml.ScalarEvent, tag: str) -> Any:
        node = yaml.ScalarNode(tag, event.value, style=event.style)
        try:
            return self.loader.construct_object(node)
        except yaml.constructor.ConstructorError:
            message = f"unknown YAML tag '{tag}'; remove it, or put the value in quotes to keep it as text"
        except (ValueError, TypeError, ArithmeticError, LookupError):
            # "!!int abc", "!!bool maybe", or a number past Python's 4,300 digits
            text = event.value if len(event.value) <= 20 else event.value[:19] + "…"
            message = f"'{text}' cannot be read as {_TAG_WORDS.get(tag, tag)}; put it in quotes to keep it as text"
        self.problems.append(Problem(self.where(event.start_mark), message))
        return _UNREADABLE

    def sequence(self, event: yaml.SequenceStartEvent, depth: int, item: str) -> Built:
        items: list[Any] = []
        spots: list[Spot] = []
        size = 1
        while not self.loader.check_event(yaml.SequenceEndEvent):
            value, spot, count = self.node(depth + 1, item=item)
            items.append(value)
            spots.append(spot)
            size += count
        self.loader.get_event()
        return items, self.spot(event.start_mark, spots), size

    def mapping(self, event: yaml.MappingStartEvent, depth: int, item: str | None) -> Built:
        result: dict[str, Any] = {}
        parts: dict[str, tuple[int, int, Spot]] = {}
        merges: list[Built] = []
        size = 1
        split = False  # whether a duplicate key was reported as the start of a new item
        while not self.loader.check_event(yaml.MappingEndEvent):
            if _is_merge_key(self.loader.peek_event()):
                self.loader.get_event()
                merges.append(self.node(depth + 1))
                size += merges[-1][2]
                continue
            key_event = self.loader.peek_event()
            key, _, key_size = self.node(depth + 1)
            value, spot, value_size = self.node(depth + 1, key)
            size += key_size + value_size
            first = self.add(result, parts, key, key_event.start_mark, value, spot)
            if first is not None and not split:
                self.problems.append(self.duplicate(key, key_event.start_mark, first, item))
                # In an item, the keys after a missing '- ' repeat the item's keys: one cause, told once.
                split = item is not None
        self.loader.get_event()
        for merge in merges:
            self.merge(result, parts, merge)
        return result, self.spot(event.start_mark, parts), size

    def add(self, result: dict[str, Any], parts: dict[str, tuple[int, int, Spot]],
            key: Any, mark: Any, value: Any, spot: Spot) -> int | None:
        """Add key to the mapping; if it is set already, return the line it was first set on."""
        if key is _UNREADABLE:
            return None  # already reported
        if isinstance(key, (dict, list)) or key is None:
            shape = "a list" if isinstance(key, list) else "a mapping" if isinstance(key, dict) else "empty"
            self.problems.append(Problem(self.where(mark), f"a key must be text, but this key is {shape}"))
            return None
        key = str(key)  # 1: or true: as keys still name something; the schema judges them
        if key in parts:
            return parts[key][0]
        result[key] = value
        parts[key] = (mark.line + 1 + self.line_offset, mark.column + 1, spot)
        return None

    def duplicate(self, key: Any, mark: Any, first: int, item: str | None) -> Problem:
        where = self.where(mark)
        if item is None:
            return Problem(where, f"duplicate key '{key}' (first set on line {first}); keep one")
        # In a list of items, a repeated key most often means the next item lost its '- ': "keep one" would delete it.
        return Problem(where, f"'{key}' is set already on line {first}, so line {where.line} may start a new {item} "
                              f"that is missing its '- ': {ADD_THE_DASH} (or, if it is one {item}, keep one '{key}')")

    def merge(self, result: dict[str, Any], parts: dict[str, tuple[int, int, Spot]], merge: Built) -> None:
        """Add the keys of a '<<' merge that the mapping does not set itself (YAML 1.1)."""
        value, spot, _ = merge
        sources = list(zip(value, spot[2], strict=True)) if isinstance(value, list) else [(value, spot)]
        if not all(isinstance(source, dict) for source, _ in sources):
            message = "'<<' merges a mapping, or a list of mappings, into this one"
            self.problems.append(Problem(Where(self.file, spot[0], spot[1]), message))
            return
        for source, (_, _, source_parts) in sources:
            for key, item in source.items():
                if key not in result:
                    result[key] = item
                    parts[key] = source_parts[key]


def _is_merge_key(event: yaml.Event) -> bool:
    return (isinstance(event, yaml.ScalarEvent) and event.tag is None and event.implicit[0]
            and event.value == "<<")


def parse_yaml(text: str, file: str, *, line_offset: int = 0) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML document; return its located data, or None and the problems."""
    loader = _Loader(text)
    builder = _Builder(loader, file, line_offset)
    try:
        built = builder.document()
    except _Stop as stop:
        return None, [stop.problem]
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(error, text, file, line_offset)]
    except yaml.reader.ReaderError as error:
        return None, [_reader_problem(error, text, file, line_offset)]
    except yaml.YAMLError as error:
        return None, [Problem(Where(file, 1 + line_offset, 1), f"invalid YAML: {error}")]
    finally:
        loader.dispose()
    if builder.problems:
        return None, builder.problems
    if built is None:
        return Located(None, file, (1 + line_offset, 1, None)), []
    return Located(built[0], file, built[1]), []


def _reader_problem(error: yaml.reader.ReaderError, text: str, file: str, line_offset: int) -> Problem:
    # libyaml counts the position in UTF-8 bytes, PyYAML in characters: find the character instead.
    code = error.character if isinstance(error.character, int) else ord(error.character or "\0")
    at = max(text.find(chr(code)), 0)
    line = text.count("\n", 0, at)
    col = at - (text.rfind("\n", 0, at) + 1)
    message = f"invalid YAML: {refused_character(chr(code))} is not allowed; remove it"
    return Problem(Where(file, line + 1 + line_offset, col + 1), message)


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, file: str, line_offset: int) -> Problem:
    explained = explain(error, text, _Loader, line_offset)
    return Problem(Where(file, explained.line + 1 + line_offset, explained.col + 1), explained.message)
