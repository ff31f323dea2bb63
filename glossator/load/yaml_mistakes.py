"""Say what a YAML syntax mistake is, where to act and how to fix it, in an editor's words.

PyYAML (and libyaml, whose wording differs) describe a mistake by what the parser expected;
the mistakes editors make most are recognised here from the error and the tokens before it.
Any other error keeps the parser's wording, in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import yaml

# What to call an item of a list, by the key that holds the list; these lists are the ones
# editors extend by copying an item, and so the ones where an item loses its '- '.
ITEM_WORDS = {"annotations": "annotation", "sources": "source"}
ADD_THE_DASH = "write '- ' before its first key, in line with the '- ' above"
# Where YAML 1.1, and so the parser's marks, ends a line: also at a line or paragraph separator and a next-line.
_YAML_LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def item_word(list_key: object) -> str:
    """Name an item of the list under list_key: 'annotation', 'source' or 'item'."""
    return ITEM_WORDS.get(list_key, "item") if isinstance(list_key, str) else "item"


@dataclass(frozen=True)
class Explained:
    """Where an editor must act (0-based, within the parsed text) and what to tell them."""

    line: int
    col: int
    message: str


def explain(error: yaml.MarkedYAMLError, text: str, loader: Any, line_offset: int) -> Explained:
    """Explain a syntax error of text, parsed with the loader class; line numbers in words count line_offset."""
    lines = _YAML_LINE_BREAKS.split(text)  # as the marks count lines
    mark = error.problem_mark or error.context_mark
    at = (mark.line, mark.column) if mark else (0, 0)
    context, problem = error.context or "", error.problem or ""
    number = _LineNumbers(line_offset)
    if context == "while scanning a quoted scalar" and error.context_mark and "end of stream" in problem:
        return _never_closed(error.context_mark, lines, number)
    tokens = _tokens_up_to(text, loader, at)
    if context == "while scanning a simple key" and error.context_mark:
        at = (error.context_mark.line, error.context_mark.column)  # the line that lacks its ':'
        return _tab(at, lines, number) or _not_a_key(at[0], tokens, lines, number) or _as_written(error, lines)
    return (_tab(at, lines, number)
            or _missing_dash(tokens, number)
            or _run_on_quote(at, tokens, lines, number)
            or (_colon_in_value(at, tokens, lines, number) if "mapping values are not allowed" in problem else None)
            or (_misaligned(at[0], tokens, lines, number) if _starts_its_line(at, lines) else None)
            or _as_written(error, lines))


@dataclass(frozen=True)
class _LineNumbers:
    offset: int

    def __call__(self, line: int) -> int:
        return line + 1 + self.offset


def _tokens_up_to(text: str, loader: Any, at: tuple[int, int]) -> list[Any]:
    """The tokens that start at or before `at`, as far as the scanner gets."""
    scanner = loader(text)
    tokens: list[Any] = []
    try:
        while scanner.check_token():
            token = scanner.get_token()
            if (token.start_mark.line, token.start_mark.column) > at:
                break
            tokens.append(token)
    except yaml.YAMLError:
        pass  # the mistake itself: the tokens before it are what is wanted
    finally:
        scanner.dispose()
    return tokens


def _never_closed(mark: Any, lines: list[str], number: _LineNumbers) -> Explained:
    quote = (lines[mark.line][mark.column : mark.column + 1] if mark.line < len(lines) else "") or '"'
    return Explained(mark.line, mark.column,
                     f"the quotation mark {quote} opened at {number(mark.line)}:{mark.column + 1} is never closed; "
                     f"put another {quote} at the end of the value")


def _tab(at: tuple[int, int], lines: list[str], number: _LineNumbers) -> Explained | None:
    line, col = at
    if line >= len(lines):
        return None
    text = lines[line]
    indent = len(text) - len(text.lstrip(" \t"))
    if "\t" in text[:indent] and col <= indent:
        col = text.index("\t")
        return Explained(line, col, f"line {number(line)} is indented with a tab, and YAML allows only spaces there; "
                                    "replace the tab with spaces")
    if text[col:col + 1] == "\t":
        return Explained(line, col, "a tab, where YAML allows only spaces; replace it with a space")
    return None


def _run_on_quote(at: tuple[int, int], tokens: list[Any], lines: list[str],
                  number: _LineNumbers) -> Explained | None:
    """A quoted value that runs over lines and ends where the mistake is: most likely a quotation mark left open."""
    before = [t for t in tokens if (t.end_mark.line, t.end_mark.column) <= at]
    last = before[-1] if before else None
    if not (isinstance(last, yaml.ScalarToken) and last.style in ('"', "'")
            and last.start_mark.line < last.end_mark.line == at[0]):
        return None
    start = last.start_mark
    return Explained(start.line, start.column,
                     f"the quotation mark {last.style} opened at {number(start.line)}:{start.column + 1} is not "
                     f"closed on its line, so the value runs on to line {number(last.end_mark.line)}; "
                     f"close it on line {number(start.line)}")


def _colon_in_value(at: tuple[int, int], tokens: list[Any], lines: list[str],
                    number: _LineNumbers) -> Explained | None:
    """': ' inside an unquoted value; or, on a line that continues a value, a key indented too deep."""
    scalars = [t for t in tokens if isinstance(t, yaml.ScalarToken) and t.plain]
    if not scalars or (scalars[-1].end_mark.line, scalars[-1].end_mark.column) > at:
        return None
    value = scalars[-1].start_mark
    line, col = at
    no_space = _no_space_after_colon(value.line, lines, value.column)
    if no_space:
        return no_space
    continued = value.line < line
    if continued and re.fullmatch(r"\s*[^\s#]+", lines[line][:col]):
        misaligned = _misaligned(line, tokens, lines, number)
        if misaligned:
            return misaligned
    where = f" (on line {number(line)})" if continued else ""
    colon = "':' at the end of a line" if not lines[line][col + 1:].strip(" ") else "': '"
    written = lines[value.line][value.column:]
    if '"' not in written:
        quotes = 'quotation marks ("...")'
    elif "'" not in written:
        quotes = "single quotation marks ('...')"
    else:
        quotes = "single quotation marks ('...'), writing each ' inside it twice"
    return Explained(value.line, value.column,
                     f"this value holds {colon}{where}, which YAML reads as a new key; put the whole value in {quotes}")


@dataclass
class _Block:
    """An open block mapping or list, as the scanner's indentation opens it."""

    col: int
    is_list: bool
    list_key: object = None  # for a list, the key it is the value of
    keys: list[tuple[int, int, str]] = field(default_factory=list)  # (line, col, name) of each key
    dashes: list[tuple[int, int]] = field(default_factory=list)  # (line, col) of each '- '


def _blocks(tokens: list[Any]) -> tuple[list[_Block], tuple[int, int, _Block] | None]:
    """Replay the block structure of tokens: the blocks still open at the end, and the last key
    that stands where an item of a list was expected (its line, column and list)."""
    blocks: list[_Block] = [_Block(-1, False)]
    flow = 0
    keyless: tuple[int, int, _Block] | None = None
    for index, token in enumerate(tokens):
        mark = token.start_mark
        if isinstance(token, (yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
            flow += 1
        elif isinstance(token, (yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
            flow -= 1
        elif flow:
            continue
        elif isinstance(token, yaml.BlockMappingStartToken):
            blocks.append(_Block(mark.column, False))
        elif isinstance(token, yaml.BlockSequenceStartToken):
            last_key = blocks[-1].keys[-1][2] if blocks[-1].keys else None
            blocks.append(_Block(mark.column, True, last_key))
        elif isinstance(token, yaml.BlockEndToken) and len(blocks) > 1:
            blocks.pop()
        elif isinstance(token, yaml.BlockEntryToken):
            blocks[-1].dashes.append((mark.line, mark.column))
        elif isinstance(token, yaml.KeyToken):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            name = following.value if isinstance(following, yaml.ScalarToken) else "?"
            blocks[-1].keys.append((mark.line, mark.column, name))
            if blocks[-1].is_list and mark.column == blocks[-1].col:
                keyless = (mark.line, mark.column, blocks[-1])
    return blocks, keyless


def _missing_dash(tokens: list[Any], number: _LineNumbers) -> Explained | None:
    """A key at the column of a list's '- ': the key of a new item that lost its '- '."""
    _, keyless = _blocks(tokens)
    if keyless is None:
        return None
    line, col, block = keyless
    word = item_word(block.list_key)
    return Explained(line, col, f"line {number(line)} may start a new {word} that is missing its '- ': {ADD_THE_DASH}")


def _starts_its_line(at: tuple[int, int], lines: list[str]) -> bool:
    line, col = at
    return line < len(lines) and col < len(lines[line]) and not lines[line][:col].strip()


def _misaligned(line: int, tokens: list[Any], lines: list[str], number: _LineNumbers) -> Explained | None:
    """A line that lines up with nothing above it: say how far it is indented, and how far its likely sibling."""
    blocks, _ = _blocks([t for t in tokens if t.start_mark.line < line])
    text = lines[line]
    col = len(text) - len(text.lstrip(" "))
    is_item = text[col:col + 2] in ("- ", "-")
    if not is_item and not _KEY_LINE.match(text):
        return _not_a_key(line, tokens, lines, number)
    # The places line's first token could line up with: each open block's last key, or last '- '.
    above: list[tuple[int, int, str]] = []
    for block in reversed(blocks):
        if is_item and block.dashes:
            above.append((*block.dashes[-1], ""))
        elif not is_item and block.keys and not block.is_list:
            above.append(block.keys[-1])
    if not above or any(other_col == col for _, other_col, _ in above):
        return None
    other_line, other_col, name = min(above, key=lambda spot: abs(spot[1] - col))
    other_text = lines[other_line]
    counting = ", counting its '- '" if other_col != len(other_text) - len(other_text.lstrip(" ")) else ""
    what = "the '- ' items of one list" if is_item else "the keys of one mapping"
    sibling = f"line {number(other_line)} above it" + (f" ('{name}')" if name else "")
    fix = f"indent line {number(line)} by {_spaces(other_col)}" if other_col else (
        f"remove the spaces before line {number(line)}")
    return Explained(line, col, f"line {number(line)} is indented {_spaces(col)}, but {sibling} {other_col}{counting}: "
                                f"{what} must line up, so {fix}")


# A line that sets a key: the key (plain or quoted, after any '- '), then ':' and a space or the line's end.
_KEY_LINE = re.compile(r"""\s*(?:-\s+)*(?:"[^"]*"|'[^']*'|[^\s#'"][^#]*?)\s*:(?:\s|$)""")
# 'key:value', which YAML reads as text: a key-like word, ':', then neither a space nor an address's '//'.
_NO_SPACE = re.compile(r"\s*(?:-\s+)*[A-Za-z_][\w-]*(:)(?=[^\s/])")


def _no_space_after_colon(line: int, lines: list[str], start: int = 0) -> Explained | None:
    found = _NO_SPACE.match(lines[line], start) if line < len(lines) else None
    if not found:
        return None
    key = lines[line][start:found.start(1)].strip(" -")
    return Explained(line, found.start(1), f"'{key}:' has no space after ':', so YAML reads this as text, not a key; "
                                           "put a space after ':'")


def _not_a_key(line: int, tokens: list[Any], lines: list[str], number: _LineNumbers) -> Explained | None:
    """A line that sets no key: a value broken over lines, or a key without its ': '."""
    no_space = _no_space_after_colon(line, lines)
    if no_space:
        return no_space
    previous = next((line_above for line_above in range(line - 1, -1, -1) if lines[line_above].strip()), None)
    no_space = _no_space_after_colon(previous, lines) if previous is not None else None
    if no_space:
        return no_space
    keys = [(token.start_mark, following) for token, following in pairwise(tokens)
            if isinstance(token, yaml.KeyToken) and token.start_mark.line < line]
    if not keys or line >= len(lines):
        return None
    key, name = keys[-1]
    word = name.value if isinstance(name, yaml.ScalarToken) else "the key"
    text = lines[line]
    return Explained(line, len(text) - len(text.lstrip(" ")),
                     f"line {number(line)} is not 'key: value': if it goes on from the value of '{word}' on line "
                     f"{number(key.line)}, indent it more than '{word}'; if it is a key, write ': ' after it")


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def _as_written(error: yaml.MarkedYAMLError, lines: list[str]) -> Explained:
    """Any other mistake: the parser's own words, in one line, at its mark."""
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line, mark.column) if mark else (0, 0)
    if line >= len(lines) or (line == len(lines) - 1 and not lines[line] and line):
        line = len(lines) - 2 if not lines[-1] and len(lines) > 1 else len(lines) - 1
        col = len(lines[line])  # the file ended too soon: point just past its end
    message = "; ".join(" ".join(part.split()) for part in (error.context, error.problem) if part)
    return Explained(line, col, f"invalid YAML: {message}")
