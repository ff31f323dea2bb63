"""The Markdown parsers: one for article bodies, one for note bodies."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..parallel import fork_ahead
from .marginalia import ENV_KEY, marginalia_plugin
from .urls import is_safe_url

# Text that CommonMark reads as one paragraph of plain text: it starts with a letter (no list, heading, quote
# or code block can start there), holds no character that starts inline syntax (escape, code, emphasis, link,
# image, autolink, entity) and no line break, and ends in no space (a paragraph is stripped). Most notes do.
_PLAIN_NOTE = re.compile(r"[^\W\d_][^\\`*_\[\]!<>&\n\r\t\x00]*(?<=\S)")
# Text on one line that starts with a letter and ends in no space is one paragraph whatever it holds.
_ONE_LINE_NOTE = re.compile(r"[^\W\d_][^\n\r\t\x00]*(?<=\S)")

RenderRule = Callable[[RendererHTML, Sequence[Token], int, OptionsDict, EnvType], str]
RenderedNotes = dict[str, tuple[str, str]]  # by note body: its HTML on the page, and on its own

# Block elements a note may hold, as the phrasing elements that stand in for them:
# a note sits inside a paragraph, where <p>, <ul> or <pre> would not be valid HTML.
_NOTE_BLOCKS = {
    "paragraph": ("span", "note-p", None),
    "bullet_list": ("span", "note-list", "list"),
    "ordered_list": ("span", "note-list note-ol", "list"),
    "list_item": ("span", "note-li", "listitem"),
    "blockquote": ("span", "note-quote", None),
    "heading": ("strong", "note-h", None),
}


# How deep blockquotes and lists may nest (each list counts twice: the list and its item). markdown-it drops
# whatever lies deeper without a word, so the anchor stage refuses such an article (see too_deep).
MAX_NESTING = 64
_CONTAINERS = frozenset({"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"})


def _base() -> MarkdownIt:
    # CommonMark's preset allows 20 levels; 64 leaves room for any real text, and Python's stack for the parse.
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    # With html off these two rules match nothing, yet each would be tried at every block and every '<'.
    md.disable(["html_block", "html_inline"])
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    return md


def unsafe_links(text: str) -> list[tuple[str, int]]:
    """Return each address the Markdown links to or shows that `is_safe_url` refuses (javascript:, data:, ...), with
    the line of the text its block starts on (0 for the first).

    The parsers drop such a link, so that its Markdown shows as text: a writer must be told instead."""
    if not _UNSAFE_LINK_HINT.search(text):
        return []  # most texts: no link, reference or autolink whose address starts with another scheme
    found = []
    for token in _any_link_parser().parse(text):
        for child in token.children or ():
            address = str(child.attrGet("href") or child.attrGet("src") or "")
            if child.type in ("link_open", "image") and not is_safe_url(address):
                found.append((address, token.map[0] if token.map else 0))
    return found


# An inline link's or picture's '](', a reference definition's ']:' or an autolink's '<', then a scheme other than
# http, https and mailto: what a text needs to hold an address that is_safe_url refuses.
_UNSAFE_LINK_HINT = re.compile(r"(?:\]\(|\]:|<)[\s<]*(?!(?i:https?|mailto):)[A-Za-z][A-Za-z0-9+.\-]*:")


@cache
def _any_link_parser() -> MarkdownIt:
    md = _base()
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


@cache
def article_parser() -> MarkdownIt:
    """Return the parser for article bodies: CommonMark, raw HTML off, margin notes on, headings below the title."""
    return _article_base()


def _article_base() -> MarkdownIt:
    return _base().use(marginalia_plugin).use(_headings_below_the_title).use(_pictures_in_the_page)


def new_article_renderer(*, xhtml: bool) -> MarkdownIt:
    """Return a parser of its own for article bodies, to render their tokens with other render rules (an e-book's)."""
    md = _article_base()
    md.options["xhtmlOut"] = xhtml
    return md


@cache
def standalone_note_parser(*, xhtml: bool = False) -> MarkdownIt:
    """Return the parser for a note shown on its own, not inside a paragraph: its blocks stay blocks (<p>, <ul>)."""
    md = _base()
    md.options["xhtmlOut"] = xhtml
    return md


def _pictures_in_the_page(md: MarkdownIt) -> None:
    """Show each picture from the page itself: its address is swapped for the data: address of its bytes, which
    the render env holds under `pictures` (a page is one file that reads offline)."""
    md.add_render_rule("image", _render_picture)


def _render_picture(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                    env: EnvType) -> str:
    picture = tokens[idx]
    data_address = env.get(ENV_KEY, {}).get("pictures", {}).get(picture.attrGet("src"))
    if data_address is not None:  # a copy: the tokens are kept between rebuilds, and the default rule sets alt
        picture = picture.copy(attrs={**picture.attrs, "src": data_address})
    # The default rule writes the alt text as CommonMark says; it reads no token but this one.
    return str(self.image([picture], 0, options, env))


def _headings_below_the_title(md: MarkdownIt) -> None:
    """Keep an article's headings below its title, the page's one <h1>: a body that uses `#` is set one level down."""
    md.core.ruler.push("headings_below_the_title", _demote_headings)


def _demote_headings(state: StateCore) -> None:
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    # By the top level used, not by one for all: a body that starts at `##` already sits below the title, and
    # moving it down would skip a level.
    shift = 2 - min((int(t.tag[1:]) for t in headings), default=2)
    for token in headings if shift > 0 else ():
        token.tag = f"h{min(int(token.tag[1:]) + shift, 6)}"


# Block rules that are tried at the start of every line (and again at every line of a paragraph, to see whether
# it ends there) though most articles never use them. Each use of their syntax holds one of these marks, inside
# lists and blockquotes too; a body without any cannot hold the block, so its parse leaves the rule out: the
# tokens are the same, and the parse of a long article a fifth shorter.
_RULE_MARKS = {
    "fence": ("```", "~~~"),
    "code": ("    ", "\t"),  # an indented code block is four columns in from its container
    "reference": ("]:",),
    "heading": ("#",),
}
# Two more show at the end of a line: a setext underline, and a thematic break's last three marks.
_UNDERLINE_ENDS = frozenset("=-")
_BREAK_ENDS = frozenset("*_-")
_THREE_MARKS_AT_END = re.compile(r"([*_-])[ \t]*\1[ \t]*\1\Z")
_OPTIONAL_RULES = frozenset([*_RULE_MARKS, "lheading", "hr"])


def too_deep(tokens: list[Token]) -> Token | None:
    """Return the container whose contents the parser dropped for nesting too deep, if there is one."""
    # Blocks inside a container are parsed only below the nesting limit: an opening at the last level is empty.
    return next((t for t in tokens if t.type in _CONTAINERS and t.level >= MAX_NESTING - 1), None)


def pictures_of(token: Token) -> list[Token]:
    """Return the pictures a block's inline token shows (a picture inside another's alt text is only its text)."""
    return [child for child in token.children or () if child.type == "image"] if token.type == "inline" else []


def picture_addresses(tokens: list[Token]) -> list[str]:
    """Return the address of each picture a parsed body shows, once each, in order."""
    return list(dict.fromkeys(str(p.attrGet("src") or "") for token in tokens for p in pictures_of(token)))


def parse_article(body: str) -> list[Token]:
    """Parse an article body as `article_parser()` does, trying only the block rules its text could use."""
    return _article_parser_without(_unused_rules(body)).parse(body)


def _unused_rules(body: str) -> frozenset[str]:
    used = {rule for rule, marks in _RULE_MARKS.items() if any(mark in body for mark in marks)}
    # Splitting at more line ends than CommonMark has (form feed, U+2028) can only find more rules, never fewer.
    for line in body.splitlines():
        end = line.rstrip(" \t")
        if end[-1:] in _UNDERLINE_ENDS:
            used.add("lheading")
        if end[-1:] in _BREAK_ENDS and _THREE_MARKS_AT_END.search(end):
            used.add("hr")
    return _OPTIONAL_RULES - used


@cache
def _article_parser_without(rules: frozenset[str]) -> MarkdownIt:
    return _article_base().disable(sorted(rules)) if rules else article_parser()


@cache
def note_parser() -> MarkdownIt:
    """Return the parser for note bodies, whose blocks render as spans."""
    md = _base()
    for name, (tag, css_class, role) in _NOTE_BLOCKS.items():
        md.add_render_rule(f"{name}_open", _block_open(tag, css_class, role))
        md.add_render_rule(f"{name}_close", _block_close(tag))
    md.add_render_rule("list_item_open", _list_item_open)
    md.core.ruler.push("number_list_items", _number_list_items)
    md.add_render_rule("fence", _code_block)
    md.add_render_rule("code_block", _code_block)
    md.add_render_rule("hr", lambda *args: '<span class="note-hr"></span>')
    return md


def render_note(md: MarkdownIt, text: str) -> str:
    """Render a note body with the note parser: as `md.render` does, with less parsing where the text allows."""
    env: EnvType = {}  # as MarkdownIt.render passes it: what the parse records, the render rules may read
    html: str = md.renderer.render(_note_tokens(md, text, env), md.options, env)
    return html


def render_parsed_note(md: MarkdownIt, text: str) -> str:
    """Render a note body with `md`'s render rules from the note parser's parse of it, as `md.render` would.

    `md` is the note parser, or a standalone note parser: they parse alike and differ in their render rules alone,
    so the page's note and the Web Annotation file's take one parse between them."""
    notes_ahead_ready()
    rendered = _ahead.rendered.get(text)
    if rendered is not None and md is note_parser():
        return rendered[0]
    if rendered is not None and md is standalone_note_parser():
        return rendered[1]
    tokens, env = parsed_note(text)
    html: str = md.renderer.render(tokens, md.options, dict(env))
    return html


class _Ahead:
    """Where the notes' HTML comes from while a child renders it (a call that waits for it), then the HTML by text."""

    def __init__(self) -> None:
        self.pending: Callable[[], RenderedNotes | None] | None = None
        self.rendered: RenderedNotes = {}

    def collect(self) -> None:
        assert self.pending is not None
        take, self.pending = self.pending, None
        self.rendered = take() or {}  # a child that failed: each note is rendered here instead


_ahead = _Ahead()


def notes_ahead_ready() -> None:
    """Wait for the notes being rendered ahead, if any: before another child is forked, which would otherwise
    inherit the wait, and render them again itself."""
    if _ahead.pending is not None:
        _ahead.collect()


# The fork costs the parent about 2 ms, and each note it renders ahead saves it about 70 µs.
_NOTES_WORTH_A_FORK = 100


@contextlib.contextmanager
def notes_rendered_ahead(notes: Iterable[str]) -> Iterator[None]:
    """Render these note bodies, with the note parser and the standalone one, in a child process on an idle core
    while the block inside runs, and have `render_parsed_note` return their HTML from it; without an idle core,
    render them as they come.

    For a build of one long article in one process: its notes' Markdown, a sixth of its build, needs nothing the
    body's parse, the placing of the quotes and the marks make meanwhile. The HTML is what this process would make:
    the child is a fork of it, rendering with the same parsers; strings are all that comes back (the tokens would
    cost more to unpickle than to make)."""
    texts = tuple(dict.fromkeys(notes))
    ahead = fork_ahead(lambda: rendered_notes(texts)) if len(texts) >= _NOTES_WORTH_A_FORK else None
    try:
        with notes_rendered_by(ahead.result if ahead is not None else None):
            yield
    finally:
        if ahead is not None:
            ahead.give_up()


@contextlib.contextmanager
def notes_rendered_by(take: Callable[[], RenderedNotes | None] | None) -> Iterator[None]:
    """Have `render_parsed_note` return, while the block runs, the HTML `take()` gives (`rendered_notes` of the
    article's notes, from a child), taken when a note is first rendered; the notes it lacks are rendered here."""
    _ahead.pending = take
    try:
        yield
    finally:
        _ahead.pending, _ahead.rendered = None, {}


def rendered_notes(texts: Iterable[str]) -> RenderedNotes:
    """Render each note body with the note parser and the standalone one: its HTML on the page and on its own."""
    notes, standalone = note_parser(), standalone_note_parser()
    return {text: (render_parsed_note(notes, text), render_parsed_note(standalone, text)) for text in texts}


@lru_cache(maxsize=1 << 16)
def parsed_note(text: str) -> tuple[list[Token], EnvType]:
    """Return the note parser's tokens for a note body, and the env its parse filled.

    Kept: parsing is most of a note's cost (rendering is a tenth of it), and each note is rendered at least twice,
    on the page and in the Web Annotation file; `watch` renders again the notes a save did not touch. The tokens
    are shared and must not be changed: no render rule of the note parsers changes them but the default picture
    rule, which sets a picture's alt text to the same value each time (and the check stage refuses notes with
    pictures)."""
    env: EnvType = {}
    return _note_tokens(note_parser(), text, env), env


def forget_parsed_notes() -> None:
    """Drop the kept parses: a build is done with an article's notes once its files are made."""
    parsed_note.cache_clear()


def _note_tokens(md: MarkdownIt, text: str, env: EnvType) -> list[Token]:
    # Lines that each make a paragraph of their own, one blank line apart: most notes of more than one paragraph.
    lines = text.split("\n\n")
    if not all(_ONE_LINE_NOTE.fullmatch(line) for line in lines):
        return md.parse(text, env)
    tokens = []
    for number, line in enumerate(lines):
        if _PLAIN_NOTE.fullmatch(line):
            children = [Token("text", "", 0, content=line)]
        else:  # only its inline syntax needs parsing; no line of the note can define a link reference
            children = md.parseInline(line, env)[0].children or []
        tokens += _paragraph(line, children, 2 * number)
    return tokens


def _paragraph(text: str, children: list[Token], line: int = 0) -> list[Token]:
    """Return the tokens CommonMark parses a one-line paragraph into, given its inline tokens and its line."""
    opening = Token("paragraph_open", "p", 1, map=[line, line + 1], block=True)
    inline = Token("inline", "", 0, map=[line, line + 1], level=1, content=text, block=True, children=children)
    return [opening, inline, Token("paragraph_close", "p", -1, block=True)]


def _block_open(tag: str, css_class: str, role: str | None) -> RenderRule:
    role_attr = f' role="{role}"' if role else ""

    def render(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "" if tokens[idx].hidden else f'<{tag} class="{css_class}"{role_attr}>'

    return render


def _block_close(tag: str) -> RenderRule:
    def render(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "" if tokens[idx].hidden else f"</{tag}>"

    return render


def _number_list_items(state: StateCore) -> None:
    """Give each item of an ordered list its number, from the list's start on, as CommonMark counts them."""
    numbers: list[int | None] = []  # the next number of each list open around a token; None for a bullet list
    for token in state.tokens:
        if token.type in ("ordered_list_open", "bullet_list_open"):
            numbers.append(int(token.attrGet("start") or 1) if token.type == "ordered_list_open" else None)
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            numbers.pop()
        elif token.type == "list_item_open" and numbers and numbers[-1] is not None:
            token.meta = {**token.meta, "number": f"{numbers[-1]}{token.markup}"}
            numbers[-1] += 1


def _list_item_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    # A note's list is made of spans, which no list numbering counts: an ordered item writes its number itself.
    number = tokens[idx].meta.get("number")
    opening = '<span class="note-li" role="listitem">'
    return opening + (f'<span class="note-li-number">{escapeHtml(number)}</span> ' if number else "")


def _code_block(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return f'<code class="note-code">{escapeHtml(tokens[idx].content)}</code>'
