"""Read annotations back: W3C Web Annotation JSON-LD (a collection, a page, one annotation or a list) and the rows
of Hypothesis's API, as plain records an importer turns into sidecar entries.

Nothing is placed here: a record holds the passage as the file quotes it. What cannot become a record is refused with
where it stands in the file and why, and every other annotation is still read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ..model import Kind, SourceRef

_PREFERRED_FORMATS = ("text/markdown", "text/plain", None, "text/html")  # None: a body that names no format


@dataclass(frozen=True)
class ImportedAnnotation:
    """One annotation read from a file: the passage it quotes and what a sidecar entry would hold."""

    where: str  # where it stands in the file, such as 'first.items[2]' or 'rows[0]'
    quote: str
    prefix: str | None = None
    suffix: str | None = None
    note: str | None = None  # in Markdown (as Glossator and Hypothesis write notes) or plain text
    kind: Kind = "note"
    original: str | None = None
    sources: tuple[SourceRef, ...] = ()
    tags: tuple[str, ...] = ()
    id: str | None = None  # the fragment of the annotation's id, such as 'note-blinken' from 'page.html#note-blinken'
    start: int | None = None  # the TextPositionSelector's, when it has one
    end: int | None = None


@dataclass(frozen=True)
class Refusal:
    """An annotation, or a whole file, that cannot be read, and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class _Reading:
    records: list[ImportedAnnotation] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    def refuse(self, where: str, reason: str) -> None:
        self.refusals.append(Refusal(where, reason))


def annotations_from_jsonld(data: Any) -> tuple[list[ImportedAnnotation], list[Refusal]]:
    """Read a Web Annotation collection, page, annotation or list of annotations (Hypothesis rows too)."""
    reading = _Reading()
    if isinstance(data, dict) and "rows" in data and "type" not in data:
        return annotations_from_hypothesis(data)
    for where, item in _items(data, reading):
        _read_annotation(item, where, reading)
    return reading.records, reading.refusals


def _items(data: Any, reading: _Reading) -> Iterator[tuple[str, Any]]:
    if isinstance(data, list):
        yield from ((f"[{n}]", item) for n, item in enumerate(data))
        return
    types = _types(data)
    if "AnnotationCollection" in types:
        first = data.get("first")
        if first is None and data.get("total", 0) == 0:
            return
        if not isinstance(first, dict):
            reading.refuse("first", "the collection's annotations are not in the file (its first page is at "
                           f"{first!r}): download that page and read it")
            return
        yield from _page_items(first, "first", reading)
    elif "AnnotationPage" in types:
        yield from _page_items(data, "", reading)
    elif "Annotation" in types:
        yield "", data
    else:
        reading.refuse("", "not a Web Annotation file: expected an object of type Annotation, AnnotationPage or "
                       "AnnotationCollection, a list of annotations, or Hypothesis rows ({\"rows\": [...]})")


def _page_items(page: dict[str, Any], where: str, reading: _Reading) -> Iterator[tuple[str, Any]]:
    items = page.get("items")
    if not isinstance(items, list):
        reading.refuse(where or "items", "the annotation page has no list of items")
        return
    if isinstance(page.get("next"), str):
        reading.refuse(f"{where}.next" if where else "next",
                       f"more annotations are on another page ({page['next']}): read that page too")
    yield from ((f"{where}.items[{n}]" if where else f"items[{n}]", item) for n, item in enumerate(items))


def _types(value: Any) -> list[str]:
    kind = value.get("type", value.get("@type")) if isinstance(value, dict) else None
    return [k for k in _many(kind) if isinstance(k, str)]


def _many(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _read_annotation(item: Any, where: str, reading: _Reading) -> None:
    if not isinstance(item, dict):
        reading.refuse(where, "an annotation must be an object; this one is " + type(item).__name__)
        return
    quotes = [q for target in _many(item.get("target")) for q in _quote_selectors(target)]
    if not quotes:
        reading.refuse(where, "it quotes no passage (no TextQuoteSelector in its target): an annotation of the whole "
                       "page has nowhere to stand in the text")
        return
    if len(quotes) > 1:
        reading.refuse(where, f"it quotes {len(quotes)} passages; a sidecar entry stands at one: split it")
        return
    motivations = [m for m in _many(item.get("motivation")) if isinstance(m, str)]
    bodies = _many(item.get("body")) + [{"value": v} for v in _many(item.get("bodyValue")) if isinstance(v, str)]
    content = _Content()
    for n, body in enumerate(bodies):
        problem = content.add(body, editing="editing" in motivations)
        if problem:
            reading.refuse(f"{where}.body[{n}]" if where else f"body[{n}]", problem)
            return
    record = _record(where, quotes[0], content, _fragment(item.get("id")))
    if isinstance(record, str):
        reading.refuse(where, record)
    else:
        reading.records.append(record)


def _quote_selectors(target: Any) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each TextQuoteSelector of a target, with the TextPositionSelector given beside it."""
    if not isinstance(target, dict):
        return []
    selectors = [s for s in _many(target.get("selector")) if isinstance(s, dict)]
    position = next((s for s in selectors if "TextPositionSelector" in _types(s)), None)
    return [(s, position) for s in selectors if "TextQuoteSelector" in _types(s)]


def _fragment(iri: Any) -> str | None:
    return iri.rpartition("#")[2] or None if isinstance(iri, str) and "#" in iri else None


@dataclass
class _Content:
    """What an annotation's bodies say, sorted by what a sidecar entry does with it."""

    notes: list[str] = field(default_factory=list)
    original: str | None = None
    sources: list[SourceRef] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def add(self, body: Any, *, editing: bool) -> str | None:
        """Take in one body; return why it cannot be read, if it cannot."""
        if isinstance(body, str):
            self.sources.append(SourceRef(title=body, url=body))
            return None
        if not isinstance(body, dict):
            return f"a body must be an object or an address; this one is {type(body).__name__}"
        purposes = [p for p in _many(body.get("purpose")) if isinstance(p, str)]
        if "Choice" in _types(body):
            items = [i for i in _many(body.get("items")) if isinstance(i, dict) and isinstance(i.get("value"), str)]
            if not items:
                return "a Choice body with no textual item"
            body = min(items, key=lambda i: _rank(i.get("format")))
            purposes += [p for p in _many(body.get("purpose")) if isinstance(p, str)]
        return self._take(body, purposes, editing=editing)

    def _take(self, body: dict[str, Any], purposes: list[str], *, editing: bool) -> str | None:
        value = body.get("value")
        if value is None:
            target = body.get("source", body) if "SpecificResource" in _types(body) else body
            url = target.get("id") if isinstance(target, dict) else target
            if not isinstance(url, str):
                return "a body with neither a value nor an address"
            label = target.get("label") if isinstance(target, dict) else None
            self.sources.append(SourceRef(title=label if isinstance(label, str) and label else url, url=url))
            return None
        if not isinstance(value, str):
            return "a body's value must be a string"
        text = _text_of(value) if body.get("format") == "text/html" else value
        if "tagging" in purposes:
            self.tags.append(text)
        elif "linking" in purposes:
            self.sources.append(SourceRef(title=text))
        elif "editing" in purposes and editing:
            self.original = text
        else:
            self.notes.append(text)
        return None


def _rank(media_type: Any) -> int:
    return _PREFERRED_FORMATS.index(media_type) if media_type in _PREFERRED_FORMATS else len(_PREFERRED_FORMATS)


def _record(where: str, selectors: tuple[dict[str, Any], dict[str, Any] | None], content: _Content,
            fragment: str | None) -> ImportedAnnotation | str:
    quote, position = selectors
    exact, prefix, suffix = quote.get("exact"), quote.get("prefix"), quote.get("suffix")
    if not isinstance(exact, str) or not exact.strip():
        return "its TextQuoteSelector has no 'exact' text"
    if any(part is not None and not isinstance(part, str) for part in (prefix, suffix)):
        return "its TextQuoteSelector's prefix and suffix must be strings"
    start, end = (position.get("start"), position.get("end")) if position else (None, None)
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end):
        start = end = None
    note = "\n\n".join(n for n in content.notes if n.strip()) or None
    return ImportedAnnotation(where, exact, prefix or None, suffix or None, note,
                              "correction" if content.original is not None else "note", content.original,
                              tuple(content.sources), tuple(content.tags), fragment, start, end)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text_of(html: str) -> str:
    """The text of an HTML note, without its markup (a body given only as HTML)."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip()


def annotations_from_hypothesis(data: Any) -> tuple[list[ImportedAnnotation], list[Refusal]]:
    """Read the rows of a Hypothesis API search ({"rows": [...]}, or the list of rows)."""
    reading = _Reading()
    rows = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        reading.refuse("rows", "Hypothesis rows must be a list")
        return reading.records, reading.refusals
    for n, row in enumerate(rows):
        _read_row(row, f"rows[{n}]", reading)
    return reading.records, reading.refusals


def _read_row(row: Any, where: str, reading: _Reading) -> None:
    if not isinstance(row, dict):
        reading.refuse(where, "a row must be an object")
        return
    if row.get("references"):
        reading.refuse(where, "a reply to another annotation, which has no passage of its own")
        return
    targets = row.get("target")
    quotes = [q for target in _many(targets) for q in _quote_selectors(target)][:1]
    if not quotes:
        reading.refuse(where, "a page note: it quotes no passage (no TextQuoteSelector in target[0].selector)")
        return
    text, tags = row.get("text", ""), row.get("tags", [])
    if not isinstance(text, str) or not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        reading.refuse(where, "'text' must be a string and 'tags' a list of strings")
        return
    content = _Content(notes=[text], tags=list(tags))
    record = _record(where, quotes[0], content, None)
    if isinstance(record, str):
        reading.refuse(where, record)
    else:
        reading.records.append(record)

