"""Stage 4, render: tokens plus anchors to HTML, then Jinja layouts to pages."""

from __future__ import annotations

import base64
import contextlib
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..model import Anchor, AnchoredArticle, Article, Look, WordChange, collection_name, epub_name, received_name
from ..parallel import AheadFor
from .block_cache import BlockCache
from .layouts import run_layout
from .look import counts, render_layout
from .marginalia import ENV_KEY, NoteRenderer, insert_marks
from .markdown import article_parser, note_parser, notes_ahead_ready, render_parsed_note
from .urls import is_safe_url


@dataclass
class PageMemo:
    """An article page's parts kept between rebuilds: each note's HTML for one look, and the body block by block."""

    look: Look | None = None
    notes: dict[Anchor, str] = field(default_factory=dict)
    blocks: BlockCache = field(default_factory=BlockCache)


def render_article(anchored: AnchoredArticle, look: Look, memo: PageMemo | None = None) -> str:
    """Render one article page; `memo` keeps its parts for the next call, which renders again only what changed."""
    md = article_parser()
    notes = note_parser()
    article = anchored.article
    page = f"{article.slug}.html"
    if memo is not None and memo.look is not look:
        memo.look, memo.notes = look, {}  # a note's HTML depends on the layouts and settings it was rendered with
    rendered: dict[Anchor, str] = {} if memo is None else memo.notes
    render_note = _note_renderer(look.env, notes, page, rendered)
    pictures = data_addresses(article)
    if memo is not None:
        body = memo.blocks.render(md, anchored, render_note, pictures)
        current = set(anchored.anchors)
        memo.notes = {anchor: html for anchor, html in memo.notes.items() if anchor in current}
    else:
        tokens = insert_marks(anchored.tokens, anchored.reading, anchored.anchors)
        rendered.update(_partials_made_ahead(anchored, look))  # due by now, if a child renders them
        body = md.renderer.render(tokens, md.options, {ENV_KEY: {"render_note": render_note, "pictures": pictures}})
    site = look.site
    return render_layout(look, "article.html", page, article=article, meta=article.meta, body=Markup(body),
                         counts=counts(anchored), received=received_name(article.slug) if article.received else None,
                         annotations_file=collection_name(article.slug),
                         epub=epub_name(article.slug) if site.epub else None, site=site, canonical=site.url(page))


def _partials_made_ahead(anchored: AnchoredArticle, look: Look) -> dict[Anchor, str]:
    htmls = _partials_ahead.take(anchored, look)
    # None when no child rendered them, or it failed: each note is rendered here, and a layout's error raised here.
    return dict(zip(anchored.anchors, htmls, strict=True)) if htmls is not None else {}


_partials_ahead: AheadFor[list[str]] = AheadFor()  # the note partials of one article being rendered in a child
# As for notes rendered ahead (render/markdown.py): each partial rendered ahead saves the parent about 20 µs.
_PARTIALS_WORTH_A_FORK = 100


def partials_rendered_ahead(anchored: AnchoredArticle, look: Look) -> AbstractContextManager[None]:
    """Render each note of the article through its partial layout, as the margin shows it, in a child process on an
    idle core while the marks are put in the body, and have `render_article` take the HTML from it.

    A partial needs only the placed anchor and the note's Markdown (rendered ahead already, and collected before
    this fork); the HTML is what this process would make, the child being a fork of it, with the same layouts."""
    if len(anchored.anchors) < _PARTIALS_WORTH_A_FORK:
        return contextlib.nullcontext()
    notes_ahead_ready()  # the notes' Markdown, which the partials hold, may be on its way from a child
    return _partials_ahead.during((anchored, look), lambda: _partials(anchored, look))


def _partials(anchored: AnchoredArticle, look: Look) -> list[str]:
    render_note = _note_renderer(look.env, note_parser(), f"{anchored.article.slug}.html", {})
    return [render_note(anchor) for anchor in anchored.anchors]


def data_addresses(article: Article) -> dict[str, str]:
    """Return the data: address of each picture the body shows, by the address it is written with."""
    return {src: f"data:{picture.media_type};base64,{base64.b64encode(picture.data).decode('ascii')}"
            for src, picture in article.pictures.items() if picture.media_type is not None}


def _note_renderer(env: jinja2.Environment, notes: MarkdownIt, page: str,
                   rendered: dict[Anchor, str]) -> NoteRenderer:
    partials: dict[str, jinja2.Template] = {}  # by kind: looked up once, not once per note

    def render_note(anchor: Anchor) -> str:
        if anchor in rendered:  # a note depends on its anchor alone: label, id and annotation
            return rendered[anchor]
        annotation = anchor.annotation
        body = Markup(render_parsed_note(notes, annotation.note)) if annotation.note else None
        change = word_change(annotation.original, annotation.quote) if annotation.original is not None else None
        sources = [{"title": s.title, "url": s.url if s.url and is_safe_url(s.url) else None}
                   for s in annotation.sources]
        if annotation.kind not in partials:
            partials[annotation.kind] = env.get_template(f"partials/{annotation.kind}.html")
        template = partials[annotation.kind]
        html = run_layout(template, page, anchor=anchor, annotation=annotation, body=body, change=change,
                          sources=sources)
        rendered[anchor] = html.strip()
        return rendered[anchor]

    return render_note


def word_change(original: str, printed: str) -> WordChange:
    """Split original and printed text into the common start and end and what changed."""
    old, new = re.split(r"(\s+)", original.strip()), re.split(r"(\s+)", printed.strip())
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return WordChange("".join(old[:start]), "".join(old[start : len(old) - end]),
                  "".join(new[start : len(new) - end]), "".join(old[len(old) - end :]))
