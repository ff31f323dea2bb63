"""An article as an EPUB 3 e-book: its text, its notes and corrections as footnotes, the same bytes from every build.

The XHTML comes from the Jinja templates in `glossator/epub_theme/` (escaping everything) and from markdown-it's
renderer in XHTML mode; the margin-note plugin marks the passages, and here a note renders as a noteref, its
footnote going to the notes at the end, where an e-reader finds it to show as a pop-up.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from ..model import Anchor, AnchoredArticle, Article, Site
from ..render.look import long_date
from ..render.marginalia import ENV_KEY, insert_marks
from ..render.markdown import new_article_renderer, render_parsed_note, standalone_note_parser
from ..render.page import word_change
from ..render.urls import is_safe_url
from .web_annotation import date_time

MEDIA_TYPE = "application/epub+zip"
TEXT_NAME = "text.xhtml"
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # as in offline.zip: the clock would change the bytes
_FILE_MODE = 0o100644
_UNIX = 3
# The picture types every EPUB 3 reader must show (EPUB 3.2 core media types); others would need a fallback.
_CORE_PICTURES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/svg+xml": ".svg"}
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class _Picture:
    href: str  # its path in the e-book, from the package document and the text alike
    media_type: str
    data: bytes


@cache
def epub_environment() -> jinja2.Environment:
    """Return the Jinja environment over the e-book templates shipped in the package, escaping everything."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("glossator", "epub_theme"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["long_date"] = long_date
    return env


def epub_of(anchored: AnchoredArticle, site: Site, env: jinja2.Environment) -> bytes:
    """Return one article as an EPUB 3 file."""
    article = anchored.article
    pictures = _pictures(article)
    context: dict[str, Any] = {"meta": article.meta, "footnotes": [_footnote(a, env) for a in anchored.anchors]}
    files = {
        "META-INF/container.xml": env.get_template("container.xml").render(),
        "EPUB/package.opf": env.get_template("package.opf").render(context, **_package_metadata(article, site),
                                                                  pictures=pictures.values()),
        "EPUB/nav.xhtml": env.get_template("nav.xhtml").render(context),
        f"EPUB/{TEXT_NAME}": env.get_template("text.xhtml").render(
            context, body=Markup(_body(anchored, env, {src: p.href for src, p in pictures.items()})),
            counts=_counts(anchored), original=_safe(article.meta.source_url)),
        "EPUB/style.css": env.get_template("style.css").render(),
    }
    return _zip({name: text.encode("utf-8") for name, text in files.items()}
                | {f"EPUB/{p.href}": p.data for p in pictures.values()})


def _pictures(article: Article) -> dict[str, _Picture]:
    """The pictures the body shows that an e-reader can show, by the address the body gives."""
    shown: dict[str, _Picture] = {}
    for number, (src, picture) in enumerate(article.pictures.items(), start=1):
        extension = _CORE_PICTURES.get(picture.media_type or "")
        if extension is not None and picture.media_type is not None:
            shown[src] = _Picture(f"images/picture-{number}{extension}", picture.media_type, picture.data)
    return shown


def _package_metadata(article: Article, site: Site) -> dict[str, Any]:
    import uuid  # here, not above: uuid imports platform, and most builds make no e-book

    meta = article.meta
    # The same article at the same address is the same book: the identifier comes from them, not from chance.
    name = site.url(f"{article.slug}.html") or f"glossator:{article.slug}"
    dated = _utc(meta.date) if meta.date else site.source_date or _EPOCH
    return {"identifier": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
            "date": _w3c_date(meta.date) if meta.date else None,
            "modified": dated.strftime("%Y-%m-%dT%H:%M:%SZ"), "source_url": _safe(meta.source_url)}


def _w3c_date(value: str) -> str:
    """A front matter date as dc:date takes it (W3CDTF): a bare date as it is, a time with seconds and a zone."""
    return value if len(value) == 10 else date_time(value)


def _utc(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(date_time(value).replace("Z", "+00:00"))
    return moment.astimezone(datetime.UTC)


def _safe(url: str | None) -> str | None:
    return url if url and is_safe_url(url) else None


def _counts(anchored: AnchoredArticle) -> dict[str, int]:
    kinds = [a.annotation.kind for a in anchored.anchors]
    return {"notes": kinds.count("note"), "corrections": kinds.count("correction")}


def _body(anchored: AnchoredArticle, env: jinja2.Environment, pictures: dict[str, str]) -> str:
    """Render the article body as XHTML, each annotated passage marked and followed by its noteref."""
    md = _renderer()
    noteref = env.get_template("partials/noteref.xhtml")

    def render_noteref(anchor: Anchor) -> str:
        return noteref.render(anchor=anchor).strip()

    tokens = insert_marks(anchored.tokens, anchored.reading, anchored.anchors)
    html: str = md.renderer.render(tokens, md.options, {ENV_KEY: {"render_note": render_noteref,
                                                                  "pictures": pictures}})
    return html


@cache
def _renderer() -> MarkdownIt:
    md = new_article_renderer(xhtml=True)
    md.add_render_rule("image", _render_picture)
    return md


def _render_picture(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                    env: EnvType) -> str:
    """Show a picture from its file in the e-book; one an e-reader cannot show (WebP, AVIF) by its alt text."""
    picture = tokens[idx]
    href = env[ENV_KEY]["pictures"].get(picture.attrGet("src"))
    if href is None:
        alt = self.renderInlineAsText(picture.children or [], options, env)
        return f'<span class="picture-alt">{escapeHtml(alt)}</span>'
    return str(self.image([picture.copy(attrs={**picture.attrs, "src": href})], 0, options, env))


def _footnote(anchor: Anchor, env: jinja2.Environment) -> dict[str, Any]:
    annotation = anchor.annotation
    note = annotation.note
    body = Markup(render_parsed_note(standalone_note_parser(xhtml=True), note)) if note else None
    change = word_change(annotation.original, annotation.quote) if annotation.original is not None else None
    sources = [{"title": s.title, "url": _safe(s.url)} for s in annotation.sources]
    return {"anchor": anchor, "body": body, "change": change, "sources": sources}


def _zip(files: dict[str, bytes]) -> bytes:
    """Pack an EPUB: the mimetype first and stored, as readers look for it, then every file in name order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [("mimetype", MEDIA_TYPE.encode("ascii")), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED  # deflated bytes differ between zlib builds
            info.create_system = _UNIX
            info.external_attr = _FILE_MODE << 16
            archive.writestr(info, data)
    return buffer.getvalue()
