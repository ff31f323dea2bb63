"""Selectors: the shortest quote, prefix and suffix place a passage once, as the anchor stage reads them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glossator.anchor.place import anchor_article
from glossator.edit.selectors import SelectionError, Selector, places_of, select
from glossator.model import Annotation, Article, Meta
from glossator.problems import Where
from glossator.render.markdown import parse_article
from glossator.render.reading import read


def _placed(body: str, selector: Selector) -> tuple[int, int] | None:
    """Place the selector through the real anchor stage; return its range, or None."""
    annotation = Annotation(quote=selector.quote, prefix=selector.prefix, suffix=selector.suffix,
                            note="n", where=Where("a.annotations.yaml", 2, 3))
    article = Article(slug="a", path="a.md", meta=Meta(title="t"), body=body, body_line=1, annotations=(annotation,))
    anchored, problems = anchor_article(article)
    if problems or not anchored.anchors:
        return None
    return anchored.anchors[0].start, anchored.anchors[0].end


def _select(body: str, passage: str, nth: int = 0) -> Selector:
    tokens = parse_article(body)
    reading = read(tokens)
    at = -1
    for _ in range(nth + 1):
        at = reading.text.find(passage, at + 1)
    return select(reading, at, at + len(passage), tokens)


def test_a_unique_passage_needs_no_context() -> None:
    assert _select("The cat sat on the mat.\n", "sat on") == Selector("sat on")


def test_a_repeated_passage_takes_the_fewest_words_of_context() -> None:
    body = "The cat sat. A dog sat. The cat ran.\n"
    assert _select(body, "cat", 0) == Selector("cat", suffix=" sat.")
    assert _select(body, "cat", 1) == Selector("cat", suffix=" ran.")
    assert _select(body, "sat", 1) == Selector("sat", prefix="dog ")


def test_context_within_the_block_is_preferred_to_context_across_blocks() -> None:
    body = "One ends here.\n\nRepeat me once. Then more.\n\nRepeat me twice.\n"
    assert _select(body, "Repeat me", 0) == Selector("Repeat me", suffix=" once.")


def test_the_source_characters_are_kept() -> None:
    body = "Biden’s “plan” and\nBiden’s *other* plan.\n"
    assert _select(body, "Biden's", 1) == Selector("Biden’s", prefix="and ")
    assert _select(body, '"plan"') == Selector("“plan”")


def test_spaces_at_the_ends_of_a_selection_are_dropped() -> None:
    reading = read(parse_article("Alpha beta gamma.\n"))
    assert select(reading, 5, 11) == Selector("beta")


@pytest.mark.parametrize(("body", "passage", "message"), [
    ("One.\n\nTwo.\n", "One. Two", "crosses from one block"),
    ("Text.\n\n```\ncode here\n```\n", "code here", "inside a code block"),
    ("Text here.\n", " ", "holds no text"),
])
def test_a_range_no_quote_can_place_is_refused(body: str, passage: str, message: str) -> None:
    with pytest.raises(SelectionError, match=message):
        _select(body, passage)


def test_places_of_counts_what_the_anchor_stage_counts() -> None:
    reading = read(parse_article("aaa aaa\n\n```\naaa\n```\n"))
    assert places_of(reading, "aa") == [0, 1, 4, 5]  # overlapping repeats, and not in code
    assert places_of(reading, "aa", prefix="a") == [1, 5]


_WORDS = st.sampled_from(["the", "cat", "sat", "on", "mat", "a", "cat's", "“cat”", "*sat*", "`on`", "é", "e\u0301"])
_PARAGRAPH = st.lists(_WORDS, min_size=1, max_size=12).map(" ".join)
_BODY = st.lists(_PARAGRAPH, min_size=1, max_size=4).map(lambda paragraphs: "\n\n".join(paragraphs) + "\n")


@settings(max_examples=300, deadline=None)
@given(body=_BODY, data=st.data())
def test_a_selector_places_its_range_through_the_anchor_stage(body: str, data: st.DataObject) -> None:
    tokens = parse_article(body)
    reading = read(tokens)
    block = data.draw(st.sampled_from([b for b in reading.blocks if not b.is_code]))
    start = data.draw(st.integers(block.start, block.end - 1))
    end = data.draw(st.integers(start + 1, block.end))
    passage = reading.text[start:end]
    if not passage.strip():
        return
    trimmed = start + len(passage) - len(passage.lstrip(" ")), end - len(passage) + len(passage.rstrip(" "))
    for given_tokens in (tokens, None):
        assert _placed(body, select(reading, start, end, given_tokens)) == trimmed
