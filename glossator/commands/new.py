"""`glossator new SLUG [--from RECEIVED.txt]`: add an article, its empty sidecar and, given one, its received text."""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

from ..edit.sidecar import new_sidecar
from ..edit.yaml_text import scalar
from ..load.content import SIDECAR_SUFFIX, article_paths, slug_problem
from ..load.files import read_file, refused_characters
from ..problems import REFUSED_IN_RECEIVED_TEXT, Problem, Where, report
from .starting import write_new

EXIT_OK, EXIT_REFUSED = 0, 1
# What Markdown would read as syntax at the start of a line (a heading, quote, list item, rule, underline, code
# block) and anywhere in it (emphasis, code, links, pictures, autolinks, entities, escapes): escaped in a draft
# body, so that the page reads as the received text did, word for word, and the first build's audit passes.
_LINE_START = re.compile(r"^(?:[#>+=~-]|(?P<number>\d{1,9})[.)])")
_INLINE = re.compile(r"[\\`*_\[\]<&]")


def run(options: argparse.Namespace) -> int:
    """Add the article's files, or say why not and change nothing."""
    content: Path = options.content
    slug: str = options.slug
    problem = _refusal(content, slug)
    received = None
    if problem is None and options.received is not None:
        received, problems = _read_received(options.received)
        if problems:
            report(problems)
            return EXIT_REFUSED
    if problem is not None:
        print(f"glossator: error: {problem}; nothing was written", file=sys.stderr)
        return EXIT_REFUSED
    files = new_article(slug, options.title or _title(slug), received, content)
    for path, text in files.items():
        write_new(path, text.encode("utf-8"))
    print(f"glossator: wrote {', '.join(str(path) for path in files)}", file=sys.stderr)
    return EXIT_OK


def _refusal(content: Path, slug: str) -> str | None:
    if not content.is_dir():
        return f"no content folder at {content}/ (run `glossator init` first, or give --content DIR)"
    taken = {path.name.removesuffix(".md").casefold(): path.name for path in article_paths(content)}
    exists = next((content / name for name in (f"{slug}.md", f"{slug}{SIDECAR_SUFFIX}", f"{slug}.source.txt")
                   if (content / name).exists()), None)
    if exists is not None:
        return f"{exists} already exists"
    return slug_problem(slug, taken)


def _read_received(path: Path) -> tuple[str | None, list[Problem]]:
    if not path.is_file():
        return None, [Problem(Where(str(path)), "no such file: give the file of the text as it reached you")]
    text, problems = read_file(path, str(path))
    if text is None:
        return None, problems
    return text, refused_characters(text, str(path), refused=REFUSED_IN_RECEIVED_TEXT)


def new_article(slug: str, title: str, received: str | None, content: Path) -> dict[Path, str]:
    """Return the new article's files by path: front matter and draft body, an empty sidecar, the received text."""
    # The title is quoted where YAML would misread it (': ', '#', a leading '-'): it is data.
    matter = f"title: {scalar(title)}\ndate: {datetime.date.today().isoformat()}\n"
    if received is not None:
        matter += f"source: {scalar(f'{slug}.source.txt')}\n"
    body = draft_body(received) if received is not None else "The cleaned text of the article, in Markdown.\n"
    sidecar = content / f"{slug}{SIDECAR_SUFFIX}"
    files = {content / f"{slug}.md": f"---\n{matter}---\n{body}", sidecar: new_sidecar(sidecar)}
    if received is not None:
        files[content / f"{slug}.source.txt"] = received
    return files


def draft_body(received: str) -> str:
    """Return the received text as a Markdown body that reads the same: every character of syntax escaped."""
    lines = []
    for line in received.splitlines():
        # Leading spaces would make an indented code block; a reader never sees them.
        line = _INLINE.sub(lambda mark: "\\" + mark.group(), line.lstrip(" \t"))
        lines.append(_LINE_START.sub(_escape_start, line))
    return "\n".join(lines).rstrip("\n") + "\n"


def _escape_start(start: re.Match[str]) -> str:
    number = start.group("number")
    if number is not None:  # "1." opens a list; the backslash goes before its mark, since a digit takes none
        return f"{number}\\{start.group()[len(number):]}"
    return "\\" + start.group()


def _title(slug: str) -> str:
    words = re.split(r"[-_.]+", slug)
    return " ".join(words).strip().capitalize() or slug
