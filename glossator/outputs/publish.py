"""What publishing adds with a base URL: an Atom feed and a sitemap."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import jinja2

from ..model import Article, Site, SiteFile, SiteWork
from ..render.layouts import run_layout
from .pages import by_date

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def atom_feed(site: SiteWork, made: Mapping[str, SiteFile]) -> list[SiteFile]:
    """The Atom feed, when the base URL is known: absolute URLs cannot be guessed, and a feed needs them."""
    if site.look.site.base_url is None:
        return []
    text = feed([a.article for a in by_date(site.articles)], site.look.env, site.look.site)
    return [SiteFile("feed.xml", text.encode("utf-8"), "the site's feed.xml")]


def sitemap_file(site: SiteWork, made: Mapping[str, SiteFile]) -> list[SiteFile]:
    """The sitemap, when the base URL is known."""
    if site.look.site.base_url is None:
        return []
    text = sitemap([a.article for a in by_date(site.articles)], site.look.env, site.look.site)
    return [SiteFile("sitemap.xml", text.encode("utf-8"), "the site's sitemap.xml")]


def feed(articles: list[Article], env: jinja2.Environment, site: Site) -> str:
    """Render the Atom feed: one entry per article, updated as of the newest entry."""
    entries = [_entry(article, site) for article in articles]
    entries.sort(key=lambda entry: entry["moment"], reverse=True)
    newest = entries[0]["moment"] if entries else site.source_date or _EPOCH
    return run_layout(env.get_template("feed.xml"), "feed.xml", site=site, entries=entries, updated=rfc3339(newest),
                      home=site.url("index.html"), self_url=site.url("feed.xml"))


def _entry(article: Article, site: Site) -> dict[str, Any]:
    meta = article.meta
    # An undated article takes SOURCE_DATE_EPOCH, then the start of 1970: never the clock.
    moment = read_date(meta.date) if meta.date else site.source_date or _EPOCH
    return {"title": meta.title, "url": site.url(f"{article.slug}.html"), "moment": moment,
            "updated": rfc3339(moment), "author": meta.byline, "summary": meta.summary}


def sitemap(articles: list[Article], env: jinja2.Environment, site: Site) -> str:
    """Render the sitemap: the index, then every article page, with its date where it has one."""
    dates = [a.meta.date for a in articles if a.meta.date]
    newest = max(dates, key=read_date) if dates else None
    pages = [{"url": site.url("index.html"), "lastmod": _lastmod(newest)}]
    pages += [{"url": site.url(f"{a.slug}.html"), "lastmod": _lastmod(a.meta.date)} for a in articles]
    return run_layout(env.get_template("sitemap.xml"), "sitemap.xml", pages=pages)


def _lastmod(date: str | None) -> str | None:
    if date is None:
        return None
    return date if len(date) == 10 else rfc3339(read_date(date))  # a date alone stays a date


def read_date(value: str) -> datetime.datetime:
    """Read a front-matter date as a time in UTC; a date alone is its midnight, a time without zone UTC."""
    moment = datetime.datetime.fromisoformat(value)
    return moment.astimezone(datetime.UTC) if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def rfc3339(moment: datetime.datetime) -> str:
    """Format a time as Atom and sitemaps want it: 2023-11-16T09:30:00Z."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
