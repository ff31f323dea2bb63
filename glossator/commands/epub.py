"""`glossator epub [SLUG ...]`: write an EPUB 3 e-book of each article named, or of every article."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..anchor.place import AnchoredArticle, anchor
from ..check.audit import audit
from ..check.validate import validate
from ..load.config import load_config
from ..load.content import load
from ..outputs.epub import epub_environment, epub_name, epub_of
from ..problems import Problem, Where
from ..write import replace_file


def anchored_articles(content: Path) -> tuple[list[AnchoredArticle], list[Problem]]:
    """Run the stages a page needs before rendering, as a build does: load, validate, anchor and audit."""
    files, problems = load(content)
    articles, found = validate(files)
    anchored, placed = anchor(articles)
    return anchored, problems + found + placed + audit(anchored)


def write_epubs(content: Path, out: Path, slugs: Sequence[str], *, config: Path | None = None,
                base_url: str | None = None) -> tuple[list[Path], list[Problem]]:
    """Write `SLUG.epub` into `out` for each slug (every article when none is named); nothing when content is wrong."""
    site, problems = load_config(config, base_url=base_url)
    anchored, found = anchored_articles(content)
    problems += found
    by_slug = {a.article.slug: a for a in anchored}
    for slug in slugs:
        if slug not in by_slug:
            known = ", ".join(sorted(by_slug)) or "none"
            problems.append(Problem(Where(slug), f"no article '{slug}' in {content}/ (its articles: {known})"))
    if problems:
        return [], problems
    env = epub_environment()
    written = []
    try:
        for slug in dict.fromkeys(slugs or sorted(by_slug)):
            path = out / epub_name(slug)
            replace_file(path, epub_of(by_slug[slug], site, env))
            written.append(path)
    except OSError as error:
        problems.append(Problem(Where(str(out)), f"cannot write the e-book: {error.strerror or error}"))
    return written, problems
