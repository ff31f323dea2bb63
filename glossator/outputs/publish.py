"""What publishing adds to the pages: a 404 page, and with a base URL an Atom feed and a sitemap."""

from __future__ import annotations

import datetime
from typing import Any

import jinja2

from ..model import Article, Site
from ..render.layouts import run_layout

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def publish(articles: list[Article], env: jinja2.Environment, assets: dict[str, Any],
            site: Site) -> dict[str, str]:
    """Render 404.html, and feed.xml and sitemap.xml when the base URL is known; articles come newest first."""
    files = {"404.html": not_found(env, assets, site)}
    if site.base_url is None:
        return files  # absolute URLs cannot be guessed: better no feed than one that points nowhere
    files["feed.xml"] = feed(articles, env, site)
    files["sitemap.xml"] = sitemap(articles, env, site)
    return files


def not_found(env: jinja2.Environment, assets: dict[str, Any], site: Site) -> str:
    """Render the 404 page, whose links work at any depth once the base path is known."""
    # GitHub Pages serves this file at the missing address, /REPO/a/b/c, where a relative link
    # would point into a folder that does not exist: start from the base path instead.
    home = f"{site.base_path}index.html" if site.base_path else "index.html"
    return run_layout(env.get_template("404.html"), "404.html", **assets, site=site, canonical=None, home=home)


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
