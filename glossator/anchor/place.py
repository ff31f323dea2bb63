"""Stage 3, anchor: place each annotation's quote on a range of the reading text."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator

import ahocorasick
from markdown_it.token import Token

from ..model import Anchor, AnchoredArticle, Annotation, Article, Reading
from ..problems import Problem, Where
from ..render.markdown import MAX_NESTING, note_parser, parse_article, pictures_of, too_deep
from ..render.reading import fold, fold_quote, read

CORRECTION_MARK = "†"
_SUGGESTIONS_PER_ARTICLE = 20  # each costs a scan of the article; enough to fix a batch




def anchor_article(article: Article, earlier: AnchoredArticle | None = None) -> tuple[AnchoredArticle, list[Problem]]:
    """Parse one article and place its annotations.

    `earlier` is this article as `watch` anchored it before an edit: if the body is the same (a sidecar edit), its
    parse, the costliest step of a long article, and the places of unchanged quotes are kept."""
    if earlier is not None and earlier.article.body == article.body:
        tokens, reading, placed = earlier.tokens, earlier.reading, placements(earlier)
    else:
        tokens = list(article.tokens) if article.tokens is not None else parse_article(article.body)
        reading, placed = read(tokens), None
    anchored, problems = place(article, tokens, reading, placed)
    return anchored, body_problems(article, tokens) + problems


def body_problems(article: Article, tokens: list[Token]) -> list[Problem]:
    """Refuse what a parsed body holds that no page can show: text nested too deep, pictures without a file."""
    return nesting_problems(article, tokens) + picture_problems(article, tokens)


def nesting_problems(article: Article, tokens: list[Token]) -> list[Problem]:
    """Refuse an article whose blockquotes and lists nest so deep that the parser dropped text."""
    container = too_deep(tokens)
    if container is None:
        return []
    line = article.body_line + (container.map[0] if container.map else 0)
    message = (f"blockquotes and lists nest more than {MAX_NESTING} levels deep here (a list counts twice); "
               "the text inside would be lost: nest less")
    return [Problem(Where(article.path, line, 1), message)]


_CODE_SPAN = re.compile(r"(`+).+?(?<!`)\1(?!`)")
_NO_PICTURES_IN_NOTES = ("which is not supported yet in a note: show the picture in the article body, or link to "
                         "it instead: [text](address)")


def picture_problems(article: Article, tokens: list[Token]) -> list[Problem]:
    """Refuse a picture of the body that the load stage found no picture file for, at its `![alt]`, and pictures in
    notes: a page is one file that reads offline, and holds its pictures."""
    problems = []
    body_lines: list[str] = []  # split once, and only for a body that shows pictures
    for token in tokens:
        pictures = pictures_of(token)
        if not pictures:
            continue
        body_lines = body_lines or article.body.split("\n")
        for picture, where in zip(pictures, _pictures_in(article, body_lines, token, pictures), strict=True):
            problem = _picture_problem(article, str(picture.attrGet("src") or ""))
            if problem is not None:
                problems.append(Problem(where, problem))
    for annotation in article.annotations:
        for src in _note_pictures(annotation.note or ""):
            message = f"the note holds a picture ('{src}'), {_NO_PICTURES_IN_NOTES}"
            problems.append(Problem(annotation.where, message))
    return problems


def _picture_problem(article: Article, src: str) -> str | None:
    loaded = article.pictures.get(src)
    if loaded is None:  # an article made without the load stage, as in tests
        return f"picture file '{src}' not found in the content folder"
    return loaded.problem


def _pictures_in(article: Article, body_lines: list[str], token: Token, pictures: list[Token]) -> Iterator[Where]:
    """Yield where each picture of a block stands in its source: at its `![alt]`, unless a backslash escapes it."""
    first, last = token.map if token.map else (0, 1)
    # Blanked, not removed, so that columns stay put: a code span may show '![alt]' as text.
    lines = [_CODE_SPAN.sub(_blank, line) for line in body_lines[first:last]]
    row = col = 0
    for picture in pictures:
        mark = f"![{picture.content}]"
        while row < len(lines) and (at := _unescaped(lines[row], mark, col)) < 0:
            row, col = row + 1, 0
        if row == len(lines):  # written across lines: the block's first line is the best there is
            yield Where(article.path, article.body_line + first, 1)
            row = col = 0
            continue
        yield Where(article.path, article.body_line + first + row, at + 1)
        col = at + len(mark)


def _blank(span: re.Match[str]) -> str:
    return " " * len(span.group())


def _unescaped(line: str, mark: str, start: int) -> int:
    at = line.find(mark, start)
    while at > 0 and line[at - 1] == "\\":
        at = line.find(mark, at + 1)
    return at


def _note_pictures(note: str) -> list[str]:
    """Return the address of each picture a note shows (most notes hold no '![' and are not parsed here)."""
    if "![" not in note:
        return []
    found = []
    for token in note_parser().parse(note):
        found += [p.attrGet("src") or "" for p in pictures_of(token)]
    return [str(src) for src in found]


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
    searched = [_searched(a) for a in annotations]
    # Each quote is looked for with its prefix and suffix, as one string: a short quote that recurs a thousand times
    # costs no more to place than one that stands once, where checking the context at each occurrence would.
    found = find_all(reading.text, [prefix + quote + suffix for prefix, quote, suffix in searched])
    spans: list[Span] = []
    problems: list[Problem] = []
    suggestions = _SUGGESTIONS_PER_ARTICLE
    for annotation, (prefix, quote, suffix) in zip(annotations, searched, strict=True):
        starts = [s + len(prefix) for s in found.get(prefix + quote + suffix, ())]
        places = [s for s in starts if _within_text_block(reading, s, len(quote))]
        if len(places) == 1:
            spans.append((annotation, places[0], places[0] + len(quote)))
            continue
        suggest = not starts and suggestions > 0
        suggestions -= suggest
        from .explain import why_unplaced  # here: only a quote that is not placed is explained

        problems.append(why_unplaced(article, tokens, reading, annotation, quote, starts, places, suggest))
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


def _searched(annotation: Annotation) -> tuple[str, str, str]:
    """Return the annotation's prefix, quote and suffix, folded as the reading text is ('' for no prefix or suffix)."""
    prefix, suffix = annotation.prefix, annotation.suffix  # most annotations have neither: nothing to fold
    return fold(prefix).text if prefix else "", fold_quote(annotation.quote), fold(suffix).text if suffix else ""


def _within_text_block(reading: Reading, start: int, length: int) -> bool:
    block = reading.block_at(start)
    return not block.is_code and start + length <= block.end


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
    # A dash of any kind (en, em, figure...) parts words as a hyphen does, so that "4 to 3" with an en dash is
    # "4-3", not "43". Accents drop: "café" is "cafe".
    if annotation.quote.isascii():  # most quotes: '-' is the one dash in ASCII, and NFKD leaves ASCII as it is
        ascii_text = annotation.quote.replace("-", " ")
    else:
        parted = "".join(" " if unicodedata.category(char) == "Pd" else char for char in annotation.quote)
        ascii_text = unicodedata.normalize("NFKD", parted).encode("ascii", "ignore").decode()
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
