"""The site's own pages: the index of the articles and the not-found page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import AnchoredArticle, SiteFile, SiteWork, size_of
from ..render.look import counts, render_layout


def index_page(site: SiteWork, made: Mapping[str, SiteFile]) -> list[SiteFile]:
    """The index of articles, newest first, linking the offline copy when the site has one."""
    archive = made.get("offline.zip")
    size = _file_size(size_of(archive.data)) if archive is not None else None
    return [SiteFile("index.html", render_index(site, archive=size).encode("utf-8"), "the index page")]


def render_index(site: SiteWork, *, archive: str | None) -> str:
    """Render the index; `archive` is the offline ZIP's size, None for the copy inside the ZIP."""
    settings = site.look.site
    listed = [_summary(a) for a in by_date(site.articles)]
    return render_layout(site.look, "index.html", "index.html", articles=listed, site=settings,
                         canonical=settings.url("index.html"), archive=archive,
                         feed=archive is not None and settings.base_url is not None)


def not_found_page(site: SiteWork, made: Mapping[str, SiteFile]) -> list[SiteFile]:
    """The page GitHub Pages and `serve` show at a missing address, whose links work at any depth."""
    settings = site.look.site
    # A server sends this file at the missing address, /REPO/a/b/c, where a relative link would point into a
    # folder that does not exist: start from the base path, or without one from the server's root, where `serve`
    # puts the site.
    home = f"{settings.base_path or '/'}index.html"
    html = render_layout(site.look, "404.html", "404.html", site=settings, canonical=None, home=home)
    return [SiteFile("404.html", html.encode("utf-8"), "the site's 404.html")]


def by_date(articles: tuple[AnchoredArticle, ...]) -> list[AnchoredArticle]:
    """Order articles newest first, undated last, and by title where the dates are the same."""
    by_title = sorted(articles, key=lambda a: (a.article.meta.title, a.article.slug))
    return sorted(by_title, key=lambda a: a.article.meta.date or "", reverse=True)


def _summary(anchored: AnchoredArticle) -> dict[str, Any]:
    return {"href": f"{anchored.article.slug}.html", "meta": anchored.article.meta, "counts": counts(anchored)}


def _file_size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"
