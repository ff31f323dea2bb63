"""An article's annotations as a W3C Web Annotation collection: `SLUG.annotations.jsonld`, beside its page.

Each annotation targets the page by a TextQuoteSelector (the passage as the page shows it, with up to 32 characters
either side, as Hypothesis gives them) and a TextPositionSelector on the reader-visible text (the body's text,
blocks joined by one space: the text quotes are matched against). A note's body is a Choice of the note rendered
as HTML and as written in Markdown; a correction also has a body with purpose `editing` that holds the wording of the
received text; each source is a body with purpose `linking`. Reading such files back: `web_annotation_read`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..model import Anchor, AnchoredArticle, Annotation, Meta, Site, collection_name
from ..parallel import AheadFor
from ..render.markdown import notes_ahead_ready, render_parsed_note, standalone_note_parser
from ..render.urls import is_safe_url

if TYPE_CHECKING:
    from .web_annotation_read import (
        ImportedAnnotation,
        Refusal,
        annotations_from_hypothesis,
        annotations_from_jsonld,
    )

__all__ = [
    "CONTEXT",
    "ImportedAnnotation",
    "Refusal",
    "annotations_from_hypothesis",
    "annotations_from_jsonld",
    "collection_file",
    "collection_of",
    "note_html",
    "serialise",
    "shown_text",
]

_READER = frozenset({"ImportedAnnotation", "Refusal", "annotations_from_hypothesis", "annotations_from_jsonld"})


def __getattr__(name: str) -> Any:
    """The reader's names, from web_annotation_read when first asked for: a build reads no such file, and the reader
    (with html.parser) would add to the start of every build."""
    if name in _READER:
        from . import web_annotation_read

        return getattr(web_annotation_read, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_LENGTH = 32  # characters of prefix and suffix, as Hypothesis takes them
_QUOTE_MARK = re.compile("['\"]")

NoteToHtml = Callable[[str], str]


def collection_file(anchored: AnchoredArticle, site: Site) -> bytes:
    """Return the bytes of `collection_of`, each annotation encoded once and kept: `watch` writes the file again at
    each save, when a few annotations changed at most."""
    made = _ahead.take(anchored, site)
    # None when no child made it, or the child failed: made here, where what went wrong can be seen.
    return made if made is not None else _collection_file(anchored, site)


_ahead: AheadFor[bytes] = AheadFor()  # the Web Annotation file being made in a child
# As for notes rendered ahead (render/markdown.py): below this, the fork costs more than the file.
_ANNOTATIONS_WORTH_A_FORK = 100


def collection_made_ahead(anchored: AnchoredArticle, site: Site) -> AbstractContextManager[None]:
    """Make the article's Web Annotation file in a child process on an idle core while the block inside runs (the
    page's render), and have `collection_file` return its bytes; without an idle core, make it when asked.

    It depends on the placed annotations and the settings alone, and is the same bytes made in a fork of this
    process; about 40 µs an annotation, most of it encoding JSON."""
    if len(anchored.anchors) < _ANNOTATIONS_WORTH_A_FORK:
        return contextlib.nullcontext()
    notes_ahead_ready()  # the file holds each note rendered on its own, which may be on its way from a child
    # Wanted last, when the files are made: the children the page waits for have the idle core first.
    return _ahead.during((anchored, site), lambda: _collection_file(anchored, site), behind=True)


def _collection_file(anchored: AnchoredArticle, site: Site) -> bytes:
    head, first = _heads(anchored, site)
    if first is None:
        return serialise(head)
    page, shown = _address(site, f"{anchored.article.slug}.html"), shown_text(anchored)
    items = ",".join(_item_json(anchor, _context(anchor, shown), page, anchored.article.meta)
                     for anchor in anchored.anchors)
    # The encoded heads, each opened up where its last member goes: the same bytes as the whole encoded at once.
    text = f'{_encoded(head)[:-1]},"first":{_encoded(first)[:-1]},"items":[{items}]}}}}'
    return (text + "\n").encode("utf-8")


@lru_cache(maxsize=1 << 16)
def _item_json(anchor: Anchor, context: tuple[str, str, str], page: str, meta: Meta) -> str:
    return _encoded(_annotation(anchor, context, page, meta, note_html))


def _encoded(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=1 << 16)
def note_html(note: str) -> str:
    """Render a note on its own, as a client shows it, from the parse its page's note was rendered from. Kept:
    `watch` writes every note's file again at each save, and a note the save did not touch renders as it did."""
    return render_parsed_note(standalone_note_parser(), note)


def forget_encoded() -> None:
    """Drop the kept encodings and standalone renders of notes: a build is done with them once an article's
    files are made."""
    _item_json.cache_clear()
    note_html.cache_clear()


def serialise(data: dict[str, Any]) -> bytes:
    """Return JSON-LD as the site writes it: the same bytes for the same data, characters unescaped.

    Without indentation: json's C encoder then does the work, where an indented file of 2,000 annotations takes
    the pure-Python one 0.3 s."""
    return (_encoded(data) + "\n").encode("utf-8")


def collection_of(anchored: AnchoredArticle, site: Site, note_html: NoteToHtml) -> dict[str, Any]:
    """Return an article's annotations as an AnnotationCollection with one embedded AnnotationPage."""
    article = anchored.article
    page, shown = _address(site, f"{article.slug}.html"), shown_text(anchored)
    collection, first = _heads(anchored, site)
    if first is not None:
        items = [_annotation(anchor, _context(anchor, shown), page, article.meta, note_html)
                 for anchor in anchored.anchors]
        collection["first"] = {**first, "items": items}
    return collection


def _heads(anchored: AnchoredArticle, site: Site) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The collection's members, and its page's but the items; no page for an article without annotations."""
    article = anchored.article
    collection_id = _address(site, collection_name(article.slug))
    collection: dict[str, Any] = {"@context": CONTEXT, "id": collection_id, "type": "AnnotationCollection",
                                  "label": f"Annotations on “{article.meta.title}”", "total": len(anchored.anchors)}
    collection.update(_dates(article.meta))
    if not anchored.anchors:
        return collection, None
    return collection, {"id": f"{collection_id}#page-1", "type": "AnnotationPage", "startIndex": 0}


def _address(site: Site, name: str) -> str:
    """The absolute URL of a file of the site, or its name, relative to this file's own address, without one."""
    return site.url(name) or name


def _annotation(anchor: Anchor, context: tuple[str, str, str], page: str, meta: Meta,
                note_html: NoteToHtml) -> dict[str, Any]:
    annotation = anchor.annotation
    item: dict[str, Any] = {"id": f"{page}#{anchor.html_id}", "type": "Annotation",
                            "motivation": "editing" if annotation.kind == "correction" else "commenting"}
    item.update(_dates(meta))
    bodies = _bodies(annotation, meta.lang, note_html)
    if bodies:
        item["body"] = bodies
    item["target"] = {"type": "SpecificResource", "source": page, "selector": _selectors(anchor, context)}
    return item


def _context(anchor: Anchor, shown: str) -> tuple[str, str, str]:
    """The passage as the page shows it, with the text before and after it, as Hypothesis takes them."""
    start, end = anchor.start, anchor.end
    return shown[start:end], shown[max(0, start - CONTEXT_LENGTH) : start], shown[end : end + CONTEXT_LENGTH]


def _selectors(anchor: Anchor, context: tuple[str, str, str]) -> list[dict[str, Any]]:
    exact, prefix, suffix = context
    quote = {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}
    return [quote, {"type": "TextPositionSelector", "start": anchor.start, "end": anchor.end}]


def _bodies(annotation: Annotation, lang: str, note_html: NoteToHtml) -> list[dict[str, Any]]:
    purpose = "editing" if annotation.kind == "correction" else "commenting"
    bodies: list[dict[str, Any]] = []
    if annotation.note:
        # One note in two formats: a Choice, whose first item is the one a client shows by default.
        html = _textual(note_html(annotation.note), "text/html", lang, purpose="commenting")
        markdown = _textual(annotation.note, "text/markdown", lang, purpose="commenting")
        bodies.append({"type": "Choice", "items": [html, markdown]})
    if annotation.original is not None:
        # The model has no term for "what the text said before": the body of an edit holds the other wording.
        bodies.append(_textual(annotation.original, "text/plain", lang, purpose=purpose))
    bodies += [_source(source.title, source.url, lang) for source in annotation.sources]
    return bodies


def _textual(value: str, media_type: str, lang: str, *, purpose: str) -> dict[str, Any]:
    return {"type": "TextualBody", "purpose": purpose, "value": value, "format": media_type, "language": lang}


def _source(title: str, url: str | None, lang: str) -> dict[str, Any]:
    if url and is_safe_url(url):
        return {"type": "SpecificResource", "purpose": "linking", "source": {"id": url, "label": title}}
    return _textual(title, "text/plain", lang, purpose="linking")


def _dates(meta: Meta) -> dict[str, str]:
    """The article's date as created and modified: an annotation is dated by its content, never by the clock."""
    if not meta.date:
        return {}
    stamp = date_time(meta.date)
    return {"created": stamp, "modified": stamp}


def date_time(value: str) -> str:
    """Return a front matter date as an RFC 3339 date-time: midnight UTC for a bare date, seconds and zone added."""
    date, _, time = value.replace(" ", "T").partition("T")
    if not time:
        return f"{date}T00:00:00Z"
    zone = re.search(r"(Z|[+-]\d{2}:\d{2})$", time)
    clock = time[: zone.start()] if zone else time
    return f"{date}T{clock if clock.count(':') == 2 else clock + ':00'}{zone.group() if zone else 'Z'}"


def shown_text(anchored: AnchoredArticle) -> str:
    """Return the reading text with its quotation marks as the page shows them: offsets are the reading text's."""
    chars = list(anchored.reading.text)
    for piece in anchored.reading.pieces:
        if "'" not in piece.folded.text and '"' not in piece.folded.text:
            continue
        token = anchored.tokens[piece.block]
        content = token.content if piece.child < 0 else (token.children or [])[piece.child].content
        for mark in _QUOTE_MARK.finditer(piece.folded.text):
            chars[piece.start + mark.start()] = content[piece.folded.source_offset(mark.start())]
    return "".join(chars)
