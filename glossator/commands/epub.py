"""`glossator epub [SLUG ...]`: write an EPUB 3 e-book of each article named, or of every article."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..load.config import load_config
from ..model import AnchoredArticle, epub_name
from ..outputs.epub import epub_environment, epub_of
from ..pipeline import checked_articles, collector_paused, config_path
from ..problems import Problem, Where, report
from ..write import replace_file

EXIT_OK, EXIT_CONTENT = 0, 1


def run(options: argparse.Namespace) -> int:
    """Write the e-books the command line asks for, or report why not."""
    config = config_path(options.config, options.content)
    with collector_paused():
        written, problems = write_epubs(options.content, options.out, options.slugs, config=config,
                                        base_url=options.base_url)
    if problems:
        report(problems)
        return EXIT_CONTENT
    count = f"{len(written)} e-book" + ("" if len(written) == 1 else "s")
    print(f"glossator: wrote {count} into {options.out}/", file=sys.stderr)
    return EXIT_OK


def write_epubs(content: Path, out: Path, slugs: Sequence[str], *, config: Path | None = None,
                base_url: str | None = None) -> tuple[list[Path], list[Problem]]:
    """Write `SLUG.epub` into `out` for each slug (every article when none is named); nothing when content is wrong."""
    site, problems = load_config(config, base_url=base_url)
    works, _, found = checked_articles(content)
    problems += found
    by_slug: dict[str, AnchoredArticle] = {w.anchored.article.slug: w.anchored for w in works if w.anchored}
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
