"""The site's files: a table of outputs, each a function from the rendered articles to the files it makes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import jinja2

from ..model import Archive, FileData, SiteFile, SiteWork, Staged
from ..problems import Problem, Where
from ..render.layouts import LayoutFailed, template_problem
from .article_files import every_article_file
from .offline import archive_chunks, offline_copy
from .pages import index_page, not_found_page
from .publish import atom_feed, sitemap_file

# What an output is given: the site, and every file the rows above it made, by name.
Output = Callable[[SiteWork, Mapping[str, SiteFile]], list[SiteFile]]

# In order: a row sees the files of the rows above it (the offline copy holds the pages and texts; the index
# gives the offline copy's size). A new output is one new row, here for the site, in article_files.py for an article.
OUTPUTS: tuple[tuple[str, Output], ...] = (
    ("article files", every_article_file),  # each article's page, received text, Web Annotation file, e-book
    ("offline copy", offline_copy),
    ("index", index_page),
    ("not-found page", not_found_page),
    ("feed", atom_feed),
    ("sitemap", sitemap_file),
)


def make_outputs(site: SiteWork, outputs: tuple[tuple[str, Output], ...] = OUTPUTS,
                 ) -> tuple[dict[str, FileData], list[Problem]]:
    """Make every output's files, by name; two files of one name are a problem, as is a layout that fails.

    A file's data is its bytes, or where a build staged them, or the offline ZIP described: see `in_memory`."""
    files = _SiteFiles()
    try:
        for _, output in outputs:
            for file in output(site, files.made):
                files.add(file)
    except jinja2.TemplateError as error:
        return {}, [template_problem(error, site.look.layouts)]
    except LayoutFailed as failed:
        return {}, [failed.problem]
    if files.problems:
        return {}, files.problems
    return {name: file.data for name, file in files.made.items()}, []


def in_memory(files: Mapping[str, FileData]) -> dict[str, bytes]:
    """Return every file's bytes, the offline ZIP's put together, for a site that is not being written."""
    return {name: data if isinstance(data, bytes) else b"".join(_chunks(data)) for name, data in files.items()}


def _chunks(data: Staged | Archive) -> Iterator[bytes]:
    return archive_chunks(data) if isinstance(data, Archive) else iter([data.path.read_bytes()])


class _SiteFiles:
    """The site's files by name, each name taken once: in any case, as a case-blind disk would store it."""

    def __init__(self) -> None:
        self.made: dict[str, SiteFile] = {}
        self.problems: list[Problem] = []
        self._by_folded: dict[str, SiteFile] = {}

    def add(self, file: SiteFile) -> None:
        """Add a file, or a problem if its name is taken."""
        taken = self._by_folded.get(file.name.casefold())
        if taken is None:
            self._by_folded[file.name.casefold()] = self.made[file.name] = file
            return
        first, second = sorted([file, taken], key=lambda made: made.article is None)  # an article's first
        message = f"{_made(first)} and {_made(second)} would both be written as '{file.name}'"
        fix = "; rename the article" if first.article else ""
        self.problems.append(Problem(Where(first.article or file.name), message + fix))


def _made(file: SiteFile) -> str:
    return f"{file.what} of {file.article}" if file.article else file.what
