"""The shortest quote, prefix and suffix that place a passage of the reading text exactly once."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from ..model import Reading
from ..render.reading import fold, fold_quote

_MAX_CONTEXT_WORDS = 64  # each side; a passage that these do not tell apart is in a text that repeats itself
_SPACE_RUN = re.compile(r"\s+")


@dataclass(frozen=True)
class Selector:
    """A W3C TextQuoteSelector as a sidecar holds it: the passage, and the context that tells it from its repeats."""

    quote: str
    prefix: str | None = None
    suffix: str | None = None


class SelectionError(ValueError):
    """A range of the reading text that no quote can place: empty, across blocks, or in code."""


def select(reading: Reading, start: int, end: int, tokens: Sequence[Token] | None = None) -> Selector:
    """Return the shortest selector that the anchor stage places on reading.text[start:end], trimmed of spaces.

    With the article's tokens, the quote and context keep the source's characters (curly quotation marks, say)
    where the reading text has folded ones."""
    start, end = _trimmed(reading.text, start, end)
    _check_range(reading, start, end)
    text = reading.text
    quote = text[start:end]
    others = [s for s in places_of(reading, quote) if s != start]
    prefix_at, suffix_at = _shortest_context(reading, start, end, others)
    shown = _shown_text(reading, tokens)
    prefix = shown(prefix_at, start) if prefix_at is not None else None
    suffix = shown(end, suffix_at) if suffix_at is not None else None
    return Selector(shown(start, end), prefix, suffix)


def places_of(reading: Reading, quote: str, prefix: str | None = None, suffix: str | None = None) -> list[int]:
    """Return every start where the anchor stage would find this selector: folded, in a text block, context fitting."""
    folded = fold_quote(quote)
    if not folded:
        return []
    before = None if prefix is None else fold(prefix).text
    after = None if suffix is None else fold(suffix).text
    text, found = reading.text, []
    at = text.find(folded)
    while at >= 0:
        end = at + len(folded)
        if (_in_text_block(reading, at, end) and (before is None or text[max(0, at - len(before)) : at] == before)
                and (after is None or text[end : end + len(after)] == after)):
            found.append(at)
        at = text.find(folded, at + 1)  # overlapping repeats count, as the anchor stage finds them
    return found


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    if not 0 <= start <= end <= len(text):
        raise SelectionError(f"range {start}..{end} is outside the text (0..{len(text)})")
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


def _check_range(reading: Reading, start: int, end: int) -> None:
    if start == end:
        raise SelectionError("the selection holds no text: select the words to annotate")
    block = reading.block_at(start)
    if block.is_code:
        raise SelectionError("the selection is inside a code block; code is not annotated")
    if end > block.end:
        raise SelectionError("the selection crosses from one block into the next (two paragraphs, or a list item "
                             "and the next); select within one block")


def _in_text_block(reading: Reading, start: int, end: int) -> bool:
    block = reading.block_at(start)
    return not block.is_code and end <= block.end


def _shortest_context(reading: Reading, start: int, end: int, others: list[int]) -> tuple[int | None, int | None]:
    """Return where the prefix starts and the suffix ends, fewest words first; None for no prefix or suffix."""
    if not others:
        return None, None
    text, length = reading.text, end - start
    prefixes = _prefix_starts(text, start)
    suffixes = _suffix_ends(text, end)
    # The repeats each prefix (or suffix) leaves standing, for 0, 1, 2... words: each set holds the one before.
    left = [set(others)] + [{s for s in others if s >= start - p and text[s - (start - p) : s] == text[p:start]}
                            for p in prefixes]
    right = [set(others)] + [{s for s in others if text[s + length : s + length + e - end] == text[end:e]}
                             for e in suffixes]
    block = reading.block_at(start)
    best: tuple[tuple[int, int, int], int, int] | None = None
    for i, remaining in enumerate(left):
        for j, rest in enumerate(right):
            if remaining & rest:
                continue
            crossing = int(i > 0 and prefixes[i - 1] < block.start) + int(j > 0 and suffixes[j - 1] > block.end)
            cost = (i + j, crossing, j)  # fewest words, then context within the block, then a prefix
            if best is None or cost < best[0]:
                best = (cost, i, j)
            break  # more suffix words for this prefix only cost more
    if best is None:
        raise SelectionError("the passage repeats with the same words around it; no prefix or suffix tells it apart")
    _, i, j = best
    return (prefixes[i - 1] if i else None), (suffixes[j - 1] if j else None)


def _prefix_starts(text: str, start: int) -> list[int]:
    """Return where a prefix of one, two, three... words would start, the nearest first."""
    starts: list[int] = []
    at = start
    while at > 0 and len(starts) < _MAX_CONTEXT_WORDS:
        at = text.rfind(" ", 0, at - 1) + 1 if text[at - 1] == " " else text.rfind(" ", 0, at) + 1
        starts.append(at)
    return starts


def _suffix_ends(text: str, end: int) -> list[int]:
    """Return where a suffix of one, two, three... words would end, the nearest first."""
    ends: list[int] = []
    at = end
    while at < len(text) and len(ends) < _MAX_CONTEXT_WORDS:
        space = text.find(" ", at + 1 if text[at] == " " else at)
        at = len(text) if space < 0 else space
        ends.append(at)
    return ends


def _shown_text(reading: Reading, tokens: Sequence[Token] | None) -> Callable[[int, int], str]:
    """Return a function giving a stretch of the reading text with the source's own characters, where it has them."""
    def shown(start: int, end: int) -> str:
        folded = reading.text[start:end]
        if tokens is None:
            return folded
        source = _SPACE_RUN.sub(" ", "".join(_source_parts(reading, tokens, start, end)))
        # Only what the anchor stage reads as the same text is used: anything else, and the folded text stands.
        return source if fold(source).text == folded else folded
    return shown


def _source_parts(reading: Reading, tokens: Sequence[Token], start: int, end: int) -> list[str]:
    """Return the source content behind reading.text[start:end], piece by piece; the spaces between are as read."""
    parts = []
    at = start
    while at < end:
        piece = reading.piece_at(at) if reading.pieces else None
        piece_end = piece.start + len(piece.folded.text) if piece else 0
        if piece is None or not piece.start <= at < piece_end:
            parts.append(reading.text[at])  # a space that joins blocks or stands for a line break
            at += 1
            continue
        token = tokens[piece.block]
        content = token.content if piece.child < 0 else (token.children or [])[piece.child].content
        stop = min(end, piece_end)
        begin = piece.folded.source_offset(at - piece.start)
        parts.append(content[begin : piece.folded.source_offset(stop - piece.start)])
        at = stop
    return parts
