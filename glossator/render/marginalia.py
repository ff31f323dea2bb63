"""A markdown-it plugin: mark annotated passages and put their notes in the margin.

Its core rule marks the passages that `env["glossator"]["anchors"]` names (ranges of the text a reader sees, as
the anchor stage placed them): it splits text tokens at anchor boundaries and adds `gloss_mark_open` and
`gloss_mark_close` around annotated text and a `gloss_note` token after each passage, which the render rule
`env["glossator"]["render_note"]` turns into the note. One render rule per token type, so a user can override one:

    md = MarkdownIt("commonmark").use(marginalia_plugin)
    html = md.render(body, {"glossator": {"anchors": anchored.anchors, "render_note": render_note}})

The render stage, which keeps the parse the anchor stage made, calls the rule's own function, `insert_marks`.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..model import Anchor, Reading
from .reading import read

ENV_KEY = "glossator"
NoteRenderer = Callable[[Anchor], str]
_SPLITTABLE = {"text", "code_inline"}
_LINK_DEPTH = {"link_open": 1, "link_close": -1}


def marginalia_plugin(md: MarkdownIt) -> None:
    """Add the core rule that marks annotated passages, and the render rules for them and their margin notes."""
    # After text_join, the last rule: adjacent text is merged by then, as the anchor stage read it.
    md.core.ruler.push("gloss_marks", _mark_passages)
    md.add_render_rule("gloss_mark_open", _render_mark_open)
    md.add_render_rule("gloss_mark_close", _render_mark_close)
    md.add_render_rule("gloss_note", _render_note)
    md.add_render_rule("gloss_heading_open", _render_heading_open)
    md.add_render_rule("gloss_heading_close", _render_heading_close)


def _mark_passages(state: StateCore) -> None:
    anchors = state.env.get(ENV_KEY, {}).get("anchors") if isinstance(state.env, dict) else None
    if anchors:
        state.tokens = insert_marks(state.tokens, read(state.tokens), anchors)


@dataclass
class _Cuts:
    """What happens inside one child token: anchors that start or end at each offset."""

    starts: dict[int, list[Anchor]] = field(default_factory=lambda: defaultdict(list))
    ends: dict[int, list[Anchor]] = field(default_factory=lambda: defaultdict(list))


def insert_marks(tokens: Sequence[Token], reading: Reading, anchors: Sequence[Anchor],
                 within: range | None = None) -> list[Token]:
    """Return a copy of the token stream, or of its tokens `within` a range of whole blocks, marked and noted.

    Every anchor must lie inside that range: a rebuild marks again only the blocks whose passages changed."""
    cuts = _cuts_by_child(reading, anchors)
    result = []
    for index in range(len(tokens)) if within is None else within:
        token = tokens[index]
        if index in cuts:
            token = _with_children(token, _mark_children(token.children or [], cuts[index]))
        result.append(token)
    return _lift_heading_notes(result)


def _with_children(token: Token, children: list[Token]) -> Token:
    """Return a copy of the token with other children (not Token.copy: dataclasses.replace costs several times as
    much, once for each annotated block of a long article)."""
    return Token(token.type, token.tag, token.nesting, attrs=token.attrs, map=token.map, level=token.level,
                 children=children, content=token.content, markup=token.markup, info=token.info, meta=token.meta,
                 block=token.block, hidden=token.hidden)


def _lift_heading_notes(tokens: list[Token]) -> list[Token]:
    """Move each heading's notes out of the heading, into a wrapper around both.

    A note is a role="note" element, which HTML does not allow inside a heading, and inside one a screen reader
    would read the note's name as part of the heading's. The wrapper shows the heading inline, so the markers
    and notes still stand on the heading's line."""
    result: list[Token] = []
    index = 0
    while index < len(tokens):
        opening = tokens[index]
        notes = _heading_notes(tokens, index) if opening.type == "heading_open" else None
        if not notes:
            result.append(opening)
            index += 1
            continue
        inline, closing = tokens[index + 1], tokens[index + 2]
        text = inline.copy(children=[c for c in inline.children or [] if c.type != "gloss_note"])
        # No line break after the heading: it would show as a space between the heading and its first marker.
        result += [_wrapper_token("gloss_heading_open", 1), opening, text, closing.copy(block=False),
                   _inline(notes), _wrapper_token("gloss_heading_close", -1)]
        index += 3  # heading_open, inline, heading_close
    return result


def _heading_notes(tokens: list[Token], index: int) -> list[Token]:
    """The notes inside the heading that opens at tokens[index]; none if no heading opens there."""
    if tokens[index].type != "heading_open" or index + 2 >= len(tokens):
        return []
    return [c for c in tokens[index + 1].children or [] if c.type == "gloss_note"]


def _wrapper_token(kind: str, nesting: Literal[-1, 1]) -> Token:
    token = Token(kind, "div", nesting)
    token.block = True
    return token


def _inline(children: list[Token]) -> Token:
    token = Token("inline", "", 0)
    token.children = children
    return token


def _cuts_by_child(reading: Reading, anchors: Sequence[Anchor]) -> dict[int, dict[int, _Cuts]]:
    table: dict[int, dict[int, _Cuts]] = defaultdict(lambda: defaultdict(_Cuts))
    for anchor in anchors:
        first = reading.piece_at(anchor.start)
        last = reading.piece_at(anchor.end - 1)
        table[first.block][first.child].starts[first.folded.source_offset(anchor.start - first.start)].append(anchor)
        table[last.block][last.child].ends[last.folded.source_offset(anchor.end - last.start)].append(anchor)
    return table


def _mark_children(children: list[Token], cuts: dict[int, _Cuts]) -> list[Token]:
    marker = _Marker()
    out = marker.out
    for index, child in enumerate(children):
        splittable = child.type in _SPLITTABLE
        if splittable and index in cuts:
            marker.split(child, cuts[index])
        elif marker.active or marker.deferred:
            if splittable:
                marker.keep(child)
            else:
                marker.pass_through(child)
        elif splittable:  # most children of a block: outside every passage, no note waiting; as keep() takes it
            if child.content:
                out.append(child)
        else:  # as pass_through() takes it
            out.append(child)
            marker.link_depth += _LINK_DEPTH.get(child.type, 0)
    return marker.finish()


class _Marker:
    """Rebuild one inline token's children, each annotated stretch of text in marks."""

    def __init__(self) -> None:
        self.out: list[Token] = []
        self.active: list[Anchor] = []  # anchors whose passage is open at this point
        self.deferred: list[Anchor] = []  # notes waiting for the end of a link
        self.link_depth = 0

    def split(self, child: Token, cuts: _Cuts) -> None:
        points = sorted({0, len(child.content), *cuts.starts, *cuts.ends})
        for left, right in itertools.pairwise(points):
            self.active += cuts.starts.get(left, ())
            self.out += _wrapped(_slice(child, left, right), self.active)
            ended = cuts.ends.get(right, [])
            for anchor in ended:
                self.active.remove(anchor)
            self._notes(ended)

    def keep(self, child: Token) -> None:
        """Take a text no passage starts or ends in: whole, inside the marks of the passages open around it."""
        if child.content:  # an empty text would make empty marks
            self.out += _wrapped(child, self.active)

    def pass_through(self, child: Token) -> None:
        self.out.append(child)
        self.link_depth += _LINK_DEPTH.get(child.type, 0)
        if self.deferred:  # most children: no note waits for the end of a link
            self._notes([])

    def _notes(self, ended: list[Anchor]) -> None:
        self.deferred += ended
        if self.deferred and not self.link_depth:  # a note may not sit inside a link: it holds links itself
            self.out += [_note_token(anchor) for anchor in self.deferred]
            self.deferred = []

    def finish(self) -> list[Token]:
        self.link_depth = 0
        self._notes([])
        return self.out


def _slice(child: Token, left: int, right: int) -> Token:
    """Return the child's text from left to right, the child itself when that is all of it."""
    if left == 0 and right == len(child.content):
        return child  # most children hold no cut: sharing them saves a copy each
    # Not Token.copy: dataclasses.replace costs several times as much, per piece of a long article.
    return Token(child.type, child.tag, child.nesting, attrs=child.attrs, map=child.map, level=child.level,
                 children=child.children, content=child.content[left:right], markup=child.markup, info=child.info,
                 meta=child.meta, block=child.block, hidden=child.hidden)


def _wrapped(child: Token, active: list[Anchor]) -> list[Token]:
    if not active:
        return [child]
    outer_first = sorted(active, key=lambda a: (a.start, -a.end))
    opens = [_mark_token("gloss_mark_open", 1, a) for a in outer_first]
    closes = [_mark_token("gloss_mark_close", -1, a) for a in reversed(outer_first)]
    return [*opens, child, *closes]


def _mark_token(kind: str, nesting: Literal[-1, 1], anchor: Anchor) -> Token:
    token = Token(kind, "mark", nesting)
    token.meta = {"anchor": anchor}
    return token


def _note_token(anchor: Anchor) -> Token:
    token = Token("gloss_note", "", 0)
    token.meta = {"anchor": anchor}
    return token


def _render_mark_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: EnvType) -> str:
    anchor: Anchor = tokens[idx].meta["anchor"]
    kind = anchor.annotation.kind
    return f'<mark class="passage passage-{kind}" data-note="{escapeHtml(anchor.html_id)}">'


def _render_mark_close(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                       env: EnvType) -> str:
    return "</mark>"


def _render_note(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    render: NoteRenderer = env[ENV_KEY]["render_note"]
    return render(tokens[idx].meta["anchor"])


def _render_heading_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                         env: EnvType) -> str:
    return '<div class="heading-notes">\n'


def _render_heading_close(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                          env: EnvType) -> str:
    return "</div>\n"
