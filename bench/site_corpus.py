"""Generate a site of many annotated articles, deterministically from a seed.

Each article is bench/corpus.py's generated article with its own seed, and a sidecar of quotes chosen
in it the same way as for the long article (some from refrains, with a prefix or suffix).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench import corpus


@dataclass(frozen=True)
class SiteSize:
    """How big a generated site is."""

    articles: int
    words: int  # per article
    annotations: int  # per article


FULL_SITE = SiteSize(articles=200, words=5_000, annotations=50)
TINY_SITE = SiteSize(articles=10, words=500, annotations=10)


@dataclass(frozen=True)
class GeneratedSite:
    """A generated content folder, and the Markdown bodies a peer tool gets (by slug)."""

    content: Path
    bodies: dict[str, str]
    words: int  # in all articles
    annotations: int  # in all sidecars


def write_site(folder: Path, size: SiteSize, seed: int) -> GeneratedSite:
    """Write a content folder of `size.articles` articles, each with its sidecar; return what was written."""
    folder.mkdir(parents=True)
    bodies: dict[str, str] = {}
    words = annotations = 0
    for number in range(1, size.articles + 1):
        article_seed = seed * 100_003 + number * 7
        article = corpus.make_article(article_seed, size.words)
        quotes = corpus.make_quotes(article, size.annotations, article_seed + 1)
        slug = f"article-{number:04d}"
        (folder / f"{slug}.md").write_text(article.markdown(f"Generated article {number}"), encoding="utf-8")
        (folder / f"{slug}.annotations.yaml").write_text(corpus.sidecar(quotes, article_seed + 2), encoding="utf-8")
        bodies[slug] = article.body()
        words += article.word_count
        annotations += len(quotes)
    return GeneratedSite(folder, bodies, words, annotations)


if __name__ == "__main__":  # `python -m bench.site_corpus FOLDER [ARTICLES]`: write a site to look at or build
    import sys

    count = int(sys.argv[2]) if len(sys.argv) > 2 else FULL_SITE.articles
    made = write_site(Path(sys.argv[1]), SiteSize(count, FULL_SITE.words, FULL_SITE.annotations), 1)
    print(f"{len(made.bodies)} articles, {made.words:,} words, {made.annotations:,} annotations in {made.content}")
