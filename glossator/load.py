"""Stage 1, load: read content files into plain data, keeping every position."""

from __future__ import annotations

import re
from pathlib import Path

from .located_yaml import Located, parse_yaml
from .model import ArticleFile
from .problems import Problem, Where

MAX_FILE_BYTES = 10 * 1024 * 1024
SIDECAR_SUFFIX = ".annotations.yaml"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


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


def parse_article(text: str, file: str) -> tuple[tuple[Located, str, int] | None, list[Problem]]:
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
    return (front, text[match.end() :], body_line), []


def read_file(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """Read a content file as text, refusing one over the size limit."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            message = f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes (10 MiB)"
            return None, [Problem(Where(file), message)]
        return parse_text(path.read_bytes(), file)
    except OSError as error:
        return None, [Problem(Where(file), f"cannot read file: {error.strerror}")]


def load(content: Path) -> tuple[list[ArticleFile], list[Problem]]:
    """Read every article of a content folder, with its sidecar and received text."""
    if not content.is_dir():
        return [], [Problem(Where(str(content)), "content folder not found")]
    articles: list[ArticleFile] = []
    problems: list[Problem] = []
    for path in sorted(content.glob("*.md")):
        article, found = _load_article(content, path)
        problems += found
        if article is not None:
            articles.append(article)
    problems += _orphan_sidecars(content)
    return articles, problems


def _load_article(content: Path, path: Path) -> tuple[ArticleFile | None, list[Problem]]:
    file = _display(content, path)
    sidecar_path = path.with_name(path.name[: -len(".md")] + SIDECAR_SUFFIX)
    sidecar, problems = _load_sidecar(content, sidecar_path)
    found = _outside(content, path, Where(file))
    text, read_problems = (None, []) if found else read_file(path, file)
    parsed, parse_problems = parse_article(text, file) if text is not None else (None, [])
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
        sidecar_path=_display(content, sidecar_path) if sidecar_path.exists() else None,
        sidecar=sidecar,
        received=received,
    )
    return article, problems + source_problems


def _load_sidecar(content: Path, path: Path) -> tuple[Located | None, list[Problem]]:
    if not path.exists():
        return None, []
    file = _display(content, path)
    problems = _outside(content, path, Where(file))
    if problems:
        return None, problems
    text, problems = read_file(path, file)
    if text is None:
        return None, problems
    return parse_yaml(text, file)


def _load_received(content: Path, article: Path, front: Located) -> tuple[str | None, list[Problem]]:
    source = front.data.get("source") if isinstance(front.data, dict) else None
    if not isinstance(source, str) or not source:
        return None, []  # validate reports a wrong type
    where = front.where(("source",))
    path = article.parent / source
    problems = _outside(content, path, where)
    if problems:
        return None, problems
    if not path.is_file():
        return None, [Problem(where, f"source file '{source}' not found beside the article")]
    text, problems = read_file(path, _display(content, path))
    return text, problems


def _outside(content: Path, path: Path, where: Where) -> list[Problem]:
    """Refuse a path that leads outside the content folder, directly or by a link."""
    if path.resolve().is_relative_to(content.resolve()):
        return []
    return [Problem(where, f"'{path.name}' leads outside the content folder; keep content files inside it")]


def _orphan_sidecars(content: Path) -> list[Problem]:
    problems = []
    for sidecar in sorted(content.glob("*" + SIDECAR_SUFFIX)):
        article = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)] + ".md")
        if not article.exists():
            message = f"annotations for a missing article: expected '{article.name}' beside it"
            problems.append(Problem(Where(_display(content, sidecar)), message))
    return problems


def _display(content: Path, path: Path) -> str:
    return str(content / path.relative_to(content)) if path.is_relative_to(content) else str(path)


def load_layouts(layouts: Path) -> tuple[dict[str, str], list[Problem]]:
    """Read every layout file, keyed by its path relative to the layouts folder."""
    if not layouts.is_dir():
        return {}, [Problem(Where(str(layouts)), "layouts folder not found")]
    templates: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(p for p in layouts.rglob("*") if p.is_file()):
        name = path.relative_to(layouts).as_posix()
        text, found = read_file(path, str(path))
        problems += found
        if text is not None:
            templates[name] = text
    return templates, problems
