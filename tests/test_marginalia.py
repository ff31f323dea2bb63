"""Marks around annotated passages: the token rule that splits text at anchor boundaries."""

from __future__ import annotations

from markdown_it import MarkdownIt

from glossator.anchor.place import anchor_article
from glossator.model import Annotation, Article, Meta
from glossator.problems import Where
from glossator.render.marginalia import ENV_KEY, insert_marks, marginalia_plugin
from glossator.render.markdown import article_parser


def _html(body: str, quote: str) -> str:
    article = Article(slug="a", path="a.md", meta=Meta(title="t"), body=body, body_line=1,
                      annotations=(Annotation(quote=quote, where=Where("a.yaml", 1, 3), note="n"),))
    md = article_parser()
    anchored, problems = anchor_article(article)
    assert not problems
    tokens = insert_marks(anchored.tokens, anchored.reading, anchored.anchors)
    html: str = md.renderer.render(tokens, md.options, {ENV_KEY: {"render_note": lambda anchor: "[note]"}})
    return html


def test_a_passage_over_an_empty_text_makes_no_empty_mark() -> None:
    # markdown-it leaves an empty text token after "**...**" at a line's end: it must not become <mark></mark>.
    html = _html("**school district river**\nwarning", "district river warning")
    assert "></mark>" not in html
    assert html.count("<mark") == 2


def test_text_outside_every_passage_is_left_as_it_was() -> None:
    html = _html("Alpha *beta* gamma.\n\nDelta epsilon.", "gamma")
    assert html == ('<p>Alpha <em>beta</em> <mark class="passage passage-note" data-note="note-gamma">gamma</mark>'
                    "[note].</p>\n<p>Delta epsilon.</p>\n")


def test_the_plugin_marks_passages_in_any_markdown_it_that_loads_it() -> None:
    body = "The *quick brown* fox.\n\n> Jumps over the lazy dog.\n\n- a list item\n"
    article = Article(slug="a", path="a.md", meta=Meta(title="t"), body=body, body_line=1,
                      annotations=(Annotation(quote="quick brown fox", where=Where("a.yaml", 1, 3), note="n"),
                                   Annotation(quote="the lazy dog", where=Where("a.yaml", 2, 3), note="m")))
    anchored, problems = anchor_article(article)
    assert not problems
    env = {ENV_KEY: {"anchors": anchored.anchors, "render_note": lambda anchor: f"[{anchor.label}]"}}
    html = MarkdownIt("commonmark").use(marginalia_plugin).render(body, env)
    assert html == ('<p>The <em><mark class="passage passage-note" data-note="note-quick-brown-fox">quick brown</mark>'
                    '</em><mark class="passage passage-note" data-note="note-quick-brown-fox"> fox</mark>[1].</p>\n'
                    '<blockquote>\n<p>Jumps over <mark class="passage passage-note" data-note="note-the-lazy-dog">'
                    "the lazy dog</mark>[2].</p>\n</blockquote>\n<ul>\n<li>a list item</li>\n</ul>\n")
    assert MarkdownIt("commonmark").use(marginalia_plugin).render(body) == MarkdownIt("commonmark").render(body)
