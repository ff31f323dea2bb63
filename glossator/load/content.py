"""Stage 1, load: read an article, its sidecar and received text into plain data, keeping every position."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..model import ArticleFile, Located
from ..problems import REFUSED_IN_RECEIVED_TEXT, Problem, Where, shorten
from .files import display, is_litter, outside, read_file, refused_characters, visible

SIDECAR_SUFFIX = ".annotations.yaml"

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
# A page's name is its address: no spaces, '#', '?', '%' or quotes, which a link would misread.
_SAFE_SLUG = re.compile(r"\w[\w.-]*")
# Pages the site writes itself, by the name an article would need to take them.
_RESERVED_SLUGS = {"index": "the site's index page", "404": "the site's not-found page"}
# Endings other tools give Markdown, and other spellings of the sidecar's, which the build would pass over.
_ARTICLE_LOOKALIKES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtext", ".mdtxt")
_SIDECAR_LOOKALIKES = (".annotations.yaml", ".annotations.yml", ".annotation.yaml", ".annotation.yml")


def sidecar_of(article: Path) -> Path:
    """Return where an article's annotations are read from: SLUG.annotations.yaml beside SLUG.md."""
    return article.with_name(article.name.removesuffix(".md") + SIDECAR_SUFFIX)


def split_front_matter(text: str, file: str) -> tuple[tuple[Located, str, int] | None, list[Problem]]:
    """Split an article into located front matter, body, and the body's first line."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        hint = "an article starts with front matter: a line '---', 'title: ...', then '---'"
        if text.startswith("---"):
            hint = "front matter is not closed: did you forget the second '---' line?"
        return None, [Problem(Where(file, 1, 1), hint)]
    # Imported here: a build whose articles are loaded in a child (stages.py) or kept needs no YAML parser itself.
    from .located_yaml import parse_yaml

    front, problems = parse_yaml(match.group(1) or "", file, line_offset=1)
    if front is None:
        return None, problems
    body_line = text.count("\n", 0, match.end()) + 1
    body = text[match.end() :]
    return (front, body, body_line), refused_characters(body, file, body_line)




def _name_problems(content: Path, paths: list[Path]) -> list[Problem]:
    """Refuse article names that make unsafe addresses, or that would overwrite another page."""
    problems = []
    seen: dict[str, str] = {}
    for path in paths:
        slug = path.name[: -len(".md")]
        message = slug_problem(slug, seen)
        if message:
            problems.append(Problem(Where(display(content, path)), message))
        seen.setdefault(slug.casefold(), path.name)
    return problems


def slug_problem(slug: str, taken: dict[str, str]) -> str | None:
    """Say why an article may not be named SLUG.md, or None if it may; `taken` has the names in use, by folded slug."""
    name = f"{slug}.md"
    if not _SAFE_SLUG.fullmatch(slug):
        return f"the name '{name}' makes an unsafe page address; use letters, digits, '-', '_' and '.' only"
    if slug.casefold() in _RESERVED_SLUGS:
        return f"the name '{name}' is taken by {_RESERVED_SLUGS[slug.casefold()]}; rename it"
    if slug.casefold() in taken:
        return (f"'{name}' and '{taken[slug.casefold()]}' differ only in case; on many systems their pages would "
                "overwrite each other")
    return None


def _load_article(content: Path, path: Path) -> tuple[ArticleFile | None, list[Problem]]:
    file = display(content, path)
    sidecar_path = sidecar_of(path)
    sidecar, problems = _load_sidecar(content, sidecar_path)
    found = outside(content, path, Where(file))
    text, read_problems = (None, []) if found else read_file(path, file)
    parsed, parse_problems = split_front_matter(text, file) if text is not None else (None, [])
    problems = found + read_problems + parse_problems + problems
    if parsed is None:
        return None, problems
    front, body, body_line = parsed
    received, source_problems = _load_received(content, path, front)
    from .pictures import load_pictures  # here: it parses the body, which listing the content folder never needs

    pictures, tokens = load_pictures(content, path, body)
    article = ArticleFile(
        slug=path.name[: -len(".md")],
        path=file,
        front=front,
        body=body,
        body_line=body_line,
        sidecar_path=display(content, sidecar_path) if os.path.lexists(sidecar_path) else None,
        sidecar=sidecar,
        received=received,
        pictures=pictures,
        tokens=tuple(tokens) if tokens is not None else None,
    )
    return article, problems + source_problems


def _load_sidecar(content: Path, path: Path) -> tuple[Located | None, list[Problem]]:
    if not os.path.lexists(path):
        return None, []
    file = display(content, path)
    problems = outside(content, path, Where(file))
    if problems:
        return None, problems
    text, problems = read_file(path, file)
    if text is None:
        return None, problems
    from .located_yaml import parse_yaml

    return parse_yaml(text, file)


def front_matter_source(front: Located) -> str | None:
    """Return the front matter's `source`, if it is a file name at all (validate reports a wrong type)."""
    source = front.data.get("source") if isinstance(front.data, dict) else None
    return source if isinstance(source, str) and source else None


def _load_received(content: Path, article: Path, front: Located) -> tuple[str | None, list[Problem]]:
    source = front_matter_source(front)
    if source is None:
        return None, []
    where = front.where(("source",))
    path = article.parent / source
    problems = outside(content, path, where, shown=source)
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
    file = display(content, path)
    text, problems = read_file(path, file)
    refused = refused_characters(text, file, refused=REFUSED_IN_RECEIVED_TEXT) if text is not None else []
    return (None, refused) if refused else (text, problems)  # no audit against a text refused: one error is enough


def _orphan_sidecars(content: Path) -> list[Problem]:
    problems = []
    for sidecar in visible(content, "*" + SIDECAR_SUFFIX):
        article = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)] + ".md")
        if not os.path.lexists(article):
            message = f"annotations for a missing article: expected '{article.name}' beside it"
            problems.append(Problem(Where(display(content, sidecar)), message))
    return problems


def article_paths(content: Path) -> list[Path]:
    """List a content folder's articles, as `load` finds them."""
    return visible(content, "*.md")


def load_article(content: Path, path: Path) -> tuple[ArticleFile | None, list[Problem]]:
    """Read one article with its sidecar and received text, as `load` does."""
    return _load_article(content, path)


def body_of(content: Path, path: Path) -> str | None:
    """Return an article's body as `load_article` reads it, past the front matter, which is not parsed; None where
    loading it finds a problem before the body (which `load_article` says)."""
    file = display(content, path)
    text = None if outside(content, path, Where(file)) else read_file(path, file)[0]
    match = _FRONT_MATTER.match(text) if text is not None else None
    return text[match.end() :] if text is not None and match is not None else None


def needs_of(path: Path, file: ArticleFile | None) -> tuple[Path, ...]:
    """Return the files besides the article and its sidecar that loading it read: its received text, its pictures."""
    if file is None:
        return ()
    source = front_matter_source(file.front)
    pictures = tuple(Path(p.file) for p in file.pictures.values() if p.file is not None)
    return ((path.parent / source,) if source else ()) + pictures


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
            problems.append(Problem(Where(display(content, path)), message))
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
