"""Place a passage selected on a page on the article's reading text, as the anchor stage reads it.

A page's text is not the reading text character for character: blocks are apart by line breaks rather than one
space, quotation marks may be curly. The selected text is folded as the anchor stage folds a quote and found in the
reading text; among its repeats, the one whose surroundings are most like the page's prefix and suffix (compared
without their spaces) is the one selected. Then edit.selectors gives the shortest quote, prefix and suffix there."""

from __future__ import annotations

import re

from ..edit.selectors import SelectionError, Selector, places_of, select
from ..model import AnchoredArticle, Reading
from ..problems import shorten
from ..render.reading import fold, fold_quote

_SPACES = re.compile(r"\s+")


def place_selection(anchored: AnchoredArticle, exact: str, prefix: str | None = None, suffix: str | None = None,
                    position: tuple[int | None, int | None] | None = None) -> tuple[int, int, Selector]:
    """Return where the selected passage stands in the reading text and its shortest selector; raise
    SelectionError if it is not there, or its context does not say which of its repeats it is."""
    reading = anchored.reading
    start = _placed(reading, exact, prefix, suffix, position)
    end = start + len(fold_quote(exact))
    return start, end, select(reading, start, end, anchored.tokens)


def _placed(reading: Reading, exact: str, prefix: str | None, suffix: str | None,
            position: tuple[int | None, int | None] | None) -> int:
    folded = fold_quote(exact)
    if not folded:
        raise SelectionError("the selection holds no text: select the words to annotate")
    places = places_of(reading, folded)
    if position is not None and position[0] in places and position[1] == position[0] + len(folded):
        return position[0]  # a TextPositionSelector that agrees with the quote
    if not places:
        raise SelectionError(_not_found(reading, folded, exact))
    if len(places) == 1:
        return places[0]
    scored = sorted(((_fit(reading.text, at, len(folded), prefix, suffix), at) for at in places), reverse=True)
    if scored[0][0] == scored[1][0]:
        raise SelectionError(f"\"{shorten(exact.strip())}\" is in the article {len(places)} times and the text "
                             "around the selection does not tell which: select more words")
    return scored[0][1]


def _not_found(reading: Reading, folded: str, exact: str) -> str:
    """Say why the passage has no place: the reason edit.selectors gives for a range across blocks or in code."""
    at = reading.text.find(folded)
    if at >= 0:
        try:
            select(reading, at, at + len(folded))
        except SelectionError as error:
            return str(error)
    return (f"\"{shorten(exact.strip())}\" is not in the article's text as the page was built from it: "
            "reload the page and select again")


def _fit(text: str, at: int, length: int, prefix: str | None, suffix: str | None) -> int:
    """Count the characters of the prefix and suffix, spaces aside, that the text around `at` has too."""
    fit = 0
    if prefix:
        wanted, found = _squashed(prefix), _squashed(text[max(0, at - 4 * len(prefix) - 8) : at])
        fit += _common_length(wanted[::-1], found[::-1])
    if suffix:
        wanted, found = _squashed(suffix), _squashed(text[at + length : at + length + 4 * len(suffix) + 8])
        fit += _common_length(wanted, found)
    return fit


def _squashed(text: str) -> str:
    return _SPACES.sub("", fold(text).text)


def _common_length(one: str, other: str) -> int:
    length = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        length += 1
    return length
