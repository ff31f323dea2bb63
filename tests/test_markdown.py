"""Note bodies: plain text that skips the parser renders exactly as the parser would have it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glossator.load.located_yaml import parse_yaml
from glossator.render.markdown import (
    _note_tokens,
    article_parser,
    note_parser,
    parse_article,
    render_note,
    render_parsed_note,
    standalone_note_parser,
)

from .conftest import REPO

TRICKY = [
    "Plain words, nothing more.",
    "Ends in a space ",
    "Quotes \"double\" and 'single', an ellipsis… and a dash — here.",
    "Ampersand & co", "Less < more", "An *emphasis*", "A [link](https://example.org)", "Back\\slash",
    "Code `x`", "Snake_case_word", "Image ![alt](x.png)", "Autolink <https://example.org>",
    "Line one\nline two", "Tab\tinside", "Entity &amp; here", "Hash # inside", "Plus + minus - here",
    "a", "Ü is a letter", "Trailing no-break space\u00a0", "Colon: and 1. inside", "x\u2028y",
    "1. A list", "- A list", "# Heading", "> Quote", "    code", "Setext\n===", "Title: A \"thing\"",
    "A context note on *the ferry*, with [a source](https://example.org/notes/0).", "Foo [bar]", "A [ref][x] link",
    "Emphasis *open", "Star * alone", "Ends in a backslash\\", "Entity &copy; x", "Two points:\n\n- a\n- b",
    "Strong **words** and `code` and <https://example.org> and <b>html</b>", "Link [x](javascript:alert(1))",
    "Break\\\nnext", "Under_score_ and __strong__", "Ends with two spaces  ",
]


PARAGRAPHS = ["One.\n\nTwo.", "A *b*.\n\nPlain c.\n\nA [d](https://example.org) e", "A [x][y].\n\nB [y]",
              "One.\n\n\nTwo.", "One.\n\n- two", "One.\n\nTwo\n===", "One.\n\n", "\n\nOne.", "One. \n\nTwo.",
              "One.\r\n\r\nTwo.", "One.\n\n    Two.", "Ü.\n\nß", "One.\n\n2. Two"]


def _content_notes() -> list[str]:
    notes = []
    for path in sorted(REPO.glob("content/*.annotations.yaml")) + sorted(REPO.glob("tests/fixtures/**/*.yaml")):
        located, _ = parse_yaml(path.read_text("utf-8"), path.name)
        data = located.data if located else None
        if isinstance(data, dict) and isinstance(data.get("annotations"), list):
            notes += [a["note"] for a in data["annotations"] if isinstance(a, dict) and isinstance(a.get("note"), str)]
    return notes


@pytest.mark.parametrize("text", TRICKY + PARAGRAPHS + _content_notes())
def test_a_note_renders_as_the_parser_renders_it(text: str) -> None:
    md = note_parser()
    assert render_note(md, text) == md.render(text)


@pytest.mark.parametrize("text", TRICKY + _content_notes() + ["[x]: /url\n\nA [ref][x]", "- a\n\n  ```\n  c\n  ```"])
def test_one_parse_of_a_note_renders_as_each_note_parser_renders_it(text: str) -> None:
    # The page's note and the Web Annotation file's (and an e-book's) are rendered from one kept parse.
    for md in (note_parser(), standalone_note_parser(), standalone_note_parser(xhtml=True)):
        assert render_parsed_note(md, text) == md.render(text)
        assert render_parsed_note(md, text) == md.render(text)  # rendering leaves the kept parse as it was


@pytest.mark.parametrize("text", TRICKY + PARAGRAPHS + _content_notes())
def test_a_note_parses_to_the_parsers_tokens(text: str) -> None:
    # Where a note skips the block parser, its tokens are still the parser's: other render rules read them.
    md = note_parser()
    env: dict[str, object] = {}
    assert [t.as_dict() for t in _note_tokens(md, text, env)] == [t.as_dict() for t in md.parse(text)]


def test_the_parsers_are_made_once() -> None:
    assert note_parser() is note_parser()
    assert article_parser() is article_parser()


HTML = ["<div>block</div>", "text <span>inline</span> text", "<!-- comment -->", "<?pi?>", "a <b>bold</b>",
        "<https://example.org>", "<a@example.org>", "  <p>\nindented</p>", "1 < 2 > 0"]


@pytest.mark.parametrize("text", TRICKY + HTML)
def test_leaving_out_the_raw_html_rules_changes_nothing_when_html_is_off(text: str) -> None:
    from markdown_it import MarkdownIt

    full = MarkdownIt("commonmark", {"html": False})
    lean = note_parser()
    # The note parser's list numbers aside (in meta): they are its own.
    assert [_without_meta(t.as_dict()) for t in lean.parse(text)] == [_without_meta(t.as_dict()) for t in full.parse(text)]


def _without_meta(token: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in token.items() if key != "meta"}


# Each block syntax that a lean parse may leave out, inside and outside lists and blockquotes, and text that
# looks like it but is not.
BLOCKS = [
    "```\ncode\n```", "~~~ python\ncode\n~~~", "- a\n\n  ```\n  code\n  ```", "> ```\n> code",
    "    indented code", "-     code in a list item", ">     code in a quote", "- a\n\n      code", "\tcode",
    "[x]: /url\n\n[x]", "> [x]: /url\n\n[x]", "- [x]:\n  /url\n\n[x]", "[multi\nline]: /url\n\n[multi line]",
    "***", "- - -", "_ _ _  ", "> * * *", "- a\n- ***", "text\n***\nmore",
    "Title\n=====", "Title\n---", "> Title\n> ===", "- Title\n  ---", "Title\n-", "a = b\nc - d",
    "# Heading", "> ## Heading", "- ### Heading", "Hash # inside", "Dash -- inside", "Stars ** inside",
    "Line\r\n===\r\n", "Rule\r***\r", "Word\n\n[x]\n\n[x]: <>",
]
LINE_PARTS = st.sampled_from(["word", " ", "  ", "    ", "\t", "-", "*", "_", "=", "#", ">", "```", "~~~", "[x]",
                              "]:", "/url", "1.", "+", "\n", "\n\n", "\r\n", "`", "\\"])


def _same_tokens(body: str) -> None:
    lean, full = parse_article(body), article_parser().parse(body)
    assert [t.as_dict() for t in lean] == [t.as_dict() for t in full]


@pytest.mark.parametrize("body", BLOCKS + TRICKY + HTML)
def test_an_article_parses_as_the_full_parser_parses_it(body: str) -> None:
    _same_tokens(body)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE_PARTS, max_size=40).map("".join))
def test_any_text_parses_as_the_full_parser_parses_it(body: str) -> None:
    _same_tokens(body)


def test_a_note_list_counts_from_its_start_number_as_commonmark_does() -> None:
    html = render_note(note_parser(), "3. three\n1. four\n\n- a bullet\n\n7) seven\n   1. inner")
    numbers = re.findall(r'<span class="note-li-number">([^<]*)</span>', html)
    assert numbers == ["3.", "4.", "7)", "1."]
    assert '<span class="note-li" role="listitem">a bullet</span>' in html
