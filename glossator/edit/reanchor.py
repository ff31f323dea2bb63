"""Find a lost quote's new place after the text changed, as Hypothesis re-anchors: context first, then the quote.

Candidates are the quote's exact repeats, the passages most like the quote alone, and the passage most like the
prefix, quote and suffix together (rapidfuzz finds them in the folded reading text, C++ fast). Each candidate's
bounds come from aligning its words with the old quote's, so that words changed inside the quote stay in it and
words added around it stay out. A candidate is scored by how like the old quote it is, and how like the old prefix
and suffix its context is: the best one wins if it is sure enough and clearly better than any other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein, Opcode

from ..model import Reading
from ..render.reading import fold, fold_quote
from .selectors import SelectionError, Selector, places_of, select

THRESHOLD = 0.7  # below it a passage is too unlike the quote and its context to move a note onto
# A runner-up as like the quote as this, whose context is as like too, makes the place a guess.
MARGIN, CONTEXT_MARGIN = 0.05, 0.1
_CONTEXT_WEIGHT = 0.15  # the quote is the passage annotated; its context mostly tells repeats apart
_FUZZY_CANDIDATES = 3
_MASK = "\0"  # never in a reading text: stands for a candidate already taken


@dataclass(frozen=True)
class Reanchored:
    """A quote's new place: the shortest selector there, its range, how sure, and what changed in words."""

    selector: Selector
    start: int
    end: int
    confidence: float
    summary: str


@dataclass(frozen=True)
class Orphan:
    """A quote with no place it can be moved to with confidence, and why."""

    reason: str
    confidence: float = 0.0


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    likeness: float  # of the passage to the old quote
    fit: float  # of its context to the old prefix and suffix

    @property
    def confidence(self) -> float:
        return self.likeness * (1 - _CONTEXT_WEIGHT * (1 - self.fit))


def reanchor(reading: Reading, quote: str, prefix: str | None = None, suffix: str | None = None,
             tokens: Sequence[Token] | None = None, *, threshold: float = THRESHOLD) -> Reanchored | Orphan:
    """Find where a selector that no longer places now stands in the reading text, or say why it is an orphan."""
    old = _Old(fold_quote(quote), None if prefix is None else fold(prefix).text,
               None if suffix is None else fold(suffix).text)
    candidates = sorted(_candidates(reading, old), key=lambda c: (-c.confidence, c.start))
    if not candidates:
        return Orphan("no passage of the article is like the quote")
    best = candidates[0]
    shown = reading.text[best.start : best.end]
    if best.confidence < threshold:
        return Orphan(f"the passage most like it, \"{_short(shown)}\", is only {best.confidence:.0%} alike",
                      best.confidence)
    rivals = [c for c in candidates[1:] if (c.end <= best.start or c.start >= best.end)
              and c.likeness >= best.likeness - MARGIN and c.fit >= best.fit - CONTEXT_MARGIN]
    if rivals:
        return Orphan(f"it matches {1 + len(rivals)} places about equally well ({best.confidence:.0%}), and its "
                      "prefix and suffix do not tell them apart", best.confidence)
    try:
        selector = select(reading, best.start, best.end, tokens)
    except SelectionError as error:
        return Orphan(str(error), best.confidence)
    return Reanchored(selector, best.start, best.end, best.confidence, _summary(old, reading.text, best))


@dataclass(frozen=True)
class _Old:
    quote: str
    prefix: str | None
    suffix: str | None


def _candidates(reading: Reading, old: _Old) -> list[_Candidate]:
    text = reading.text
    ranges = {(start, start + len(old.quote)) for start in places_of(reading, old.quote)}
    pattern = (old.prefix or "") + old.quote + (old.suffix or "")
    searches = [(old.quote, 0, _FUZZY_CANDIDATES)]
    if pattern != old.quote:
        searches.insert(0, (pattern, len(old.prefix or ""), 1))
    for searched, quote_at, count in searches:
        for window in _windows(text, searched, count):
            placed = _aligned(text, searched, quote_at, quote_at + len(old.quote), window)
            clipped = _within_one_block(reading, *_unpunctuated(text, *placed, old.quote)) if placed else None
            if clipped:
                ranges.add(clipped)
    return [_Candidate(start, end, *_likeness(text, old, start, end)) for start, end in ranges]


def _windows(text: str, pattern: str, count: int) -> list[tuple[int, int]]:
    """Return the stretches of text most like the pattern, best first, each kept out of the next search."""
    if len(pattern) >= len(text):
        return [(0, len(text))] if text else []
    found: list[tuple[int, int]] = []
    masked = text
    for _ in range(count):
        alignment = fuzz.partial_ratio_alignment(pattern, masked, score_cutoff=50)
        if alignment is None or alignment.dest_end <= alignment.dest_start:
            break
        start, end = alignment.dest_start, alignment.dest_end
        found.append((start, end))
        masked = masked[:start] + _MASK * (end - start) + masked[end:]
    return found


def _words(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Return the spans of the space-parted words of text, offset by start."""
    spans, at = [], 0
    for word in text.split(" "):
        if word:
            spans.append((start + at, start + at + len(word)))
        at += len(word) + 1
    return spans


def _aligned(text: str, pattern: str, quote_start: int, quote_end: int,
             window: tuple[int, int]) -> tuple[int, int] | None:
    """Map the quote's part of the pattern onto the text near window, word by word; None if it has no words there."""
    margin = len(pattern) // 2 + 16  # room for words the edit added
    begin = text.rfind(" ", 0, max(0, window[0] - margin)) + 1
    finish = text.find(" ", min(len(text), window[1] + margin))
    finish = len(text) if finish < 0 else finish
    ours, theirs = _words(pattern), _words(text[begin:finish], begin)
    if not ours or not theirs:
        return None
    first = next(i for i, (_, e) in enumerate(ours) if e > quote_start)
    last = max(i for i, (s, _) in enumerate(ours) if s < quote_end)
    words, others = [pattern[s:e] for s, e in ours], [text[s:e] for s, e in theirs]
    # Of the alignments that cost the same, the start is mapped with the one that puts added words first, and the
    # end with the one that puts them last: words added next to the quote stay out of it.
    forward = list(Levenshtein.opcodes(words, others))
    backward = [_reversed(op, len(words), len(others)) for op in Levenshtein.opcodes(words[::-1], others[::-1])][::-1]
    start = end = None
    for i, op in enumerate(forward):
        if op.src_start <= first < op.src_end:
            edge = all(o.tag == "insert" for o in forward[:i])
            start = _mapped(op, first, theirs, quote_start - ours[first][0], at_start=True, edge=edge)
    for i, op in enumerate(backward):
        if op.src_start <= last < op.src_end:
            edge = all(o.tag == "insert" for o in backward[i + 1 :])
            end = _mapped(op, last, theirs, quote_end - ours[last][0], at_start=False, edge=edge)
    if start is None or end is None or start >= end:
        return None
    return start, end


def _reversed(op: Opcode, source_length: int, dest_length: int) -> Opcode:
    """Return an opcode of an alignment of reversed sequences in the order of the sequences themselves."""
    return Opcode(op.tag, source_length - op.src_end, source_length - op.src_start,
                  dest_length - op.dest_end, dest_length - op.dest_start)


def _mapped(op: Opcode, word: int, theirs: list[tuple[int, int]], offset: int, *,
            at_start: bool, edge: bool) -> int | None:
    """Return where a boundary inside pattern word `word` falls in the text, given the opcode that holds the word."""
    if op.tag == "equal":
        return theirs[op.dest_start + word - op.src_start][0] + offset
    if op.tag == "delete":  # the word is gone: the boundary moves to the words next to where it stood
        if at_start:
            return theirs[op.dest_start][0] if op.dest_start < len(theirs) else None
        return theirs[op.dest_start - 1][1] if op.dest_start > 0 else None
    # replaced: the boundary goes to the edge of the words that replaced it, word for word at the pattern's edges
    if at_start:
        whole = word == op.src_start and not edge
        index = op.dest_start if whole else max(op.dest_start, op.dest_end - (op.src_end - word))
        return theirs[index][0]
    whole = word == op.src_end - 1 and not edge
    index = op.dest_end - 1 if whole else min(op.dest_start + word - op.src_start, op.dest_end - 1)
    return theirs[index][1]


def _within_one_block(reading: Reading, start: int, end: int) -> tuple[int, int] | None:
    """Clip a range to the text block it starts in: a quote never crosses blocks."""
    block = reading.block_at(start)
    if block.is_code:
        return None
    end = min(end, block.end)
    while end > start and reading.text[end - 1] == " ":
        end -= 1
    return (start, end) if end > start else None


def _likeness(text: str, old: _Old, start: int, end: int) -> tuple[float, float]:
    """Score a candidate from 0 to 1: how like the old quote it is, and how like the old context its context is."""
    context = []
    if old.prefix:
        context.append(_alike(old.prefix, text[max(0, start - len(old.prefix)) : start]))
    if old.suffix:
        context.append(_alike(old.suffix, text[end : end + len(old.suffix)]))
    return _alike(old.quote, text[start:end]), sum(context) / len(context) if context else 1.0


def _alike(old: str, new: str) -> float:
    """Say how alike two texts are, by characters and by words: one word added to a short quote is a small change,
    and a word of context is the same word or another, whatever letters they share."""
    return (Levenshtein.normalized_similarity(old, new)
            + Levenshtein.normalized_similarity(old.split(), new.split())) / 2


_PUNCTUATION = ".,;:!?)]}\"'»"  # the reading text's quotation marks are straight
_OPENING = "([{\"'«"


def _unpunctuated(text: str, start: int, end: int, quote: str) -> tuple[int, int]:
    """Leave out punctuation a changed word brought to a quote's ends, where the old quote had none."""
    if quote and quote[-1].isalnum():
        while end > start + 1 and text[end - 1] in _PUNCTUATION and text[end - 2].isalnum():
            end -= 1
    if quote and quote[0].isalnum():
        while start < end - 1 and text[start] in _OPENING and text[start + 1].isalnum():
            start += 1
    return start, end


def _summary(old: _Old, text: str, found: _Candidate) -> str:
    """Say in words what changed: the quote's words, or only its context."""
    new = text[found.start : found.end]
    if new == old.quote:
        lost = [name for name, context, at in (("prefix", old.prefix, found.start - len(old.prefix or "")),
                                               ("suffix", old.suffix, found.end))
                if context and text[max(0, at) : max(0, at) + len(context)] != context]
        return f"quote unchanged; its {' and '.join(lost) or 'context'} changed" if lost else "quote unchanged"
    changed = Levenshtein.distance(old.quote.split(" "), new.split(" "))
    return f"{changed} word{'s' if changed != 1 else ''} of the quote changed"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
