"""Say where a passage of the reading text stands in its source file, and why a quote could not be placed.

Part of the anchor stage: only a quote that is not placed, or a failed audit, needs more than `where_in_article`.
"""

from __future__ import annotations

import unicodedata

from markdown_it.token import Token

from ..model import Annotation, Article, Reading
from ..problems import Problem, Where, shorten
from ..render.markdown import parse_article
from ..render.reading import fold, read, straight_quotes

_CONTEXT_SHOWN = 3  # matches whose prefix and suffix a wrong-context message shows
_MARKDOWN_MARKS = frozenset("*_`[]<>\\")


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
            # The reading text has straight quotes where the source may have curly ones: compare alike.
            line = straight_quotes(line)
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


def line_col(where: Where) -> str:
    """Return a place as LINE:COL, for a message that names places in another file."""
    return f"{where.line}:{where.col}"


def why_unplaced(article: Article, tokens: list[Token], reading: Reading, annotation: Annotation,
                 quote: str, starts: list[int], places: list[int], suggest: bool) -> Problem:
    """Explain why a quote has no single place: where it matches, or what the article has instead."""
    where, shown = annotation.where, f"quote \"{shorten(quote)}\""
    if len(places) > 1:
        at = ", ".join(line_col(where_in_article(article, tokens, reading, s)) for s in places[:10])
        return Problem(where, f"{shown} matches {len(places)} places in {article.path} (at {at}); "
                              "add 'prefix' or 'suffix' to choose one")
    if starts and reading.block_at(starts[0]).is_code:
        return Problem(where, f"{shown} is inside a code block; code is not annotated")
    if starts:
        return Problem(where, f"{shown} crosses a block boundary (two paragraphs, or a list item and the next); "
                              "quote within one block")
    if (annotation.prefix is not None or annotation.suffix is not None) and quote in reading.text:
        return Problem(where, f"{shown} is found, but not with this prefix/suffix: "
                              + _contexts(article, tokens, reading, annotation, quote))
    return Problem(where, f"{shown} is not in the article{_hint(article, reading, annotation, quote, suggest)}")


def _contexts(article: Article, tokens: list[Token], reading: Reading, annotation: Annotation, quote: str) -> str:
    """Say what stands before or after the quote where it is found, as its prefix or suffix would be read."""
    text = reading.text
    found: list[int] = []
    shown: list[str] = []
    at = text.find(quote)
    while at >= 0 and len(found) < _CONTEXT_SHOWN:
        found.append(at)
        at = text.find(quote, at + 1)
    prefix, suffix = (None if c is None else len(fold(c).text) for c in (annotation.prefix, annotation.suffix))
    for start in found:
        end, context = start + len(quote), []
        if prefix is not None:
            context.append(f"prefix \"{shorten(text[max(0, start - prefix) : start])}\"")
        if suffix is not None:
            context.append(f"suffix \"{shorten(text[end : end + suffix])}\"")
        shown.append(f"at {line_col(where_in_article(article, tokens, reading, start))} it has {' and '.join(context)}")
    return "; ".join(shown)


def _hint(article: Article, reading: Reading, annotation: Annotation, quote: str, suggest: bool) -> str:
    """Say what the writer may have meant, if anything looks like it: the cheapest checks first."""
    plain = _without_markdown(annotation.quote)
    if plain != quote and plain and reading.text.count(plain) == 1:
        return f"; a quote is the text as a reader sees it, without Markdown: write \"{shorten(plain)}\""
    meta = article.meta
    if any(quote in fold(heading).text for heading in (meta.title, meta.subtitle or "")):
        return "; it is in the front matter's title or subtitle: only the body is annotated"
    nearest = nearest_passage(reading, quote) if suggest else None
    if not nearest:
        return ""
    return f"; did you mean \"{shorten(nearest)}\"?{_look_alike(nearest, quote)}"


def _without_markdown(quote: str) -> str:
    """Return the text a reader would see if the quote were Markdown: no marks, links as their text."""
    if not _MARKDOWN_MARKS.intersection(quote):
        return fold(quote.strip()).text
    return read(parse_article(quote.strip())).text


def _look_alike(nearest: str, quote: str) -> str:
    """Name the characters that differ where the suggestion and the quote look the same in a terminal."""
    import difflib

    opcodes = difflib.SequenceMatcher(None, nearest, quote, autojunk=False).get_opcodes()
    swapped = [(nearest[i1:i2], quote[j1:j2]) for tag, i1, i2, j1, j2 in opcodes if tag == "replace"]
    if not swapped or any(len(a) != 1 or len(b) != 1 or a.isalnum() or b.isalnum() for a, b in swapped):
        return ""
    article_has, quote_has = swapped[0]
    return f" (the article has {_named(article_has)} where the quote has {_named(quote_has)})"


def _named(char: str) -> str:
    return f"'{char}' {unicodedata.name(char, f'U+{ord(char):04X}').lower()}"


def nearest_passage(reading: Reading, quote: str) -> str | None:
    """Return the passage of one block that looks most like quote, or None if nothing does."""
    import difflib  # here: only an unplaced quote needs it, and a build that places all need not import it

    text = reading.text
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(quote))
    if not reading.blocks or match.size < min(8, len(quote) // 2):
        return None
    block = reading.block_at(match.a)  # a passage across blocks could not be quoted either
    start = max(block.start, match.a - match.b)
    if start > block.start and text[start - 1] != " ":  # widen to the start of the word
        space = text.rfind(" ", block.start, start)
        start = space + 1 if space >= 0 else block.start
    end = text.find(" ", start + len(quote), block.end)
    window = text[start : end if end >= 0 else block.end]
    if difflib.SequenceMatcher(None, window, quote).ratio() < 0.5:
        return None
    return window.strip()
