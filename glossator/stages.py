"""One article through the stages: load, validate, anchor, audit, render, and its own files.

The build (pipeline.py) imports this module only when it has an article to make: one kept by an earlier build is
read back without the parser, the schemas or the layouts' renderer, whose imports would be most of a rebuild with
nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2
from markdown_it.token import Token

from .anchor.place import anchor_article
from .article_cache import read_digest
from .check.validate import validate_article
from .load.content import body_of, front_matter_source, load_article, needs_of, sidecar_of
from .model import ArticleWork, Look
from .outputs.article_files import files_of, summary_of
from .outputs.web_annotation import collection_made_ahead, forget_encoded
from .parallel import can_fork_ahead, fork_ahead_then
from .render.layouts import LayoutFailed, template_problem
from .render.markdown import (
    RenderedNotes,
    forget_parsed_notes,
    notes_rendered_ahead,
    notes_rendered_by,
    parse_article,
    rendered_notes,
)
from .render.page import PageMemo, partials_rendered_ahead, render_article


@dataclass(frozen=True)
class Context:
    """What the article stages are given beside the article: where content is, the look, and what may be reused."""

    content: Path
    look: Look | None = None  # None: stop before rendering
    earlier: ArticleWork | None = None  # this article before an edit (watch), whose parse the anchor stage may keep
    memo: PageMemo | None = None  # the page's parts kept between rebuilds (watch)


Stage = Callable[[ArticleWork, Context], ArticleWork]


def _load(work: ArticleWork, context: Context) -> ArticleWork:
    file, problems = load_article(context.content, work.path)
    return replace(work, file=file, problems=work.problems + tuple(problems), needs=needs_of(work.path, file))


def _validate(work: ArticleWork, context: Context) -> ArticleWork:
    if work.file is None:
        return work
    article, problems = validate_article(work.file)
    return replace(work, article=article, problems=work.problems + tuple(problems))


def _anchor(work: ArticleWork, context: Context) -> ArticleWork:
    if work.article is None:
        return work
    earlier = context.earlier.anchored if context.earlier is not None else None
    anchored, problems = anchor_article(work.article, earlier)
    return replace(work, anchored=anchored, problems=work.problems + tuple(problems))


def _audit(work: ArticleWork, context: Context) -> ArticleWork:
    if work.anchored is None or work.anchored.article.received is None:
        return work
    from .check.audit import audit_article  # here: only an article with a received text is audited

    return replace(work, problems=work.problems + tuple(audit_article(work.anchored)))


def _render(work: ArticleWork, context: Context) -> ArticleWork:
    if work.anchored is None or work.problems or context.look is None:
        return work
    try:
        return replace(work, page=render_article(work.anchored, context.look, context.memo))
    except jinja2.TemplateError as error:
        return replace(work, problems=(template_problem(error, context.look.layouts),))
    except LayoutFailed as failed:
        return replace(work, problems=(failed.problem,))


def _files(work: ArticleWork, context: Context) -> ArticleWork:
    if work.page is None or work.anchored is None or context.look is None:
        return work
    return replace(work, files_made=files_of(work.anchored, work.page, context.look))


# Each article goes through these in order, as markdown-it's core goes through its rules. A stage takes what the
# ones before it made and adds its own part and problems; one whose input is missing passes the article on.
ARTICLE_STAGES: tuple[tuple[str, Stage], ...] = (
    ("load", _load),  # the article, its sidecar, received text and pictures, every value with its position
    ("validate", _validate),  # front matter and annotations against the schemas
    ("anchor", _anchor),  # each quote to a range of the text a reader sees
    ("audit", _audit),  # the page against the received text, through the corrections
    ("render", _render),  # tokens and anchors to HTML, through the layouts
    ("files", _files),  # the article's own files: its page, received text, Web Annotation file, e-book
)


def run_stages(work: ArticleWork, context: Context, *, start: str = "load", stop: str = "files") -> ArticleWork:
    """Take one article through the stages from `start` to `stop`, both included."""
    names = [name for name, _ in ARTICLE_STAGES]
    for _, stage in ARTICLE_STAGES[names.index(start) : names.index(stop) + 1]:
        work = stage(work, context)
    return work


def through_files(content: Path, path: Path, look: Look) -> ArticleWork:
    """Take one article through every stage and cut it to its summary; with a problem, only through the audit.

    A long article with a long sidecar is loaded and validated in a child on an idle core, if there is one, which
    then renders its notes' Markdown, while this process parses the body: the one costly step of the anchor stage
    that needs nothing from the sidecar."""
    body = body_of(content, path) if _worth_a_child(path) else None
    ahead = fork_ahead_then(lambda: _validated_to_send(content, path, body), _notes_rendered) \
        if body is not None else None
    if ahead is None or body is None:
        checked = run_stages(ArticleWork(path), Context(content), stop="validate")
        with notes_rendered_ahead(_notes(checked)):  # on an idle core, if there is one, while the body is parsed
            return _through_files(content, checked, look)
    try:
        tokens = parse_article(body)
        sent = ahead.first()
        checked = _with_body(*sent, body, tokens) if sent is not None \
            else run_stages(ArticleWork(path), Context(content), stop="validate")
        with notes_rendered_by(ahead.then):
            return _through_files(content, checked, look)
    finally:
        ahead.give_up()


# Loading and validating a sidecar costs about what parsing a body of the same size does, 0.2 µs a byte; a child
# pays for itself when both are long enough to hide its fork (about 2 ms) and unpickling what it sends back (about
# 20 µs a kilobyte of sidecar).
_BYTES_WORTH_A_CHILD = 32 * 1024


def _worth_a_child(path: Path) -> bool:
    if not can_fork_ahead():  # before this process reads the body for a child that would not be
        return False
    try:
        return min(path.stat().st_size, sidecar_of(path).stat().st_size) >= _BYTES_WORTH_A_CHILD
    except OSError:  # no sidecar, or the article went away: the load stage says what is wrong
        return False


def _validated_to_send(content: Path, path: Path, body: str) -> tuple[ArticleWork, bool]:
    """Load and validate an article in the child; return it without what the parent would unpickle for nothing,
    and whether it was loaded with the body the parent read (which is left out too).

    Left out: the body's tokens, if loading parsed it for its pictures (the parent parses it), and the sidecar's
    located values, which no stage after validate reads."""
    work = run_stages(ArticleWork(path), Context(content), stop="validate")
    same = work.file is not None and work.file.body == body
    file = replace(work.file, tokens=None, sidecar=None, body="" if same else work.file.body) \
        if work.file is not None else None
    article = replace(work.article, tokens=None, body="" if same else work.article.body) \
        if work.article is not None else None
    return replace(work, file=file, article=article), same


def _with_body(work: ArticleWork, same: bool, body: str, tokens: list[Token]) -> ArticleWork:
    """Put back into what the child sent the body it left out, and its tokens."""
    if not same:
        return work  # the file changed after this process read it: the anchor stage parses the body it was given
    file = replace(work.file, body=body) if work.file is not None else None
    article = replace(work.article, body=body, tokens=tuple(tokens)) if work.article is not None else None
    return replace(work, file=file, article=article)


def _notes(work: ArticleWork) -> list[str]:
    return [a.note for a in work.article.annotations if a.note] if work.article and not work.problems else []


def _notes_rendered(sent: tuple[ArticleWork, bool]) -> RenderedNotes:
    return rendered_notes(dict.fromkeys(_notes(sent[0])))


def _through_files(content: Path, validated: ArticleWork, look: Look) -> ArticleWork:
    checked = run_stages(validated, Context(content), start="anchor", stop="audit")
    if checked.problems or checked.anchored is None:
        return checked
    # On an idle core, if there is one, while the page renders: the notes' partials, then the Web Annotation file.
    with partials_rendered_ahead(checked.anchored, look), collection_made_ahead(checked.anchored, look.site):
        work = run_stages(checked, Context(content, look), start="render")
    if not work.files_made:
        # A layout that failed: `check` renders the article again in its turn (a build stops before render when
        # any article has a problem), so its problem is said when and as it would be without this shortcut.
        return checked
    # What is kept of each note for `watch` is of no use to the next article of a build: freed now, it neither
    # piles up nor is walked, article after article, by a worker's garbage collector.
    forget_parsed_notes()
    forget_encoded()
    _last_made[:] = [work]
    return replace(summary_of(work), needs_read=needs_as_read(work))


# The last article made, whole, until the next is made: freeing a long article's tokens, reading text and anchors
# one object at a time takes a fiftieth of its build, and a build's process ends without freeing what it holds
# (cli.run). One article at a time, so a site of many articles holds no more than before.
_last_made: list[ArticleWork] = []


def needs_as_read(work: ArticleWork) -> tuple[tuple[str, str], ...]:
    """Digest the received text and pictures an article was made from, as the load stage read them: a file changed
    since then is not taken for what the page was made from."""
    file = work.file
    if file is None:
        return ()
    source = front_matter_source(file.front)
    read: list[tuple[Path, bytes | str]] = [(work.path.parent / source, file.received)] \
        if source and file.received is not None else []
    read += [(Path(p.file), p.data) for p in file.pictures.values() if p.file is not None]
    return tuple((str(path), read_digest(path, data)) for path, data in read)
