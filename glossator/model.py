"""The plain data that flows between the stages: every stage's types, in one place."""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import quote, urlsplit

from .problems import Problem, Where

if TYPE_CHECKING:  # named in annotations alone: a build with nothing changed imports neither
    import jinja2
    from markdown_it.token import Token

Kind = Literal["note", "correction"]
DEFAULT_TITLE = "Annotated articles"
YamlPath = tuple[str | int, ...]


# In English on every machine, whatever the locale: pages and error messages name months alike.
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


# Stage 1, load

# Where a value stands, and where its parts stand: (line, col, parts). Parts are None
# for a scalar, a list of spots for a list, and for a mapping a dict from each key
# to (key line, key col, value spot). An alias shares its anchor's parts.
Spot = tuple[int, int, Any]


@dataclass(frozen=True)
class Located:
    """Plain YAML data with the position of each value and mapping key."""

    data: Any
    file: str
    spot: Spot

    def where(self, path: YamlPath, *, key: bool = False) -> Where:
        """Return the position of the value (or key) at path, or of its nearest parent."""
        line, col, parts = self.spot
        key_spot: tuple[int, int] | None = None
        for step in path:
            if isinstance(parts, dict) and step in parts:
                key_line, key_col, (line, col, parts) = parts[step]
                key_spot = (key_line, key_col)
            elif isinstance(parts, list) and isinstance(step, int) and 0 <= step < len(parts):
                line, col, parts = parts[step]
            else:
                break
        if key and key_spot is not None:
            line, col = key_spot
        return Where(self.file, line, col)



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
    # The body's parse, when finding its pictures took one: the anchor stage uses it rather than parse again.
    tokens: tuple[Token, ...] | None = field(default=None, repr=False, compare=False)


# Stage 2, validate

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
    source_label: str | None = None  # how the page names the link to source_url
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
    tokens: tuple[Token, ...] | None = field(default=None, repr=False, compare=False)  # as loaded, if parsed
    where_of_meta: dict[str, Where] = field(default_factory=dict)


# Stage 3, anchor

# The three records below are made once per piece of text, tens of thousands of times for a long article: as
# named tuples they cost a fifth of what a frozen dataclass does to make.
class Folded(NamedTuple):
    """A string folded for matching, with a map from folded offsets back to original ones.

    The map is piecewise: from folded offset `folded_starts[i]` on, folded chars
    correspond one to one with original chars from `source_starts[i]` on.
    """

    text: str
    folded_starts: tuple[int, ...] = (0,)
    source_starts: tuple[int, ...] = (0,)

    def source_offset(self, index: int) -> int:
        """Return the original offset of folded char `index` (len(text) maps past the end)."""
        segment = bisect_right(self.folded_starts, index) - 1
        return self.source_starts[segment] + index - self.folded_starts[segment]


class Piece(NamedTuple):
    """A stretch of the reading text that comes from one token's content."""

    start: int
    block: int  # index in the token stream of the inline (or code) token
    child: int  # index among the inline token's children; -1 for a code block
    folded: Folded


class Block(NamedTuple):
    """A stretch of the reading text from one block: a paragraph, heading, cell or code."""

    start: int
    end: int
    token: int
    is_code: bool


@dataclass(frozen=True)
class Reading:
    """The whole text a reader sees, blocks joined by one space."""

    text: str
    pieces: tuple[Piece, ...]
    blocks: tuple[Block, ...]
    piece_starts: tuple[int, ...]
    block_starts: tuple[int, ...]

    def piece_at(self, index: int) -> Piece:
        """Return the piece that holds folded char `index`."""
        return self.pieces[bisect_right(self.piece_starts, index) - 1]

    def block_at(self, index: int) -> Block:
        """Return the block that holds folded char `index`."""
        return self.blocks[bisect_right(self.block_starts, index) - 1]


@dataclass(frozen=True)
class Anchor:
    """An annotation placed on the reading text, with its label and page id."""

    annotation: Annotation
    start: int
    end: int
    label: str  # the note's number, or the correction mark
    ordinal: int  # position among annotations of its kind, in reading order
    html_id: str


@dataclass(frozen=True)
class AnchoredArticle:
    """An article with its parsed tokens, reading text and placed annotations."""

    article: Article
    tokens: list[Token]
    reading: Reading
    anchors: tuple[Anchor, ...]


# Stage 4, render

@dataclass(frozen=True)
class Site:
    """What the pages need to know about the site as a whole."""

    title: str = DEFAULT_TITLE
    # Only absolute links use it (canonical, Open Graph, feed, sitemap): every other link is relative.
    base_url: str | None = None
    # SOURCE_DATE_EPOCH: the date of an undated feed entry, never the clock.
    source_date: datetime.datetime | None = None
    epub: bool = False  # an EPUB 3 e-book of each article in the site, and in offline.zip

    @property
    def base_path(self) -> str | None:
        """Return the path the site is mounted at, such as '/REPO/' or '/'; None without a base URL."""
        return None if self.base_url is None else urlsplit(self.base_url).path.rstrip("/") + "/"

    def url(self, href: str) -> str | None:
        """Return the absolute URL of a file of the site (the index is the folder); None without a base URL."""
        if self.base_url is None:
            return None
        return self.base_url.rstrip("/") + "/" + ("" if href == "index.html" else quote(href))


@dataclass(frozen=True)
class WordChange:
    """How a correction's printed words differ from the received ones, word by word."""

    before: str
    removed: str
    added: str
    after: str


@dataclass(frozen=True)
class LayoutFile:
    """One layout as read: its text, and its file as errors name it (the site's own, or the theme's)."""

    text: str
    path: str


@dataclass(frozen=True)
class Look:
    """The compiled layouts and the settings: what every page is rendered with."""

    env: jinja2.Environment
    assets: dict[str, Any]  # the inline style and script, and the Content-Security-Policy that allows exactly them
    site: Site
    layouts: str  # the layouts folder, as errors name it


# The pipeline


@dataclass(frozen=True)
class ArticleWork:
    """One article on its way through the stages: what each stage has made of it so far, and what it found."""

    path: Path  # the article's file in the content folder
    file: ArticleFile | None = None
    article: Article | None = None
    anchored: AnchoredArticle | None = None
    page: str | None = None
    problems: tuple[Problem, ...] = ()
    files_made: tuple[SiteFile, ...] = ()  # its own files, made with its page: see outputs/article_files.py
    needs: tuple[Path, ...] = ()  # the files besides its own and its sidecar it was read from: received text, pictures
    needs_read: tuple[tuple[str, str], ...] = ()  # those files as the stages read them, each with its digest


@dataclass
class ZipEntries:
    """What the offline ZIP keeps between rebuilds: each file's bytes and their checksum, by name."""

    crcs: dict[str, tuple[bytes, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteWork:
    """Every article through the stages, and what the site-wide step found across them: what outputs are made of."""

    articles: tuple[AnchoredArticle, ...]  # in the content folder's order; perhaps cut to what site-wide files read
    files: tuple[SiteFile, ...]  # each article's own files, made with its page: its page, its Web Annotation file...
    ids: Mapping[str, Where]  # 'SLUG#ID' of every note, by where its annotation stands: for cross-references
    look: Look
    kept_zip: ZipEntries | None = None  # the offline ZIP's checksums, kept between rebuilds (watch)


def received_name(slug: str) -> str:
    """Name the copy of an article's received text, published beside its page."""
    return f"{slug}.source.txt"


def collection_name(slug: str) -> str:
    """Name the file of an article's annotations as a W3C Web Annotation collection."""
    return f"{slug}.annotations.jsonld"


def epub_name(slug: str) -> str:
    """Name an article's e-book."""
    return f"{slug}.epub"


@dataclass(frozen=True)
class Staged:
    """A file's bytes written already into the folder a build fills, as soon as the article that made them was done:
    a build holds a small record of each page, not the page."""

    path: Path  # where they are, in that folder
    size: int
    crc: int  # their CRC-32, which the offline ZIP holds
    digest: str  # their SHA-256, by which a later build knows the file it placed holds them


class KeptFile(NamedTuple):
    """One of an article's own files as a build kept it for the next (article_cache.py): never its bytes, which are
    in the site that build placed, but what tells the file there holds them, and what the offline ZIP needs."""

    name: str
    what: str
    article: str | None
    size: int
    crc: int
    digest: str  # the SHA-256 of its bytes


@dataclass(frozen=True)
class Archive:
    """The offline ZIP, described: each entry's name, bytes (or where they are staged) and CRC-32, in order. Its
    bytes are put together as they are written (outputs/offline.py), never held whole when its pages are staged."""

    entries: tuple[tuple[str, bytes | Staged, int], ...]
    size: int


FileData = bytes | Staged | Archive


def size_of(data: FileData) -> int:
    """Return how many bytes a file holds."""
    return len(data) if isinstance(data, bytes) else data.size


@dataclass(frozen=True)
class SiteFile:
    """One file of the site: its name in the output folder, its bytes, what it is and the content file it comes from."""

    name: str
    data: FileData
    what: str
    article: str | None = None
    digest: str | None = None  # the SHA-256 of its bytes, where it was reckoned already (a kept article's files)
