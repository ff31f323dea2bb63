
"""The text a reader sees, folded for matching, with a map back to the tokens."""

from __future__ import annotations

import re
import unicodedata

from markdown_it.token import Token

from ..model import Block, Folded, Piece, Reading

_QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})
_TEXT_CHILDREN = {"text", "code_inline"}
_SPACE_CHILDREN = {"softbreak", "hardbreak"}
_CODE_BLOCKS = {"fence", "code_block"}


_SPACE_RUN = re.compile(r"\s+")
_ODD_SPACE = re.compile(r"[^\S ]|  ")


def fold(text: str, *, after_space: bool = False) -> Folded:
    """Fold as a reader compares text: NFC, one space per whitespace run, straight quotes."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            return _fold_decomposed(text, after_space)
        text = straight_quotes(text)
    if not _has_odd_space(text, after_space):
        return Folded(text)
    parts: list[str] = []
    folded_starts: list[int] = []
    source_starts: list[int] = []
    length = position = 0
    for run in _SPACE_RUN.finditer(text):
        if run.start() > position:
            _segment(parts, folded_starts, source_starts, text[position : run.start()], length, position)
            length += run.start() - position
        if not (after_space and run.start() == 0):
            _segment(parts, folded_starts, source_starts, " ", length, run.start())
            length += 1
        position = run.end()
    if position < len(text):
        _segment(parts, folded_starts, source_starts, text[position:], length, position)
        length += len(text) - position
    # past the end maps to the end, even when the text ended in a run of spaces
    folded_starts.append(length)
    source_starts.append(len(text))
    return Folded("".join(parts), tuple(folded_starts) or (0,), tuple(source_starts) or (0,))


def _segment(parts: list[str], folded_starts: list[int], source_starts: list[int],
             piece: str, folded_at: int, source_at: int) -> None:
    parts.append(piece)
    folded_starts.append(folded_at)
    source_starts.append(source_at)


def _fold_decomposed(text: str, after_space: bool) -> Folded:
    """Fold text that is not in NFC, cluster by cluster (rare: most text arrives composed)."""
    parts: list[str] = []
    folded_starts: list[int] = []
    source_starts: list[int] = []
    for offset, cluster in _clusters(text):
        for char in cluster:
            if char.isspace():
                if after_space:
                    continue
                char, after_space = " ", True
            else:
                after_space = False
            _segment(parts, folded_starts, source_starts, char.translate(_QUOTE_MARKS), len(parts), offset)
    _segment(parts, folded_starts, source_starts, "", len(parts), len(text))
    return Folded("".join(parts), tuple(folded_starts), tuple(source_starts))


def straight_quotes(text: str) -> str:
    """Return text with curly quotation marks made straight: one char for one, so offsets stay put."""
    return text.translate(_QUOTE_MARKS)


def fold_quote(text: str) -> str:
    """Fold a quote from a sidecar: also drop whitespace at its ends."""
    return fold(text.strip()).text


def _has_odd_space(text: str, after_space: bool) -> bool:
    """Tell whether folding would change the spaces: a run, a tab, a newline, a no-break space."""
    return (after_space and text[:1].isspace()) or _ODD_SPACE.search(text) is not None


def _clusters(text: str) -> list[tuple[int, str]]:
    """Split into a base char plus its combining marks, each in NFC with its offset."""
    clusters: list[tuple[int, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            clusters.append((start, unicodedata.normalize("NFC", text[start:i])))
            start = i
    return clusters


def read(tokens: list[Token]) -> Reading:
    """Collect the reading text of a token stream, remembering where each part came from.

    Blocks are joined by one space; in a block, each text child (or a code block's content) is folded, and a line
    break is a space unless one precedes it. One loop with its state in locals: a long article has tens of
    thousands of children, and a method call or two for each was a third of the time."""
    parts: list[str] = []
    pieces: list[Piece] = []
    blocks: list[Block] = []
    length = 0
    after_space = True
    for index, token in enumerate(tokens):
        is_code = token.type in _CODE_BLOCKS
        if token.type != "inline" and not is_code:
            continue
        if length:
            parts.append(" ")
            length += 1
            after_space = True
        block_start = length
        for number, child in enumerate(token.children or ()) if not is_code else ((-1, token),):
            if is_code or child.type in _TEXT_CHILDREN:
                folded = fold(child.content, after_space=after_space)
                text = folded.text
                if text:
                    pieces.append(Piece(length, index, number, folded))
                    parts.append(text)
                    length += len(text)
                    after_space = text[-1] == " "
            elif child.type in _SPACE_CHILDREN and not after_space:
                parts.append(" ")
                length += 1
                after_space = True
        blocks.append(Block(block_start, length, index, is_code))
    return Reading("".join(parts), tuple(pieces), tuple(blocks),
                   tuple(p.start for p in pieces), tuple(b.start for b in blocks))
