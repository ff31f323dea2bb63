"""Anchoring: quotes placed on the text a reader sees (cases in fixtures/anchoring.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from markdown_it.utils import read_fixture_file

from glossator.anchor.place import anchor_article
from glossator.model import Annotation, Article, Meta
from glossator.pipeline import checked_articles
from glossator.problems import Where

CASES = read_fixture_file(Path(__file__).parent / "fixtures" / "anchoring.md")


def _article(source: str) -> Article:
    body, sidecar = source.split("===\n")
    items = yaml.safe_load(sidecar)
    annotations = tuple(Annotation(where=Where("a.yaml", i + 1, 3), **item) for i, item in enumerate(items))
    return Article(slug="a", path="a.md", meta=Meta(title="t"), body=body, body_line=1, annotations=annotations)


@pytest.mark.parametrize(("line", "title", "source", "expected"), CASES, ids=[case[1] for case in CASES])
def test_anchoring(line: int, title: str, source: str, expected: str) -> None:
    article = _article(source)
    anchored, problems = anchor_article(article)
    placed = {a.annotation.where.line: anchored.reading.text[a.start : a.end] for a in anchored.anchors}
    errors = {p.where.line: p.message for p in problems}
    for number, want in enumerate(expected.splitlines(), start=1):
        if want.startswith("error: "):
            assert want.removeprefix("error: ") in errors[number]
        else:
            assert placed.get(number) == want, errors.get(number)


def test_notes_are_numbered_in_reading_order_and_corrections_take_a_mark() -> None:
    source = "Alpha beta gamma delta epsilon.\n===\n" + yaml.safe_dump([
        {"quote": "delta", "note": "third in the file, second on the page"},
        {"quote": "gamma", "kind": "correction", "original": "gama"},
        {"quote": "Alpha", "note": "first"},
        {"quote": "epsilon", "note": "last"},
    ])
    anchored, problems = anchor_article(_article(source))
    assert problems == []
    assert [(a.annotation.quote, a.label) for a in anchored.anchors] == [
        ("Alpha", "1"), ("gamma", "†"), ("delta", "2"), ("epsilon", "3")]


def test_page_ids_are_unique_and_safe() -> None:
    source = "Le <b>café</b> ouvre. Le <b>café</b> ferme.\n===\n" + yaml.safe_dump([
        {"quote": "Le <b>café</b> ouvre", "note": "a"},
        {"quote": "Le <b>café</b> ferme", "note": "b"},
        {"quote": "ferme", "id": "closing", "note": "c"},
    ])
    anchored, problems = anchor_article(_article(source))
    assert problems == []
    ids = [a.html_id for a in anchored.anchors]
    assert ids == ["note-le-b-cafe-b", "note-le-b-cafe-b-2", "closing"]


def test_a_dash_parts_the_words_of_an_id_as_a_hyphen_does() -> None:
    source = "The council voted 4–3 on Tuesday, and 5—2 later.\n===\n" + yaml.safe_dump([
        {"quote": "voted 4–3 on Tuesday", "note": "a"}, {"quote": "5—2 later", "kind": "correction", "original": "5-2"}])
    anchored, problems = anchor_article(_article(source))
    assert problems == []
    assert [a.html_id for a in anchored.anchors] == ["note-voted-4-3-on", "fix-5-2-later"]


def test_text_nested_deeper_than_commonmarks_twenty_levels_is_kept() -> None:
    anchored, problems = anchor_article(_article("> " * 40 + "deep words\n===\n[]\n"))
    assert problems == []
    assert anchored.reading.text == "deep words"


def test_a_quote_that_matches_several_places_names_each_one() -> None:
    body = "He said yes. Then she said yes.\nAnd on another line *she* said yes.\n\n- she said yes\n"
    _, problems = anchor_article(_article(body + "===\n" + yaml.safe_dump([{"quote": "said yes", "note": "n"}])))
    assert [p.message for p in problems] == [
        "quote \"said yes\" matches 4 places in a.md (at 1:4, 1:23, 2:27, 4:7); add 'prefix' or 'suffix' to choose one"]


def _messages(body: str, items: list[dict[str, str]], title: str = "t") -> list[str]:
    article = _article(body + "===\n" + yaml.safe_dump(items, allow_unicode=True))
    article = Article(slug="a", path="a.md", meta=Meta(title=title, subtitle="A long night at the council"),
                      body=article.body, body_line=1, annotations=article.annotations)
    return [p.message for p in anchor_article(article)[1]]


def test_places_are_right_where_the_text_has_curly_quotes() -> None:
    body = "See: It’s here. Again: It’s here.\n"
    assert _messages(body, [{"quote": "It's here", "note": "n"}]) == [
        "quote \"It's here\" matches 2 places in a.md (at 1:6, 1:24); add 'prefix' or 'suffix' to choose one"]


def test_a_quote_written_with_markdown_is_told_to_drop_it() -> None:
    body = "The council voted **4–3** on Tuesday to [support it](https://example.org).\n"
    assert _messages(body, [{"quote": "voted **4–3**", "note": "n"}, {"quote": "to [support it](https://x.org)",
                                                                      "note": "n"}]) == [
        "quote \"voted **4–3**\" is not in the article; a quote is the text as a reader sees it, without Markdown:"
        " write \"voted 4–3\"",
        "quote \"to [support it](https://x.org)\" is not in the article; a quote is the text as a reader sees it,"
        " without Markdown: write \"to support it\""]


def test_a_suggestion_names_characters_that_look_alike() -> None:
    body = "After midnight the council voted 4–3 on Tuesday.\n"
    assert _messages(body, [{"quote": "voted 4-3 on Tuesday", "note": "n"}]) == [
        "quote \"voted 4-3 on Tuesday\" is not in the article; did you mean \"voted 4–3 on Tuesday.\"? (the article has"
        " '–' en dash where the quote has '-' hyphen-minus)"]


def test_a_suggestion_stays_within_one_block() -> None:
    body = "The first paragraph ends here\n\nParagraph two goes on.\n"
    [message] = _messages(body, [{"quote": "ends here Paragraph two", "note": "n"}])
    assert message.startswith("quote \"ends here Paragraph two\" crosses a block boundary")
    # It suggested "ends here Paragraph" before, which crosses the blocks and could not be quoted either.
    assert _messages(body, [{"quote": "here end Paragraph", "note": "n"}]) == [
        "quote \"here end Paragraph\" is not in the article"]
    assert _messages(body, [{"quote": "paragraph end here", "note": "n"}]) == [
        "quote \"paragraph end here\" is not in the article; did you mean \"paragraph ends here\"?"]


def test_a_quote_from_the_title_or_subtitle_is_told_only_the_body_is_annotated() -> None:
    assert _messages("The body.\n", [{"quote": "long night", "note": "n"}], title="A vote") == [
        "quote \"long night\" is not in the article; it is in the front matter's title or subtitle: only the body"
        " is annotated"]


def test_a_wrong_prefix_shows_what_stands_before_each_match() -> None:
    body = "In the morning the vote. In the evening the vote.\n"
    assert _messages(body, [{"quote": "the vote", "prefix": "at noon ", "note": "n"}]) == [
        "quote \"the vote\" is found, but not with this prefix/suffix: at 1:16 it has prefix \"morning \"; at 1:41"
        " it has prefix \"evening \""]


def test_twenty_quotes_in_an_article_get_a_suggestion() -> None:
    body = " ".join(f"Sentence number {n} of the article." for n in range(30)) + "\n"
    items = [{"quote": f"Sentense number {n} of", "note": "n"} for n in range(25)]
    messages = _messages(body, items)
    assert sum("did you mean" in m for m in messages) == 20


def test_each_picture_is_refused_at_its_own_mark() -> None:
    body = ("Plans: ![one](a.png) and ![two](b.png)\nand ![three](https://example.org/c.jpg).\n\n"
            "Some `![code]` then ![code](pic.png) and \\![not one](x) then\n![real](r.png) here.\n")
    assert [(p.where.line, p.where.col) for p in anchor_article(_article(body + "===\n[]\n"))[1]] == [
        (1, 8), (1, 26), (2, 5), (4, 21), (5, 1)]


def test_a_picture_in_a_note_is_refused_at_its_annotation() -> None:
    body = "The plan was shown.\n===\n" + yaml.safe_dump([
        {"quote": "plan", "note": "See ![the plan](plan.png) and\n\n- ![site](https://example.org/s.jpg)"},
        {"quote": "shown", "note": "A `![code]` span and an escaped \\![mark](x) are no pictures."}])
    assert [(p.where.line, p.message.split(",")[0]) for p in anchor_article(_article(body))[1]] == [
        (1, "the note holds a picture ('plan.png')"), (1, "the note holds a picture ('https://example.org/s.jpg')")]


def test_a_picture_without_a_picture_file_is_refused_at_its_mark_with_the_reason(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "plans").mkdir(parents=True)
    (content / "plans" / "plan.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (content / "notes.txt").write_text("not a picture")
    (content / "maps.png").mkdir()
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    body = ("Good: ![plan](plans/plan.png) ![plan again](<plans/plan.png>)\n\n"
            "![web](https://example.org/a.png) and ![text](notes.txt)\n"
            "then ![away](../outside.png), ![gone](plans/gone.png), ![folder](maps.png) ![none]()\n"
            "and ![only a fragment](#top), ![a reference][ref]\n\n[ref]: ref.gif\n")
    (content / "a.md").write_text(f"---\ntitle: Pictures\n---\n{body}")
    works, _, problems = checked_articles(content)
    assert works[0].file is not None and works[0].file.pictures["plans/plan.png"].data == b"\x89PNG\r\n\x1a\n"
    assert [str(p).removeprefix(f"{content}/") for p in problems] == [
        "a.md:6:1: error: a picture must be a file in the content folder: a page reads offline, and a picture on the"
        " web ('https://example.org/a.png') would not show; save it in the content folder and write its file name",
        "a.md:6:39: error: 'notes.txt' is not a picture a page can show; use a PNG, JPEG, GIF, WebP, SVG or AVIF file"
        " (ending .png, .jpg, .jpeg, .gif, .webp, .svg or .avif)",
        "a.md:7:6: error: '../outside.png' leads outside the content folder; keep content files inside it",
        "a.md:7:31: error: picture file 'plans/gone.png' not found in the content folder",
        "a.md:7:56: error: picture 'maps.png' is a folder; name a picture file",
        "a.md:7:76: error: the picture has no address a page can use; name a picture file in the content folder:"
        " ![what it shows](picture.png)",
        "a.md:8:5: error: the picture has no address a page can use; name a picture file in the content folder:"
        " ![what it shows](picture.png)",
        "a.md:8:31: error: picture file 'ref.gif' not found in the content folder"]
