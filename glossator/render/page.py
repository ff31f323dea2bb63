"""Stage 4, render: tokens plus anchors to HTML, then Jinja layouts to pages."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..anchor.place import Anchor, AnchoredArticle
from ..load.config import Site
from ..model import MONTHS, Article
from ..outputs.epub import epub_files, epub_name
from ..outputs.offline import package
from ..outputs.publish import publish
from ..outputs.web_annotation import annotation_files, collection_name
from ..problems import Problem, Where
from .block_cache import BlockCache
from .compiled_layouts import CompiledLayouts
from .layouts import LayoutFailed, Layouts, run_layout, template_problem
from .marginalia import ENV_KEY, NoteRenderer, insert_marks
from .markdown import article_parser, is_safe_url, note_parser
from .markdown import render_note as render_note_body

_NO_SITE = Site()


@dataclass(frozen=True)
class Change:
    """How a correction's printed words differ from the received ones, word by word."""

    before: str
    removed: str
    added: str
    after: str


def make_environment(templates: dict[str, str], folder: str = "layouts") -> jinja2.Environment:
    """Return a Jinja environment over the layout files read from `folder`, escaping everything by default."""
    env = jinja2.Environment(
        loader=Layouts(templates, folder),
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


def render(articles: list[AnchoredArticle], templates: dict[str, str], *, layouts_name: str = "layouts",
           site: Site = _NO_SITE, compiled: CompiledLayouts | None = None) -> tuple[dict[str, bytes], list[Problem]]:
    """Render every article page, the index, the offline ZIP and the publishing files; return them by path.

    `compiled` holds the layouts compiled by an earlier build, to which this one adds what it compiles."""
    env = make_environment(templates, layouts_name)
    if compiled is not None:
        compiled.attach(env)
    try:
        assets = page_assets(env)
        pages = {f"{a.article.slug}.html": render_article(a, env, assets, site=site) for a in articles}
        files, problems = site_files(articles, pages, env, assets, site)
        return ({}, problems) if problems else (files, [])
    except jinja2.TemplateError as error:
        return {}, [template_problem(error, layouts_name)]
    except LayoutFailed as failed:
        return {}, [failed.problem]


def site_files(articles: list[AnchoredArticle], pages: dict[str, str], env: jinja2.Environment,
               assets: dict[str, Any], site: Site) -> tuple[dict[str, bytes], list[Problem]]:
    """Add the index, the offline ZIP, source copies and publishing files to the rendered article pages.

    Two files of one name are a problem: neither may silently replace the other."""
    newest_first = _by_date(articles)
    listed = [_summary(a) for a in newest_first]
    files = _SiteFiles()
    annotations = annotation_files(articles, site)
    books = epub_files(articles, site) if site.epub else {}
    for anchored in articles:
        article = anchored.article
        files.add(f"{article.slug}.html", pages[f"{article.slug}.html"], "the page", article.path)
        name = collection_name(article.slug)
        files.add(name, annotations[name], "the Web Annotation file", article.path)
        if site.epub:
            files.add(epub_name(article.slug), books[epub_name(article.slug)], "the e-book", article.path)
        if article.received is not None and article.meta.source:
            files.add(_received_name(anchored), article.received, "the copy of the received text", article.path)
    # The offline copy's index links neither the ZIP nor the feed: neither is inside it.
    offline = files.copy()
    offline.add("index.html", render_index(listed, env, assets, site, archive=None), "the index page")
    archive = package(offline.files)
    files.add("index.html", render_index(listed, env, assets, site, archive=_file_size(len(archive))), "the index page")
    for name, text in publish([a.article for a in newest_first], env, assets, site).items():
        files.add(name, text, f"the site's {name}")
    files.add("offline.zip", archive, "the offline ZIP")
    return files.files, files.problems


class _SiteFiles:
    """The site's files by name, each name taken once: in any case, as a case-blind disk would store it."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.problems: list[Problem] = []
        self._makers: dict[str, tuple[str, str | None]] = {}  # by folded name: what the file is, and its article

    def add(self, name: str, data: str | bytes, what: str, article: str | None = None) -> None:
        """Add a file, or a problem if its name is taken; `article` is the content file it comes from."""
        taken = self._makers.get(name.casefold())
        if taken is not None:
            first, second = sorted([(what, article), taken], key=lambda maker: maker[1] is None)  # an article first
            message = f"{_made(*first)} and {_made(*second)} would both be written as '{name}'"
            fix = "; rename the article" if first[1] else ""
            self.problems.append(Problem(Where(first[1] or name), message + fix))
            return
        self._makers[name.casefold()] = (what, article)
        self.files[name] = data.encode("utf-8") if isinstance(data, str) else data

    def copy(self) -> _SiteFiles:
        copied = _SiteFiles()
        copied.files, copied._makers = dict(self.files), dict(self._makers)
        return copied


def _made(what: str, article: str | None) -> str:
    return f"{what} of {article}" if article else what


def render_index(listed: list[dict[str, Any]], env: jinja2.Environment, assets: dict[str, Any], site: Site, *,
                 archive: str | None) -> str:
    """Render the index; `archive` is the offline ZIP's size, None for the copy inside the ZIP."""
    return _render_page(env, "index.html", "index.html", assets, articles=listed, site=site,
                        canonical=site.url("index.html"), archive=archive,
                        feed=archive is not None and site.base_url is not None)


def _file_size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"


def render_article(anchored: AnchoredArticle, env: jinja2.Environment, assets: dict[str, Any], *,
                   site: Site = _NO_SITE, rendered_notes: dict[Anchor, str] | None = None,
                   blocks: BlockCache | None = None) -> str:
    """Render one article page; `rendered_notes` and `blocks` keep HTML for the next call with the same env."""
    md = article_parser()
    notes = note_parser()
    article = anchored.article
    page = f"{article.slug}.html"
    render_note = _note_renderer(env, notes, page, {} if rendered_notes is None else rendered_notes)
    pictures = data_addresses(article)
    if blocks is not None:
        body = blocks.render(md, anchored, render_note, pictures)
    else:
        tokens = insert_marks(anchored.tokens, anchored.reading, anchored.anchors)
        body = md.renderer.render(tokens, md.options, {ENV_KEY: {"render_note": render_note, "pictures": pictures}})
    return _render_page(env, "article.html", page, assets, article=article, meta=article.meta, body=Markup(body),
                        counts=_counts(anchored), received=_received_name(anchored) if article.received else None,
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
        body = Markup(render_note_body(notes, annotation.note)) if annotation.note else None
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


def word_change(original: str, printed: str) -> Change:
    """Split original and printed text into the common start and end and what changed."""
    old, new = re.split(r"(\s+)", original.strip()), re.split(r"(\s+)", printed.strip())
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return Change("".join(old[:start]), "".join(old[start : len(old) - end]),
                  "".join(new[start : len(new) - end]), "".join(old[len(old) - end :]))


def _render_page(env: jinja2.Environment, name: str, page: str, assets: dict[str, Any], **context: Any) -> str:
    return run_layout(env.get_template(name), page, **assets, **context)


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


def _counts(anchored: AnchoredArticle) -> dict[str, int]:
    kinds = [a.annotation.kind for a in anchored.anchors]
    return {"notes": kinds.count("note"), "corrections": kinds.count("correction")}


def _summary(anchored: AnchoredArticle) -> dict[str, Any]:
    return {"href": f"{anchored.article.slug}.html", "meta": anchored.article.meta, "counts": _counts(anchored)}


def _by_date(articles: list[AnchoredArticle]) -> list[AnchoredArticle]:
    by_title = sorted(articles, key=lambda a: (a.article.meta.title, a.article.slug))
    return sorted(by_title, key=lambda a: a.article.meta.date or "", reverse=True)


def _received_name(anchored: AnchoredArticle) -> str:
    return f"{anchored.article.slug}.source.txt"


def long_date(value: str | None) -> str:
    """Format an ISO date as '16 November 2023', the same on every machine."""
    if not value:
        return ""
    date = datetime.date.fromisoformat(value[:10])
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"
