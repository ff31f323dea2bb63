"""Links no page may hold (javascript:, vbscript:, data:, ...), refused in notes and bodies as in a source's url.

The Markdown parsers drop such a link, and the page would show its Markdown as text without a word."""

from __future__ import annotations

from ..model import Annotation, ArticleFile, Located
from ..problems import Problem, Where, shorten
from ..render.markdown import unsafe_links
from .schema_errors import source_url_rule


def note_link_problems(sidecar: Located, annotations: list[tuple[int, Annotation]]) -> list[Problem]:
    """Refuse each link of a note to an address no page may hold, at the note."""
    return [Problem(sidecar.where(("annotations", i, "note")), _message("'note'", address))
            for i, annotation in annotations for address, _ in unsafe_links(annotation.note or "")]


def body_link_problems(file: ArticleFile) -> list[Problem]:
    """Refuse each link of an article's body to an address no page may hold, where its address is written."""
    lines = file.body.split("\n")
    problems = []
    for address, first in unsafe_links(file.body):
        # The parser hands over the address as it will print it: find it as written from its block's first line.
        row, col = next(((row, line.find(address)) for row, line in enumerate(lines[first:], first)
                         if address in line), (first, -1))
        problems.append(Problem(Where(file.path, file.body_line + row, col + 1 if col >= 0 else 1),
                                _message("the article", address)))
    return problems


def _message(place: str, address: str) -> str:
    rule = source_url_rule().removeprefix("must be ")
    return f"a link in {place} must lead to a page of this site or be {rule}, not '{shorten(address)}'"
