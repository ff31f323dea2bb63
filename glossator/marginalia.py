"""A markdown-it plugin: mark annotated passages and put their notes in the margin.

`insert_marks` is a token rule: it splits text tokens at anchor boundaries and adds
`gloss_mark_open`/`gloss_mark_close` around annotated text and a `gloss_note` token
after each passage. One render rule per token type, so a user can override one.
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
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .anchor import Anchor
from .reading import Reading

ENV_KEY = "glossator"
NoteRenderer = Callable[[Anchor], str]
_SPLITTABLE = {"text", "code_inline"}


def marginalia_plugin(md: MarkdownIt) -> None:
    """Add render rules for annotated passages and their margin notes."""
    md.add_render_rule("gloss_mark_open", _render_mark_open)
    md.add_render_rule("gloss_mark_close", _render_mark_close)
    md.add_render_rule("gloss_note", _render_note)


@dataclass
class _Cuts:
    """What happens inside one child token: anchors that start or end at each offset."""

    starts: dict[int, list[Anchor]] = field(default_factory=lambda: defaultdict(list))
    ends: dict[int, list[Anchor]] = field(default_factory=lambda: defaultdict(list))


def insert_marks(tokens: Sequence[Token], reading: Reading, anchors: Sequence[Anchor]) -> list[Token]:
    """Return a copy of the token stream with passages marked and notes inserted."""
    cuts = _cuts_by_child(reading, anchors)
    result = []
    for index, token in enumerate(tokens):
        if index in cuts:
            token = token.copy(children=_mark_children(token.children or [], cuts[index]))
        result.append(token)
    return result


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
    for index, child in enumerate(children):
        if child.type in _SPLITTABLE:
            marker.split(child, cuts[index] if index in cuts else _Cuts())
        else:
            marker.pass_through(child)
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
            self.out += _wrapped(child.copy(content=child.content[left:right]), self.active)
            ended = cuts.ends.get(right, [])
            for anchor in ended:
                self.active.remove(anchor)
            self._notes(ended)

    def pass_through(self, child: Token) -> None:
        self.out.append(child)
        self.link_depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
        if not self.link_depth:
            self._notes([])

    def _notes(self, ended: list[Anchor]) -> None:
        self.deferred += ended
        if not self.link_depth:  # a note may not sit inside a link: it holds links itself
            self.out += [_note_token(anchor) for anchor in self.deferred]
            self.deferred = []

    def finish(self) -> list[Token]:
        self.link_depth = 0
        self._notes([])
        return self.out


def _wrapped(child: Token, active: list[Anchor]) -> list[Token]:
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
