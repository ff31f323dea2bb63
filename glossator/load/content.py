"""Stage 1, load: read content files into plain data, keeping every position."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..model import ArticleFile, Located, Picture
from ..problems import REFUSED_CHARACTERS, REFUSED_IN_RECEIVED_TEXT, Problem, Where, refused_character, shorten
from ..render.compiled_layouts import cache_file
from ..render.markdown import parse_article as parse_body
from ..render.markdown import picture_addresses
from .located_yaml import parse_yaml

MAX_FILE_BYTES = 10 * 1024 * 1024
SIDECAR_SUFFIX = ".annotations.yaml"
# The endings of the pictures a page can show: PNG, JPEG, GIF, WebP, SVG and AVIF (see held_picture_type).
PICTURE_ENDINGS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif"})

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
# A page's name is its address: no spaces, '#', '?', '%' or quotes, which a link would misread.
_SAFE_SLUG = re.compile(r"\w[\w.-]*")
# Pages the site writes itself, by the name an article would need to take them.
_RESERVED_SLUGS = {"index": "the site's index page", "404": "the site's not-found page"}
# Endings other tools give Markdown, and other spellings of the sidecar's, which the build would pass over.
_ARTICLE_LOOKALIKES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtext", ".mdtxt")
_SIDECAR_LOOKALIKES = (".annotations.yaml", ".annotations.yml", ".annotation.yaml", ".annotation.yml")
# Files editors write beside the one being saved: vim's swap files and its '4913' write test,
# emacs's '#autosave#' and '.#lock', backups ending in '~', JetBrains' and others' temporary copies.
_LITTER_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".crswap", "___jb_tmp___", "___jb_old___")


def sidecar_of(article: Path) -> Path:
    """Return where an article's annotations are read from: SLUG.annotations.yaml beside SLUG.md."""
    return article.with_name(article.name.removesuffix(".md") + SIDECAR_SUFFIX)


def parse_text(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 content, dropping a byte order mark and normalising line ends."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"not valid UTF-8: byte 0x{data[error.start]:02x} at offset {error.start}; save the file as UTF-8"
        return None, [Problem(Where(file, line, col), message)]
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def refused_characters(text: str, file: str, first_line: int = 1, *,
                       refused: re.Pattern[str] = REFUSED_CHARACTERS) -> list[Problem]:
    """Refuse control characters and the like (see REFUSED_CHARACTERS) in Markdown or plain text, at the first."""
    found = refused.search(text)
    if found is None:
        return []
    at = found.start()
    line = first_line + text.count("\n", 0, at)
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    more = sum(1 for _ in refused.finditer(text, at + 1))
    others = f" (and {more} more in this file)" if more else ""
    return [Problem(Where(file, line, col), f"text holds {refused_character(found.group())}; remove it{others}")]


def split_front_matter(text: str, file: str) -> tuple[tuple[Located, str, int] | None, list[Problem]]:
    """Split an article into located front matter, body, and the body's first line."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        hint = "an article starts with front matter: a line '---', 'title: ...', then '---'"
        if text.startswith("---"):
            hint = "front matter is not closed: did you forget the second '---' line?"
        return None, [Problem(Where(file, 1, 1), hint)]
    front, problems = parse_yaml(match.group(1) or "", file, line_offset=1)
    if front is None:
        return None, problems
    body_line = text.count("\n", 0, match.end()) + 1
    body = text[match.end() :]
    return (front, body, body_line), refused_characters(body, file, body_line)


def read_file(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """Read a content file as text, refusing one over the size limit."""
    data, problems = read_bytes(path, file)
    if data is None:
        return None, problems
    if len(data) > MAX_FILE_BYTES:
        message = f"file is over the size limit of {MAX_FILE_BYTES:,} bytes (10 MiB); split it"
        return None, [Problem(Where(file), message)]
    return parse_text(data, file)


def read_bytes(path: Path, file: str) -> tuple[bytes | None, list[Problem]]:
    """Read a regular file's bytes, one past the size limit at most: a longer file is over it."""
    try:
        # Non-blocking: opening a named pipe would otherwise wait, and the build with it, for a writer.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None, [Problem(Where(file), "not a regular file; a content file must be a plain file")]
            data = handle.read(MAX_FILE_BYTES + 1)  # a file may grow after a size check: read no more
    except OSError as error:
        if path.is_symlink() and not path.exists():
            return None, [Problem(Where(file), f"a symbolic link to '{os.readlink(path)}', which does not exist")]
        return None, [Problem(Where(file), f"cannot read file: {error.strerror or error}")]
    return data, []


def load(content: Path) -> tuple[list[ArticleFile], list[Problem]]:
    """Read every article of a content folder, with its sidecar and received text."""
    if not content.is_dir():
        return [], [Problem(Where(str(content)), "content folder not found")]
    articles: list[ArticleFile] = []
    problems: list[Problem] = []
    paths = _visible(content, "*.md")
    for path in paths:
        article, found = _load_article(content, path)
        problems += found
        if article is not None:
            articles.append(article)
    problems += folder_problems(content, paths, [_source(article.front) for article in articles])
    return articles, problems


def is_litter(name: str) -> bool:
    """Tell whether a file name is an editor's lock, swap, backup or temporary file, or a hidden one."""
    return (name.startswith(".") or name == "4913" or name.endswith(_LITTER_SUFFIXES)
            or (name.startswith("#") and name.endswith("#")))


def _visible(content: Path, pattern: str) -> list[Path]:
    return sorted(path for path in content.glob(pattern) if not is_litter(path.name))


def _name_problems(content: Path, paths: list[Path]) -> list[Problem]:
    """Refuse article names that make unsafe addresses, or that would overwrite another page."""
    problems = []
    seen: dict[str, str] = {}
    for path in paths:
        slug, where = path.name[: -len(".md")], Where(_display(content, path))
        if not _SAFE_SLUG.fullmatch(slug):
            problems.append(Problem(where, f"the name '{path.name}' makes an unsafe page address; "
                                           "use letters, digits, '-', '_' and '.' only"))
        elif slug.casefold() in _RESERVED_SLUGS:
            owner = _RESERVED_SLUGS[slug.casefold()]
            problems.append(Problem(where, f"the name '{path.name}' is taken by {owner}; rename it"))
        elif slug.casefold() in seen:
            problems.append(Problem(where, f"'{path.name}' and '{seen[slug.casefold()]}' differ only in case; "
                                           "on many systems their pages would overwrite each other"))
        seen.setdefault(slug.casefold(), path.name)
    return problems


def _load_article(content: Path, path: Path) -> tuple[ArticleFile | None, list[Problem]]:
    file = _display(content, path)
    sidecar_path = sidecar_of(path)
    sidecar, problems = _load_sidecar(content, sidecar_path)
    found = _outside(content, path, Where(file))
    text, read_problems = (None, []) if found else read_file(path, file)
    parsed, parse_problems = split_front_matter(text, file) if text is not None else (None, [])
    problems = found + read_problems + parse_problems + problems
    if parsed is None:
        return None, problems
    front, body, body_line = parsed
    received, source_problems = _load_received(content, path, front)
    article = ArticleFile(
        slug=path.name[: -len(".md")],
        path=file,
        front=front,
        body=body,
        body_line=body_line,
        sidecar_path=_display(content, sidecar_path) if os.path.lexists(sidecar_path) else None,
        sidecar=sidecar,
        received=received,
        pictures=_load_pictures(content, path, body),
    )
    return article, problems + source_problems


def _load_sidecar(content: Path, path: Path) -> tuple[Located | None, list[Problem]]:
    if not os.path.lexists(path):
        return None, []
    file = _display(content, path)
    problems = _outside(content, path, Where(file))
    if problems:
        return None, problems
    text, problems = read_file(path, file)
    if text is None:
        return None, problems
    return parse_yaml(text, file)


def _source(front: Located) -> str | None:
    """Return the front matter's `source`, if it is a file name at all (validate reports a wrong type)."""
    source = front.data.get("source") if isinstance(front.data, dict) else None
    return source if isinstance(source, str) and source else None


def _load_received(content: Path, article: Path, front: Located) -> tuple[str | None, list[Problem]]:
    source = _source(front)
    if source is None:
        return None, []
    where = front.where(("source",))
    path = article.parent / source
    problems = _outside(content, path, where, shown=source)
    if problems:
        return None, problems
    try:
        mode = path.stat().st_mode
    except OSError:  # missing, or a name the system cannot take
        mode = 0
    if stat.S_ISDIR(mode):
        return None, [Problem(where, f"source '{source}' is a folder; name the file of the received text")]
    if not stat.S_ISREG(mode):
        return None, [Problem(where, f"source file '{shorten(source)}' not found beside the article")]
    file = _display(content, path)
    text, problems = read_file(path, file)
    refused = refused_characters(text, file, refused=REFUSED_IN_RECEIVED_TEXT) if text is not None else []
    return (None, refused) if refused else (text, problems)  # no audit against a text refused: one error is enough


def _load_pictures(content: Path, article: Path, body: str) -> dict[str, Picture]:
    """Read each picture the body shows, by its address; only the body's own parse can tell which those are.

    Every picture is written '![': a body without one, as most are, is not parsed here. Problems are kept with
    the picture, for the anchor stage to report where the body shows it."""
    if "![" not in body:
        return {}
    return {src: _load_picture(content, article, src) for src in picture_addresses(parse_body(body))}


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
    file = _display(content, path)
    return _picture_file(content, src, path, file, name)


def _picture_file(content: Path, src: str, path: Path, file: str, name: str) -> Picture:
    """Return a picture file's media type and bytes, or the problem that keeps a page from showing it."""
    outside = _outside(content, path, Where(file), shown=name)
    known_ending = path.suffix.lower() in PICTURE_ENDINGS
    shown = shorten(name)
    try:
        mode = 0 if outside else path.stat().st_mode
    except OSError:  # missing, or a name the system cannot take: reading it says which
        mode = 0
    problem = (outside[0].message if outside
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


def _outside(content: Path, path: Path, where: Where, *, shown: str | None = None) -> list[Problem]:
    """Refuse a path that leads outside the content folder, directly or by a link."""
    shown = shown if shown is not None else path.name
    try:
        if path.resolve(strict=False).is_relative_to(content.resolve()):
            return []
    except (OSError, RuntimeError, ValueError) as error:  # a link loop, a name too long, a NUL byte
        reason = "a symbolic link that loops" if isinstance(error, RuntimeError) else "not a usable path"
        if isinstance(error, OSError) and error.strerror:
            reason = f"not a usable path: {error.strerror}"
        return [Problem(where, f"'{shorten(shown)}' is {reason}")]
    return [Problem(where, f"'{shorten(shown)}' leads outside the content folder; keep content files inside it")]


def _orphan_sidecars(content: Path) -> list[Problem]:
    problems = []
    for sidecar in _visible(content, "*" + SIDECAR_SUFFIX):
        article = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)] + ".md")
        if not os.path.lexists(article):
            message = f"annotations for a missing article: expected '{article.name}' beside it"
            problems.append(Problem(Where(_display(content, sidecar)), message))
    return problems


def _display(content: Path, path: Path) -> str:
    return str(content / path.relative_to(content)) if path.is_relative_to(content) else str(path)


def load_layouts(layouts: Path) -> tuple[dict[str, str], list[Problem]]:
    """Read every layout file, keyed by its path relative to the layouts folder; editors' litter is left out."""
    if not layouts.is_dir():
        return {}, [Problem(Where(str(layouts)), "layouts folder not found")]
    templates: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(p for p in layouts.rglob("*") if p.is_file()):
        name = path.relative_to(layouts).as_posix()
        if any(is_litter(part) for part in name.split("/")):
            continue  # an editor's swap file is no layout, and often not even text
        text, found = read_file(path, str(path))
        problems += found
        if text is not None:
            templates[name] = text
    return templates, problems


def read_compiled_layouts(layouts: Path) -> bytes | None:
    """Read the layouts compiled by an earlier build, if any are kept (see compiled_layouts)."""
    try:
        return cache_file(layouts).read_bytes()
    except (OSError, RuntimeError):  # none kept, or no home folder to keep them in
        return None


def article_paths(content: Path) -> list[Path]:
    """List a content folder's articles, as `load` finds them."""
    return _visible(content, "*.md")


def load_article(content: Path, path: Path) -> tuple[ArticleFile | None, list[Problem]]:
    """Read one article with its sidecar and received text, as `load` does."""
    return _load_article(content, path)


def folder_problems(content: Path, paths: list[Path], sources: list[str | None]) -> list[Problem]:
    """Check what concerns the folder as a whole: page names, sidecars without an article, content passed over.

    `sources` are the articles' `source` values: those files are read, whatever their names."""
    read = {os.path.normpath(content / source) for source in sources if source is not None}
    return _name_problems(content, paths) + _orphan_sidecars(content) + _passed_over(content, paths, read)


def _passed_over(content: Path, paths: list[Path], read: set[str]) -> list[Problem]:
    """Refuse what looks like content but would not be read: a misnamed article or sidecar, or a subfolder of them."""
    slugs = {path.name[: -len(".md")].casefold(): path.name[: -len(".md")] for path in paths}
    sidecars = [sidecar_of(path) for path in paths]
    read = read | {os.path.normpath(path) for path in [*paths, *sidecars]}
    problems = []
    for path in sorted(content.iterdir()):
        if is_litter(path.name) or os.path.normpath(path) in read:
            continue
        if path.is_dir() and not path.is_symlink():
            message = _subfolder_message(path, read)
        else:
            message = _misnamed_message(path.name, slugs, content)
        if message:
            problems.append(Problem(Where(_display(content, path)), message))
    return problems


def _misnamed_message(name: str, slugs: dict[str, str], content: Path) -> str | None:
    folded = name.casefold()
    if name.endswith(SIDECAR_SUFFIX):
        return None  # a sidecar without its article: _orphan_sidecars says so
    ending = next((end for end in _SIDECAR_LOOKALIKES if folded.endswith(end)), None)
    if ending:
        right = name[: -len(ending)] + SIDECAR_SUFFIX
        return f"a sidecar's name ends in '{SIDECAR_SUFFIX}', so this file is not read; rename it '{right}'"
    stem, dot, ending = name.rpartition(".")
    if dot and "." + ending.casefold() in _ARTICLE_LOOKALIKES:
        case = " (in lower case)" if ending.casefold() == "md" else ""
        return f"an article's name ends in '.md'{case}, so this file is not read; rename it '{stem}.md'"
    if dot and ending.casefold() in ("yaml", "yml") and stem.casefold() in slugs:
        slug = slugs[stem.casefold()]
        right = slug + SIDECAR_SUFFIX
        if os.path.lexists(content / right):
            return f"this file is not read: the annotations of '{slug}.md' are read from '{right}'; move them into it"
        return f"a sidecar's name ends in '{SIDECAR_SUFFIX}', so this file is not read; rename it '{right}'"
    return None  # not content: a received text an article names, a picture, notes of one's own


def _subfolder_message(folder: Path, read: set[str]) -> str | None:
    """Say that a subfolder is not read, if it holds articles or sidecars (not just received texts)."""
    for parent, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if not is_litter(name))
        for name in sorted(names):
            folded = name.casefold()
            path = os.path.join(parent, name)
            if is_litter(name) or os.path.normpath(path) in read:
                continue
            if folded.endswith(_ARTICLE_LOOKALIKES + _SIDECAR_LOOKALIKES):
                shown = os.path.relpath(path, folder.parent)
                return (f"subfolders of the content folder are not read, and this one holds '{shorten(shown)}'; "
                        "move its articles up into the content folder")
    return None
