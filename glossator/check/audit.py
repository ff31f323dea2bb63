"""The source audit: a page may differ from its received text only where a correction says.

Put back each correction's `original` where its quote stands, add the front matter
fields that `source_frame` names, and the words must be the received text's words.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from ..anchor.explain import where_in_article
from ..model import Anchor, AnchoredArticle, Article
from ..problems import Problem, Where
from ..render.reading import fold

_WORD = re.compile(r"\S+")
_MAX_REPORTED = 10
_CONTEXT_WORDS = 4


@dataclass(frozen=True)
class _Origin:
    """Where a stretch of the reconstructed text came from."""

    start: int  # offset in the reconstructed text
    page_offset: int | None = None  # offset in the reading text, for page text
    where: Where | None = None  # for a correction's original or a front matter field




def audit_article(anchored: AnchoredArticle) -> list[Problem]:
    """Compare an article's page, with corrections put back, to its received text."""
    corrections = sorted((a for a in anchored.anchors if a.annotation.kind == "correction"), key=lambda a: a.start)
    problems = _overlaps(corrections)
    if problems:
        return problems
    text, origins = _reconstruct(anchored, corrections)
    ours = [(m.group(), m.start()) for m in _WORD.finditer(text)]
    theirs = fold(anchored.article.received or "").text.split()
    if [word for word, _ in ours] == theirs:
        return []
    return _differences(anchored, ours, theirs, origins)


def _overlaps(corrections: list[Anchor]) -> list[Problem]:
    problems = []
    for previous, current in itertools.pairwise(corrections):
        if current.start < previous.end:
            message = (f"this correction overlaps another (\"{previous.annotation.quote}\"); "
                       "the audit cannot put both originals back: merge them into one")
            problems.append(Problem(current.annotation.where, message))
    return problems


def _reconstruct(anchored: AnchoredArticle, corrections: list[Anchor]) -> tuple[str, list[_Origin]]:
    article, page = anchored.article, anchored.reading.text
    parts: list[str] = []
    origins: list[_Origin] = []

    def add(text: str, origin: _Origin) -> None:
        origins.append(origin)
        parts.append(text)

    length = 0
    for name in article.meta.source_frame_before:
        length = _add_field(add, length, article, name)
    position = 0
    for correction in corrections:
        add(page[position : correction.start], _Origin(length, page_offset=position))
        length += correction.start - position
        original = fold(correction.annotation.original or "").text
        add(original, _Origin(length, where=correction.annotation.where))
        length += len(original)
        position = correction.end
    add(page[position:] + " ", _Origin(length, page_offset=position))
    length += len(page) - position + 1
    for name in article.meta.source_frame_after:
        length = _add_field(add, length, article, name)
    return "".join(parts), origins


def _add_field(add: Callable[[str, _Origin], None], length: int, article: Article, name: str) -> int:
    value = " " + fold(getattr(article.meta, name) or "").text + " "
    add(value, _Origin(length, where=article.where_of_meta.get("source_frame", Where(article.path))))
    return length + len(value)


def _differences(anchored: AnchoredArticle, ours: list[tuple[str, int]], theirs: list[str],
                 origins: list[_Origin]) -> list[Problem]:
    words = [word for word, _ in ours]
    import difflib  # here: only a failed audit needs it

    matcher = difflib.SequenceMatcher(None, words, theirs, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    problems = []
    for _tag, i1, i2, j1, j2 in changes[:_MAX_REPORTED]:
        anchor_at = ours[min(i1, len(ours) - 1)][1] if ours else 0
        where = _where(anchored, origins, anchor_at)
        page_words = _excerpt(words, i1, i2)
        received_words = _excerpt(theirs, j1, j2)
        message = (f"the page differs from the received text here and no correction declares it: "
                   f"page reads \"{page_words}\", received text reads \"{received_words}\"")
        problems.append(Problem(where, message + _remedy(anchored, ours, theirs, origins, (i1, i2, j1, j2))))
    if len(changes) > _MAX_REPORTED:
        where = Where(anchored.article.path, anchored.article.body_line, 1)
        problems.append(Problem(where, f"{len(changes) - _MAX_REPORTED} more undeclared differences"))
    return problems


_FRAME_FIELDS = ("title", "subtitle", "byline", "credit")
_MOST_CONTEXT_WORDS = 3  # a suggested correction's quote takes up to this many words on each side to be unique


def _remedy(anchored: AnchoredArticle, ours: list[tuple[str, int]], theirs: list[str], origins: list[_Origin],
            change: tuple[int, int, int, int]) -> str:
    """Say how to declare the difference, when that can be said for sure: the front matter fields the received text
    opens or closes with, or a correction whose quote stands once on the page."""
    i1, i2, j1, j2 = change
    side = "before" if i1 == i2 == 0 else "after" if i1 == i2 == len(ours) else None
    fields = _fields_spelling(anchored.article, theirs[j1:j2]) if side else None
    if fields:
        verb, listed = "opens" if side == "before" else "closes", ", ".join(fields)
        pronoun = "it" if len(fields) == 1 else "them"
        return f"; the received text {verb} with the {' and '.join(fields)}: list {pronoun} in the front matter's " \
               f"source_frame, under {side}: [{listed}]"
    return _correction(anchored, ours, theirs, origins, change)


def _fields_spelling(article: Article, received: list[str]) -> list[str] | None:
    """Return the front matter fields whose words, one after another, are these words; None if there are none."""
    fields: list[str] = []
    while received:
        name = next((name for name in _FRAME_FIELDS if (words := _field_words(article, name))
                     and received[: len(words)] == words), None)
        if name is None:
            return None
        fields.append(name)
        received = received[len(_field_words(article, name)) :]
    return fields or None


def _field_words(article: Article, name: str) -> list[str]:
    return fold(getattr(article.meta, name, None) or "").text.split()


def _correction(anchored: AnchoredArticle, ours: list[tuple[str, int]], theirs: list[str], origins: list[_Origin],
                change: tuple[int, int, int, int]) -> str:
    i1, i2, j1, j2 = change
    reading = anchored.reading
    # Words on both sides first, then on one side only, which a change at a block's start or end needs.
    widths = [(pad, pad) for pad in range(1, _MOST_CONTEXT_WORDS + 1)]
    for before, after in widths + [(pad, 0) for pad, _ in widths] + [(0, pad) for pad, _ in widths]:
        low, high = max(0, i1 - before), min(len(ours), i2 + after)
        offsets = [_page_offset(origins, offset) for _, offset in ours[low:high]]
        if not offsets or None in offsets:
            continue  # no words, or a word of a front matter field or of another correction: no quote can say it
        quote = " ".join(word for word, _ in ours[low:high])
        start = offsets[0] or 0
        if reading.text.count(quote) == 1 and start + len(quote) <= reading.block_at(start).end:
            original = " ".join(theirs[max(0, j1 - (i1 - low)) : j2 + (high - i2)])
            return f"; if the change is meant, declare it: add a correction with quote \"{quote}\" and original " \
                   f"\"{original}\""
    return ""


def _page_offset(origins: list[_Origin], offset: int) -> int | None:
    """Return where a word of the reconstructed text stands in the reading text, or None if it is not page text."""
    origin = origins[bisect_right([o.start for o in origins], offset) - 1]
    return None if origin.page_offset is None else origin.page_offset + offset - origin.start


def _where(anchored: AnchoredArticle, origins: list[_Origin], offset: int) -> Where:
    origin = origins[bisect_right([o.start for o in origins], offset) - 1]
    if origin.where is not None:
        return origin.where
    page_offset = (origin.page_offset or 0) + offset - origin.start
    page_offset = min(max(page_offset, 0), max(len(anchored.reading.text) - 1, 0))
    return where_in_article(anchored.article, anchored.tokens, anchored.reading, page_offset)


def _excerpt(words: list[str], start: int, end: int) -> str:
    before = words[max(0, start - _CONTEXT_WORDS) : start]
    changed = words[start:end]
    after = words[end : end + _CONTEXT_WORDS]
    return " ".join([*before, "[" + " ".join(changed) + "]", *after])
