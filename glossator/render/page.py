"""Stage 4, render: tokens plus anchors to HTML, then Jinja layouts to pages."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..model import (
    MONTHS,
    Anchor,
    AnchoredArticle,
    Article,
    LayoutFile,
    Look,
    Site,
    WordChange,
    collection_name,
    epub_name,
    received_name,
)
from ..problems import Problem
from .block_cache import BlockCache
from .compiled_layouts import CompiledLayouts
from .layouts import LayoutFailed, Layouts, run_layout, template_problem
from .marginalia import ENV_KEY, NoteRenderer, insert_marks
from .markdown import article_parser, is_safe_url, note_parser, render_parsed_note


def make_environment(templates: Mapping[str, LayoutFile]) -> jinja2.Environment:
    """Return a Jinja environment over the layout files the load stage read, escaping everything by default."""
    env = jinja2.Environment(
        loader=Layouts(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # An environment lives for one build, or until `watch` sees a layout change and makes a new one:
        # checking each template for changes at every use (twice per note) would be wasted work.
        auto_reload=False,
        # Folding constant expressions at compile time saves nothing in layouts made of variables, and compiling
        # the layouts is most of a small build's own work: a tenth of it goes to the optimizer pass.
        optimized=False,
    )
    env.filters["long_date"] = long_date
    env.filters["safe_url"] = lambda url: url if url and is_safe_url(url) else None
    return env


def prepare_look(templates: Mapping[str, LayoutFile], folder: str, site: Site,
                 compiled: CompiledLayouts | None = None) -> tuple[Look | None, list[Problem]]:
    """Compile the layouts into what every page is rendered with, or say why they fail; `folder` names them.

    `compiled` holds the layouts compiled by an earlier build, to which this one adds what it compiles."""
    env = make_environment(templates)
    if compiled is not None:
        compiled.attach(env)
    try:
        return Look(env, page_assets(env), site, folder), []
    except jinja2.TemplateError as error:
        return None, [template_problem(error, folder)]
    except LayoutFailed as failed:
        return None, [failed.problem]


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
    render_note = _note_renderer(look.env, notes, page, {} if memo is None else memo.notes)
    pictures = data_addresses(article)
    if memo is not None:
        body = memo.blocks.render(md, anchored, render_note, pictures)
        current = set(anchored.anchors)
        memo.notes = {anchor: html for anchor, html in memo.notes.items() if anchor in current}
    else:
        tokens = insert_marks(anchored.tokens, anchored.reading, anchored.anchors)
        body = md.renderer.render(tokens, md.options, {ENV_KEY: {"render_note": render_note, "pictures": pictures}})
    site = look.site
    return render_layout(look, "article.html", page, article=article, meta=article.meta, body=Markup(body),
                         counts=counts(anchored), received=received_name(article.slug) if article.received else None,
                         annotations_file=collection_name(article.slug),
                         epub=epub_name(article.slug) if site.epub else None, site=site, canonical=site.url(page))


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


def render_layout(look: Look, name: str, page: str, **context: Any) -> str:
    """Render the layout `name` as the page `page`, with the inline style, script and policy every page has."""
    return run_layout(look.env.get_template(name), page, **look.assets, **context)


def page_assets(env: jinja2.Environment) -> dict[str, Any]:
    """Inline style and script, and a Content-Security-Policy that allows exactly them."""
    style, script = _static(env, "style.css"), _static(env, "script.js")
    csp = ("default-src 'none'; img-src 'self' data:; "
           f"style-src '{_sha256(style)}'; script-src '{_sha256(script)}'; base-uri 'none'; form-action 'none'")
    return {"style": Markup(style), "script": Markup(script), "csp": csp}


def _static(env: jinja2.Environment, name: str) -> str:
    """Render a layout file, or return it as it is when it holds no Jinja syntax (it would render as itself)."""
    source = env.loader.get_source(env, name)[0] if env.loader else ""
    marks = (env.block_start_string, env.variable_start_string, env.comment_start_string)
    if not source or any(mark in source for mark in marks):
        return run_layout(env.get_template(name), None)  # inlined in every page: no one page to name
    return source


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def counts(anchored: AnchoredArticle) -> dict[str, int]:
    """Count an article's notes and corrections."""
    kinds = [a.annotation.kind for a in anchored.anchors]
    return {"notes": kinds.count("note"), "corrections": kinds.count("correction")}


def long_date(value: str | None) -> str:
    """Format an ISO date as '16 November 2023', the same on every machine."""
    if not value:
        return ""
    date = datetime.date.fromisoformat(value[:10])
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"
