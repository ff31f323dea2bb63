"""Stage 2, validate: turn a loaded article into a checked one, with every problem of its front matter and sidecar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Annotation, Article, ArticleFile, Meta
from ..problems import Problem
from .annotations import check_annotations
from .front_matter import check_meta
from .links import body_link_problems

if TYPE_CHECKING:
    pass




def validate_article(file: ArticleFile) -> tuple[Article | None, list[Problem]]:
    """Check one article's front matter and sidecar; return the article unless there is nothing to anchor."""
    meta, problems = check_meta(file.front)
    problems += body_link_problems(file)
    annotations: tuple[Annotation, ...] = ()
    sidecar_problems: list[Problem] = []
    if file.sidecar is not None and file.sidecar_path is not None:
        annotations, sidecar_problems = check_annotations(file.sidecar, file.sidecar_path)
    # A sidecar that exists but could not be read has its error from load; anchoring and auditing the
    # article without its annotations would only bury that error under consequences of it.
    if file.sidecar_path is not None and file.sidecar is None:
        return None, problems
    if meta is None or problems or sidecar_problems:
        # The sound annotations' quotes are still placed, so that one run reports every mistake (the build stops
        # before rendering). The received text is left out: the audit needs the front matter and every correction.
        return _article(file, meta or _UNCHECKED, annotations, received=None), problems + sidecar_problems
    return _article(file, meta, annotations, received=file.received), []


_UNCHECKED = Meta(title="")  # stands in for front matter with mistakes, for placing quotes only


def _article(file: ArticleFile, meta: Meta, annotations: tuple[Annotation, ...], received: str | None) -> Article:
    return Article(
        slug=file.slug,
        path=file.path,
        meta=meta,
        body=file.body,
        body_line=file.body_line,
        annotations=annotations,
        received=received,
        pictures=file.pictures,
        tokens=file.tokens,
        where_of_meta={key: file.front.where((key,)) for key in file.front.data} if isinstance(file.front.data, dict)
        else {},
    )
