"""The plain data that flows between the stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .load.located_yaml import Located
from .problems import Where

Kind = Literal["note", "correction"]

# In English on every machine, whatever the locale: pages and error messages name months alike.
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class Picture:
    """A picture an article's body shows, as read from its file: its type and bytes, or why no page can show it."""

    src: str  # the address as the parsed body holds it, which the render rule looks up
    file: str | None = None  # the file the address names; None for a web address or none at all
    media_type: str | None = None
    data: bytes = b""
    problem: str | None = None


@dataclass(frozen=True)
class ArticleFile:
    """An article as read from disk: front matter, body and sidecar, not yet checked."""

    slug: str
    path: str
    front: Located
    body: str
    body_line: int
    sidecar_path: str | None = None
    sidecar: Located | None = None
    received: str | None = None
    pictures: dict[str, Picture] = field(default_factory=dict)  # by address: each one the body shows


@dataclass(frozen=True)
class SourceRef:
    """A work cited under a note."""

    title: str
    url: str | None = None


@dataclass(frozen=True)
class Annotation:
    """One entry of a sidecar, checked."""

    quote: str
    where: Where
    kind: Kind = "note"
    note: str | None = None
    original: str | None = None
    id: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class Meta:
    """An article's front matter, checked."""

    title: str
    subtitle: str | None = None
    byline: str | None = None
    date: str | None = None
    lang: str = "en"
    summary: str | None = None
    source: str | None = None
    source_url: str | None = None
    credit: str | None = None
    editor_note: str | None = None
    source_frame_before: tuple[str, ...] = ()
    source_frame_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """An article checked by validation: with problems, its sound annotations only, there to have quotes placed."""

    slug: str
    path: str
    meta: Meta
    body: str
    body_line: int
    annotations: tuple[Annotation, ...] = ()
    received: str | None = None
    pictures: dict[str, Picture] = field(default_factory=dict)
    where_of_meta: dict[str, Where] = field(default_factory=dict)
