"""Each article's own files, made with its page: the page, the copy of its received text, its Web Annotation file
and its e-book.

They depend on the article and the look alone, so they are made as soon as the article is rendered (in a worker
process, or in `watch` before the site-wide files), kept with the article between builds, and the article's
markdown-it tokens and reading text can go: the site-wide outputs read only what `summary_of` keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from ..model import (
    AnchoredArticle,
    ArticleWork,
    Look,
    Reading,
    SiteFile,
    SiteWork,
    collection_name,
    epub_name,
    received_name,
)

# What an article output is given: the article through every stage, its page and the look; it returns the file's
# name and bytes, or None when the article has no such file.
ArticleOutput = Callable[[AnchoredArticle, str, Look], tuple[str, bytes] | None]


def _page(anchored: AnchoredArticle, page: str, look: Look) -> tuple[str, bytes]:
    return f"{anchored.article.slug}.html", page.encode("utf-8")


def _received_text(anchored: AnchoredArticle, page: str, look: Look) -> tuple[str, bytes] | None:
    article = anchored.article
    if article.received is None or not article.meta.source:
        return None
    return received_name(article.slug), article.received.encode("utf-8")


def _web_annotations(anchored: AnchoredArticle, page: str, look: Look) -> tuple[str, bytes]:
    from .web_annotation import collection_file  # here: the site-wide outputs list these files, never make them

    return collection_name(anchored.article.slug), collection_file(anchored, look.site)


def _e_book(anchored: AnchoredArticle, page: str, look: Look) -> tuple[str, bytes] | None:
    if not look.site.epub:  # only when the settings ask for them (`epub: true`)
        return None
    from .epub import epub_environment, epub_of  # here: a site without e-books never needs the module

    return epub_name(anchored.article.slug), epub_of(anchored, look.site, epub_environment())


# What each file is, as a problem names it, and how it is made. The site lists them in this order: every article's
# page, then every received text, and so on.
ARTICLE_OUTPUTS: tuple[tuple[str, ArticleOutput], ...] = (
    ("the page", _page),
    ("the copy of the received text", _received_text),
    ("the Web Annotation file", _web_annotations),
    ("the e-book", _e_book),
)
_ORDER = {what: index for index, (what, _) in enumerate(ARTICLE_OUTPUTS)}


def files_of(anchored: AnchoredArticle, page: str, look: Look) -> tuple[SiteFile, ...]:
    """Return the article's own files, in the table's order."""
    files = []
    for what, output in ARTICLE_OUTPUTS:
        made = output(anchored, page, look)
        if made is not None:
            files.append(SiteFile(made[0], made[1], what, anchored.article.path))
    return tuple(files)


def every_article_file(site: SiteWork, made: Mapping[str, SiteFile]) -> list[SiteFile]:
    """The files each article made with its page, grouped by kind in the table's order."""
    return sorted(site.files, key=lambda file: _ORDER[file.what])


_NO_READING = Reading("", (), (), (), ())


def summary_of(work: ArticleWork) -> ArticleWork:
    """Return an article whose files are made, cut down to what the site-wide step and outputs read of it: its
    front matter, its metadata and its anchors, not its body, tokens, reading text, received text or pictures."""
    if work.anchored is None or work.file is None:
        return work
    anchored = work.anchored
    article = replace(anchored.article, body="", received=None, pictures={}, tokens=None)
    return replace(work, file=replace(work.file, body="", sidecar=None, received=None, pictures={}, tokens=None),
                   article=None, anchored=replace(anchored, article=article, tokens=[], reading=_NO_READING),
                   page=None)
