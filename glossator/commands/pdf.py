"""`glossator pdf SLUG`: one article as a PDF, printed by headless Chromium from the page the build makes.

The page is built as `build` builds it, with the site's print styles, and printed as a reader's Chromium prints
it: each note below the block that cites it, the title and page numbers in the page margins.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def run(options: argparse.Namespace) -> int:
    """Build the article's page, print it to a PDF file and return the exit status."""
    from .. import pipeline
    from ..load.layouts import site_layouts
    from ..problems import report
    from .chromium import PAPERS, PrintError, find_browser, print_to_pdf

    try:
        browser = find_browser(os.environ)
    except PrintError as error:
        return _fail(str(error), EXIT_CONTENT)
    with pipeline.collector_paused():
        result = pipeline.check(options.content, site_layouts(options.layouts, options.content),
                                config=pipeline.config_path(None, options.content))
    if result.problems:
        report(result.problems)
        return EXIT_CONTENT
    page = result.files.get(f"{options.slug}.html")
    if not isinstance(page, bytes) or options.slug in ("index", "404"):  # check gives every file's bytes
        return _fail(_unknown_slug(options.slug, options.content, result.files), EXIT_USAGE)
    out = _out_path(options.out, options.slug)
    with tempfile.TemporaryDirectory(prefix="glossator-pdf-") as folder:
        built = Path(folder) / f"{options.slug}.html"
        built.write_bytes(page)
        try:
            pdf = print_to_pdf(browser, built, PAPERS[options.paper])
        except PrintError as error:
            return _fail(str(error), EXIT_CONTENT)
    from ..write import replace_file

    try:
        replace_file(out, pdf)
    except OSError as error:
        return _fail(f"cannot write {out}: {error.strerror}", EXIT_CONTENT)
    print(f"glossator: printed {options.slug} on {PAPERS[options.paper].name} paper into {out}", file=sys.stderr)
    return EXIT_OK


def _out_path(given: Path | None, slug: str) -> Path:
    if given is None:
        return Path(f"{slug}.pdf")
    return given / f"{slug}.pdf" if given.is_dir() else given


def _unknown_slug(slug: str, content: Path, files: Mapping[str, object]) -> str:
    articles = sorted(name.removesuffix(".html") for name in files
                      if name.endswith(".html") and name not in ("index.html", "404.html"))
    known = f"the articles are {', '.join(articles)}" if articles else "it holds no article"
    return f"no article '{slug}' in {content}: {known}"


def _fail(message: str, status: int) -> int:
    print(f"glossator: error: {message}", file=sys.stderr)
    return status
