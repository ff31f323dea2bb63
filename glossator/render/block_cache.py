"""An article body's HTML kept block by block between rebuilds: a note's edit renders one block again."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..model import Anchor, AnchoredArticle
from .marginalia import ENV_KEY, insert_marks

# What a block's HTML depends on beyond its tokens, per anchor in it, in the order of the article's anchors
# (notes ending at one place print in that order): where the passage is, what its marks print, its note's HTML.
BlockKey = tuple[tuple[int, int, str, str, str], ...]


@dataclass
class BlockCache:
    """The top-level blocks of one parse of a body, and the HTML each rendered to with the key it rendered from."""

    tokens: list[Token] | None = None  # the parse the blocks belong to: a new parse starts over
    spans: list[range] = field(default_factory=list)  # each block's tokens
    firsts: list[int] = field(default_factory=list)  # each block's first token, to find an anchor's block
    rendered: list[tuple[BlockKey, str] | None] = field(default_factory=list)
    # The data: addresses the blocks were rendered with: a picture's file may change while the body does not.
    pictures: dict[str, str] = field(default_factory=dict)

    def render(self, md: MarkdownIt, anchored: AnchoredArticle, render_note: Callable[[Anchor], str],
               pictures: dict[str, str]) -> str:
        """Render the marked body as `md.renderer.render(insert_marks(...))` does, reusing unchanged blocks.

        `pictures` are the data: addresses of the body's pictures: when one changes, every block renders again."""
        if anchored.tokens is not self.tokens or pictures != self.pictures:
            self._split(anchored.tokens)
            self.pictures = pictures
        env = {ENV_KEY: {"render_note": render_note, "pictures": pictures}}
        by_block = self._anchors_by_block(anchored)
        parts = []
        for number, span in enumerate(self.spans):
            anchors = by_block.get(number, [])
            key = tuple((a.start, a.end, a.annotation.kind, a.html_id, render_note(a)) for a in anchors)
            cached = self.rendered[number]
            if cached is None or cached[0] != key:
                tokens = insert_marks(anchored.tokens, anchored.reading, anchors, span)
                cached = self.rendered[number] = (key, md.renderer.render(tokens, md.options, env))
            parts.append(cached[1])
        return "".join(parts)

    def _split(self, tokens: list[Token]) -> None:
        """Cut the token stream into its top-level blocks, each rendered alone.

        The renderer looks at a token's neighbours only inside a block: past its end only a hidden paragraph
        (in a tight list, never at the top level) would change the next block's first tag."""
        self.tokens, self.spans, depth, first = tokens, [], 0, 0
        for index, token in enumerate(tokens):
            depth += token.nesting
            if depth == 0:
                self.spans.append(range(first, index + 1))
                first = index + 1
        self.firsts = [span.start for span in self.spans]
        self.rendered = [None] * len(self.spans)

    def _anchors_by_block(self, anchored: AnchoredArticle) -> dict[int, list[Anchor]]:
        # An anchor lies within one inline token (anchoring refuses a quote across blocks), so in one block.
        by_block: dict[int, list[Anchor]] = {}
        for anchor in anchored.anchors:
            token = anchored.reading.piece_at(anchor.start).block
            by_block.setdefault(bisect_right(self.firsts, token) - 1, []).append(anchor)
        return by_block
