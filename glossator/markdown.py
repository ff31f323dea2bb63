"""The Markdown parsers: one for article bodies, one for note bodies."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .marginalia import marginalia_plugin

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_URL_START = re.compile(r"^[\x00-\x20\s]+")

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


def is_safe_url(url: str) -> bool:
    """Allow relative links and the http, https and mailto schemes only."""
    # A browser drops tabs and newlines anywhere in a URL, and controls and spaces at its
    # start, before it reads the scheme: "java\tscript:" and "\x01javascript:" both run.
    match = _SCHEME.match(_URL_START.sub("", _URL_TAB_OR_NEWLINE.sub("", url)))
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def _base(md: MarkdownIt) -> MarkdownIt:
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    return md


def article_parser() -> MarkdownIt:
    """Return the parser for article bodies: CommonMark, raw HTML off, margin notes on."""
    return _base(MarkdownIt("commonmark", {"html": False})).use(marginalia_plugin)


def note_parser() -> MarkdownIt:
    """Return the parser for note bodies, whose blocks render as spans."""
    md = _base(MarkdownIt("commonmark", {"html": False}))
    for name, (tag, css_class, role) in _NOTE_BLOCKS.items():
        md.add_render_rule(f"{name}_open", _block_open(tag, css_class, role))
        md.add_render_rule(f"{name}_close", _block_close(tag))
    md.add_render_rule("fence", _code_block)
    md.add_render_rule("code_block", _code_block)
    md.add_render_rule("hr", lambda *args: '<span class="note-hr"></span>')
    return md


def _block_open(tag: str, css_class: str, role: str | None):  # type: ignore[no-untyped-def]
    role_attr = f' role="{role}"' if role else ""

    def render(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "" if tokens[idx].hidden else f'<{tag} class="{css_class}"{role_attr}>'

    return render


def _block_close(tag: str):  # type: ignore[no-untyped-def]
    def render(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "" if tokens[idx].hidden else f"</{tag}>"

    return render


def _code_block(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return f'<code class="note-code">{escapeHtml(tokens[idx].content)}</code>'
