"""Stage 3, anchor: place each annotation's quote on a range of the reading text."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import ahocorasick
from markdown_it.token import Token

from .markdown import MAX_NESTING, parse_article, too_deep
from .model import Annotation, Article
from .problems import Problem, Where
from .reading import Reading, fold, fold_quote, read

CORRECTION_MARK = "†"
_SUGGESTIONS_PER_ARTICLE = 20  # each costs a scan of the article; enough to fix a batch


@dataclass(frozen=True)
class Anchor:
    """An annotation placed on the reading text, with its label and page id."""

    annotation: Annotation
    start: int
    end: int
    label: str  # the note's number, or the correction mark
    ordinal: int  # position among annotations of its kind, in reading order
    html_id: str


@dataclass(frozen=True)
class AnchoredArticle:
    """An article with its parsed tokens, reading text and placed annotations."""

    article: Article
    tokens: list[Token]
    reading: Reading
    anchors: tuple[Anchor, ...]


def anchor(articles: list[Article]) -> tuple[list[AnchoredArticle], list[Problem]]:
    """Parse each article and place its annotations; collect what cannot be placed."""
    results: list[AnchoredArticle] = []
    problems: list[Problem] = []
    for article in articles:
        anchored, found = anchor_article(article)
        results.append(anchored)
        problems += found
    return results, problems


def anchor_article(article: Article) -> tuple[AnchoredArticle, list[Problem]]:
    """Parse one article and place its annotations."""
    tokens = parse_article(article.body)
    anchored, problems = place(article, tokens, read(tokens))
    return anchored, nesting_problems(article, tokens) + problems


def nesting_problems(article: Article, tokens: list[Token]) -> list[Problem]:
    """Refuse an article whose blockquotes and lists nest so deep that the parser dropped text."""
    container = too_deep(tokens)
    if container is None:
        return []
    line = article.body_line + (container.map[0] if container.map else 0)
    message = (f"blockquotes and lists nest more than {MAX_NESTING} levels deep here (a list counts twice); "
               "the text inside would be lost: nest less")
    return [Problem(Where(article.path, line, 1), message)]


# Where a quote, with its prefix and suffix, was placed on one reading text: it is placed there again.
Placed = dict[tuple[str, str | None, str | None], tuple[int, int]]


def place(article: Article, tokens: list[Token], reading: Reading,
          placed: Placed | None = None) -> tuple[AnchoredArticle, list[Problem]]:
    """Place one article's annotations on its parsed body, which `watch` keeps while only the sidecar changes.

    `placed` holds earlier placements on this same reading: those quotes are not searched for again."""
    known = placed or {}
    searched, problems = _place_all(article, tokens, reading, [
        a for a in article.annotations if _placing(a) not in known])
    anchors = _label(_in_sidecar_order(article.annotations, known, searched))
    return AnchoredArticle(article, tokens, reading, anchors), problems


def placements(anchored: AnchoredArticle) -> Placed:
    """Return where each placed quote is, for placing an edited sidecar on the same body."""
    return {_placing(a.annotation): (a.start, a.end) for a in anchored.anchors}


def _placing(annotation: Annotation) -> tuple[str, str | None, str | None]:
    """Return what an annotation's place depends on, given the reading text."""
    return annotation.quote, annotation.prefix, annotation.suffix


Span = tuple[Annotation, int, int]


def _in_sidecar_order(annotations: tuple[Annotation, ...], known: Placed, searched: list[Span]) -> list[Span]:
    """Merge known and searched placements in the sidecar's order, which labelling keeps between equal places."""
    spans: list[Span] = []
    pending = iter(searched)
    following = next(pending, None)
    for annotation in annotations:
        where = known.get(_placing(annotation))
        if where is not None:
            spans.append((annotation, *where))
        elif following is not None and following[0] is annotation:
            spans.append(following)
            following = next(pending, None)
    return spans


def _place_all(article: Article, tokens: list[Token], reading: Reading,
               annotations: list[Annotation]) -> tuple[list[Span], list[Problem]]:
    quotes = [fold_quote(a.quote) for a in annotations]
    found = find_all(reading.text, quotes)
    spans: list[Span] = []
    problems: list[Problem] = []
    suggestions = _SUGGESTIONS_PER_ARTICLE
    for annotation, quote in zip(annotations, quotes, strict=True):
        context = _context(annotation)  # folded once: a refrain's quote has hundreds of candidate starts
        starts = [s for s in found.get(quote, ()) if _context_fits(reading.text, s, len(quote), context)]
        places = [s for s in starts if _within_text_block(reading, s, len(quote))]
        if len(places) == 1:
            spans.append((annotation, places[0], places[0] + len(quote)))
            continue
        suggestions -= not starts
        problem = _why_unplaced(article, tokens, reading, annotation, quote, starts, places, suggestions > 0)
        problems.append(problem)
    return spans, problems


def find_all(text: str, quotes: list[str]) -> dict[str, list[int]]:
    """Find every start of every quote in one pass over the text (Aho-Corasick)."""
    automaton = ahocorasick.Automaton()
    for quote in set(quotes):
        if quote:
            automaton.add_word(quote, len(quote))
    found: dict[str, list[int]] = defaultdict(list)
    if len(automaton) == 0:
        return found
    automaton.make_automaton()
    for end, length in automaton.iter(text):
        start = end - length + 1
        found[text[start : end + 1]].append(start)
    return found


def _context(annotation: Annotation) -> tuple[str | None, str | None]:
    """Return the annotation's prefix and suffix, folded as the reading text is."""
    prefix, suffix = annotation.prefix, annotation.suffix
    return (None if prefix is None else fold(prefix).text), (None if suffix is None else fold(suffix).text)


def _context_fits(text: str, start: int, length: int, context: tuple[str | None, str | None]) -> bool:
    prefix, suffix = context
    if prefix is not None and text[max(0, start - len(prefix)) : start] != prefix:
        return False
    end = start + length
    return suffix is None or text[end : end + len(suffix)] == suffix


def _within_text_block(reading: Reading, start: int, length: int) -> bool:
    block = reading.block_at(start)
    return not block.is_code and start + length <= block.end


def _why_unplaced(article: Article, tokens: list[Token], reading: Reading, annotation: Annotation,
                  quote: str, starts: list[int], places: list[int], suggest: bool) -> Problem:
    where = annotation.where
    if len(places) > 1:
        places_text = ", ".join(_line_col(where_in_article(article, tokens, reading, s)) for s in places[:10])
        return Problem(where, f"quote \"{_short(quote)}\" matches {len(places)} places in {article.path} "
                              f"(at {places_text}); add 'prefix' or 'suffix' to choose one")
    if starts and reading.block_at(starts[0]).is_code:
        return Problem(where, f"quote \"{_short(quote)}\" is inside a code block; code is not annotated")
    if starts:
        return Problem(where, f"quote \"{_short(quote)}\" crosses a block boundary "
                              "(two paragraphs, or a list item and the next); quote within one block")
    if (annotation.prefix is not None or annotation.suffix is not None) and quote in reading.text:
        return Problem(where, f"quote \"{_short(quote)}\" is found, but not with this prefix/suffix")
    message = f"quote \"{_short(quote)}\" is not in the article"
    nearest = nearest_passage(reading.text, quote) if suggest else None
    if nearest:
        message += f"; did you mean \"{_short(nearest)}\"?"
    return Problem(where, message)


def nearest_passage(text: str, quote: str) -> str | None:
    """Return the passage of text that looks most like quote, or None if nothing does."""
    import difflib  # here: only an unplaced quote needs it, and a build that places all need not import it

    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(quote))
    if match.size < min(8, len(quote) // 2):
        return None
    start = max(0, match.a - match.b)
    start = text.rfind(" ", 0, start) + 1 if start and text[start - 1] != " " else start
    end = text.find(" ", start + len(quote))
    window = text[start : end if end >= 0 else len(text)]
    if difflib.SequenceMatcher(None, window, quote).ratio() < 0.5:
        return None
    return window.strip()


def _line_col(where: Where) -> str:
    return f"{where.line}:{where.col}"


def where_in_article(article: Article, tokens: list[Token], reading: Reading, start: int) -> Where:
    """Point at the source line and column of reading offset start, by its first word.

    The word's earlier occurrences in the same block are counted, so that a passage the block repeats is found
    where it stands and not at its first occurrence."""
    if not reading.blocks:  # an empty body: its first line is the only place there is
        return Where(article.path, article.body_line, 1)
    block = reading.block_at(start)
    token = tokens[block.token]
    first, last = token.map if token.map else (0, 1)
    word = reading.text[start:].lstrip(" ").split(" ", 1)[0][:40]
    if word:
        earlier = reading.text.count(word, block.start, start)
        for offset, line in enumerate(article.body.split("\n")[first:last]):
            col = _nth(line, word, earlier)
            if col >= 0:
                return Where(article.path, article.body_line + first + offset, col + 1)
            earlier -= line.count(word)
    return Where(article.path, article.body_line + first, 1)


def _nth(line: str, word: str, n: int) -> int:
    """Return where the (n+1)th occurrence of word begins in line, or -1."""
    at = line.find(word) if n >= 0 else -1
    for _ in range(n):
        if at < 0:
            break
        at = line.find(word, at + len(word))
    return at


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(spans: list[Span]) -> tuple[Anchor, ...]:
    """Number notes in reading order of their markers, which follow each passage."""
    ordered = sorted(spans, key=lambda span: (span[2], span[1]))
    counts = {"note": 0, "correction": 0}
    # An id the writer chose is a promise of a stable URL: ids made from quotes step aside.
    used = {annotation.id for annotation, _, _ in spans if annotation.id}
    anchors = []
    for annotation, start, end in ordered:
        counts[annotation.kind] += 1
        ordinal = counts[annotation.kind]
        label = str(ordinal) if annotation.kind == "note" else CORRECTION_MARK
        html_id = annotation.id or _unique(_id_from_quote(annotation), used)
        anchors.append(Anchor(annotation, start, end, label, ordinal, html_id))
    return tuple(anchors)


def _id_from_quote(annotation: Annotation) -> str:
    ascii_text = unicodedata.normalize("NFKD", annotation.quote).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())[:4]
    prefix = "note" if annotation.kind == "note" else "fix"
    return "-".join([prefix, *words])


def _unique(wanted: str, used: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in used:
        n += 1
        candidate = f"{wanted}-{n}"
    used.add(candidate)
    return candidate
