"""Reading the pictures an article body shows: each file checked by its bytes, to embed in the page."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from ..model import Picture
from ..problems import Where, shorten
from ..render.markdown import parse_article as parse_body
from ..render.markdown import picture_addresses
from .files import MAX_FILE_BYTES, display, outside, read_bytes

# The endings of the pictures a page can show: PNG, JPEG, GIF, WebP, SVG and AVIF (see held_picture_type).
PICTURE_ENDINGS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif"})


def load_pictures(content: Path, article: Path, body: str) -> tuple[dict[str, Picture], list[Token] | None]:
    """Read each picture the body shows, by its address; only the body's own parse can tell which those are.

    Every picture is written '![': a body without one, as most are, is not parsed here. Problems are kept with
    the picture, for the anchor stage to report where the body shows it; the parse goes with them, for the anchor
    stage to use."""
    if "![" not in body:
        return {}, None
    tokens = parse_body(body)
    return {src: _load_picture(content, article, src) for src in picture_addresses(tokens)}, tokens


def _load_picture(content: Path, article: Path, src: str) -> Picture:
    address = urlsplit(src)
    if not address.path and not address.netloc:  # none written, only '?x' or '#x', or one the parser refused
        return Picture(src, problem="the picture has no address a page can use; name a picture file in the "
                                    "content folder: ![what it shows](picture.png)")
    if address.scheme or address.netloc:
        return Picture(src, problem=f"a picture must be a file in the content folder: a page reads offline, and a "
                                    f"picture on the web ('{shorten(src)}') would not show; save it in the content "
                                    "folder and write its file name")
    name = unquote(address.path)  # the parser percent-encodes what an address may not hold, such as spaces
    path = article.parent / name
    file = display(content, path)
    return _picture_file(content, src, path, file, name)


def _picture_file(content: Path, src: str, path: Path, file: str, name: str) -> Picture:
    """Return a picture file's media type and bytes, or the problem that keeps a page from showing it."""
    escape = outside(content, path, Where(file), shown=name)
    known_ending = path.suffix.lower() in PICTURE_ENDINGS
    shown = shorten(name)
    try:
        mode = 0 if escape else path.stat().st_mode
    except OSError:  # missing, or a name the system cannot take: reading it says which
        mode = 0
    problem = (escape[0].message if escape
               else f"'{shown}' is not a picture a page can show; use a PNG, JPEG, GIF, WebP, SVG or AVIF file "
                    "(ending .png, .jpg, .jpeg, .gif, .webp, .svg or .avif)" if not known_ending
               else f"picture '{shown}' is a folder; name a picture file" if stat.S_ISDIR(mode)
               else f"picture file '{shown}' not found in the content folder" if not os.path.lexists(path)
               else None)
    if problem is not None:
        return Picture(src, file, problem=problem)
    data, problems = read_bytes(path, file)
    if data is None:
        return Picture(src, file, problem=f"picture file '{shown}': {problems[0].message}")
    if len(data) > MAX_FILE_BYTES:
        return Picture(src, file, problem=f"picture file '{shown}' is over the size limit of {MAX_FILE_BYTES:,} "
                                          "bytes (10 MiB): each page holds its pictures; make it smaller")
    held = held_picture_type(data)
    if held is None:
        return Picture(src, file, problem=f"picture file '{shown}' {_not_a_picture(data)}")
    return Picture(src, file, held, data)  # the type the bytes hold: a browser shows an SVG only if told so


_LFS_POINTER = b"version https://git-lfs.github.com/spec/"


_RASTER_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                      (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))


def held_picture_type(data: bytes) -> str | None:
    """Return the media type of the picture the bytes hold, by their first bytes; None if they hold none."""
    for signature, media_type in _RASTER_SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and {b"avif", b"avis"} & {data[at : at + 4] for at in range(8, 64, 4)}:
        return "image/avif"  # an ISO media file whose brands name AVIF (a HEIC photo's do not)
    if b"<svg" in data and not data.startswith(_LFS_POINTER):
        return "image/svg+xml"
    return None


def _not_a_picture(data: bytes) -> str:
    if data.startswith(_LFS_POINTER):
        return "is a Git LFS pointer, not the picture itself: fetch the picture with 'git lfs pull'"
    return ("holds no PNG, JPEG, GIF, WebP, SVG or AVIF picture (is it a web page saved under a picture's name?); "
            "save the picture again in one of these types")
