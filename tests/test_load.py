"""Loading: YAML with the position of every value, text decoding, and the paths a build may read."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from glossator.load import located_yaml
from glossator.load.files import parse_text
from glossator.load.layouts import load_layouts
from glossator.load.located_yaml import parse_yaml
from glossator.load.pictures import held_picture_type
from glossator.pipeline import checked_articles

from .conftest import ARTICLE, LAYOUTS, SIDECAR, Run, tree


def test_every_key_and_value_has_its_position_after_the_front_matter_offset() -> None:
    located, problems = parse_yaml("a: 1\nlist:\n  - x: [y, 'z']\n    w: |\n      text\n", "f.yaml", line_offset=3)
    assert problems == [] and located is not None
    assert located.data == {"a": 1, "list": [{"x": ["y", "z"], "w": "text\n"}]}
    assert str(located.where(("list", 0, "x", 1))) == "f.yaml:6:12"
    assert str(located.where(("list", 0, "w"))) == "f.yaml:7:8"
    assert str(located.where(("list", 0, "w"), key=True)) == "f.yaml:7:5"
    assert str(located.where(("list", 0, "missing", 3))) == "f.yaml:6:5"  # the nearest parent


def test_merge_keys_fill_in_without_overriding_and_aliases_point_at_their_use() -> None:
    text = "base: &b {note: shared, kind: note}\nitem:\n  <<: *b\n  note: own\nother: *b\n"
    located, problems = parse_yaml(text, "f.yaml")
    assert problems == [] and located is not None
    assert located.data["item"] == {"note": "own", "kind": "note"}
    assert str(located.where(("item", "kind"))) == "f.yaml:1:31"  # where the merged value was written
    assert str(located.where(("other",))) == "f.yaml:5:8"
    assert str(located.where(("other", "note"))) == "f.yaml:1:17"


def test_yaml_that_cannot_become_plain_data_is_a_problem_not_an_exception() -> None:
    cases = {
        "a: &a [*a]\n": "1:8: error: alias '*a' stands inside the value it names",
        "a: *nowhere\n": "1:4: error: alias '*nowhere' names no anchor above it",
        "a: &x 1\nb: &x 2\n": "2:4: error: anchor '&x' is defined twice (first on line 1)",
        "a: !!bool maybe\n": "1:4: error: 'maybe' cannot be read as true or false",
        "a: !!float x\n": "1:4: error: 'x' cannot be read as a number",
        "? [a]\n: b\n": "1:3: error: a key must be text, but this key is a list",
        "a: 1\n<<: 5\n": "2:5: error: '<<' merges a mapping, or a list of mappings",
        "a: \"\\e[31m\"\n": "1:4: error: text holds the control character U+001B",
        "a: b\x85c\x00\n": "1:7: error: invalid YAML: the control character U+0000 is not allowed",
        "a: \"\\uFFFE\"\n": "1:4: error: text holds the noncharacter U+FFFE; remove it",
        "a: b\uffff\n": "1:5: error: invalid YAML: the noncharacter U+FFFF is not allowed",
    }
    for text, expected in cases.items():
        located, problems = parse_yaml(text, "f.yaml")
        assert located is None and str(problems[0]).startswith(f"f.yaml:{expected}"), (text, problems)


SIDECAR_HEAD = "annotations:\n  - quote: brown fox\n"
# What an editor wrote, and the one error line they see: where to act, what is wrong and how to fix it.
YAML_MISTAKES = {
    SIDECAR_HEAD + "    note: Note: the vote was close\n":
        "f.yaml:3:11: error: this value holds ': ', which YAML reads as a new key;"
        ' put the whole value in quotation marks ("...")',
    SIDECAR_HEAD + '    note: He said "no": the vote was close\n':
        "f.yaml:3:11: error: this value holds ': ', which YAML reads as a new key;"
        " put the whole value in single quotation marks ('...')",
    SIDECAR_HEAD + "    note: The vote was close,\n      and the result: a tie\n":
        "f.yaml:3:11: error: this value holds ': ' (on line 4), which YAML reads as a new key;"
        ' put the whole value in quotation marks ("...")',
    'annotations:\n  - quote: "the vote\n    note: A note.\n':
        'f.yaml:2:12: error: the quotation mark " opened at 2:12 is never closed; put another " at the end of the value',
    # A line separator (U+2028) ends a line for YAML, and so for the lines and columns it reports.
    '\u2028"annotations: []\n':
        'f.yaml:2:1: error: the quotation mark " opened at 2:1 is never closed; put another " at the end of the value',
    'annotations:\n  - quote: "the vote\n    note: A note.\n  - quote: "lazy dog"\n    note: Another.\n':
        'f.yaml:2:12: error: the quotation mark " opened at 2:12 is not closed on its line, so the value runs on to'
        " line 4; close it on line 2",
    SIDECAR_HEAD + "    note: A note.\n   kind: note\n":
        "f.yaml:4:4: error: line 4 is indented 3 spaces, but line 3 above it ('note') 4: the keys of one mapping must"
        " line up, so indent line 4 by 4 spaces",
    SIDECAR_HEAD + "    note: A note.\n     kind: note\n":
        "f.yaml:4:6: error: line 4 is indented 5 spaces, but line 3 above it ('note') 4: the keys of one mapping must"
        " line up, so indent line 4 by 4 spaces",
    SIDECAR_HEAD + "   note: A note.\n":
        "f.yaml:3:4: error: line 3 is indented 3 spaces, but line 2 above it ('quote') 4, counting its '- ': the keys"
        " of one mapping must line up, so indent line 3 by 4 spaces",
    SIDECAR_HEAD + "    note: A note.\n   - quote: lazy dog\n     note: Another.\n":
        "f.yaml:4:4: error: line 4 is indented 3 spaces, but line 2 above it 2: the '- ' items of one list must line"
        " up, so indent line 4 by 2 spaces",
    "title: A title\n date: 2024-05-01\n":
        "f.yaml:2:2: error: line 2 is indented 1 space, but line 1 above it ('title') 0: the keys of one mapping must"
        " line up, so remove the spaces before line 2",
    "annotations:\n\t- quote: brown fox\n\t  note: A note.\n":
        "f.yaml:2:1: error: line 2 is indented with a tab, and YAML allows only spaces there; replace the tab with"
        " spaces",
    SIDECAR_HEAD + "    note: A note.\n    quote: lazy dog\n    note: Another.\n":
        "f.yaml:4:5: error: 'quote' is set already on line 2, so line 4 may start a new annotation that is missing"
        " its '- ': write '- ' before its first key, in line with the '- ' above (or, if it is one annotation, keep"
        " one 'quote')",
    SIDECAR_HEAD + "    note: A note.\n  quote: lazy dog\n    note: Another.\n":
        "f.yaml:4:3: error: line 4 may start a new annotation that is missing its '- ': write '- ' before its first"
        " key, in line with the '- ' above",
    SIDECAR_HEAD + "    note: A note.\n    sources:\n      - title: A book\n      title: Another\n":
        "f.yaml:6:7: error: line 6 may start a new source that is missing its '- ': write '- ' before its first key,"
        " in line with the '- ' above",
    SIDECAR_HEAD + "    note: A note that an editor\n    broke over two lines.\n":
        "f.yaml:4:5: error: line 4 is not 'key: value': if it goes on from the value of 'note' on line 3, indent it"
        " more than 'note'; if it is a key, write ': ' after it",
    SIDECAR_HEAD + "    note:A note.\n    kind: note\n":
        "f.yaml:3:9: error: 'note:' has no space after ':', so YAML reads this as text, not a key; put a space after"
        " ':'",
    "title: A title\ntitle: Another\n":
        "f.yaml:2:1: error: duplicate key 'title' (first set on line 1); keep one",
    "a: {b: c: d}\n": "f.yaml:1:9: error: invalid YAML: while parsing a flow mapping; ",  # any other: PyYAML's words
}


@pytest.mark.parametrize("loader", [getattr(yaml, "CSafeLoader", yaml.SafeLoader), yaml.SafeLoader],
                         ids=["libyaml", "python"])
def test_yaml_mistakes_are_told_in_plain_words_where_the_editor_must_act(
        loader: type, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(located_yaml, "_Loader", loader)  # libyaml and PyYAML word errors differently
    for text, expected in YAML_MISTAKES.items():
        located, problems = parse_yaml(text, "f.yaml")
        assert located is None and len(problems) == 1, (text, problems)
        if expected.endswith("; "):
            assert str(problems[0]).startswith(expected) and "\n" not in str(problems[0]), (text, problems)
        else:
            assert str(problems[0]) == expected, text


def test_yaml_mistakes_in_front_matter_count_its_lines_from_the_top_of_the_article() -> None:
    _, problems = parse_yaml('title: "A title\n', "a.md", line_offset=1)
    assert [str(p) for p in problems] == [
        'a.md:2:8: error: the quotation mark " opened at 2:8 is never closed; put another " at the end of the value']
    _, problems = parse_yaml("title: A title\n  subtitle: x\n", "a.md", line_offset=1)
    assert str(problems[0]).startswith("a.md:3:3: error: line 3 is indented 2 spaces, but line 2 above it ('title') 0")


def test_text_loses_a_byte_order_mark_and_windows_line_ends() -> None:
    assert parse_text(b"\xef\xbb\xbf---\r\ntitle: t\r\n---\r\nText\rmore\r\n", "a.md") == (
        "---\ntitle: t\n---\nText\nmore\n", [])


def test_inputs_that_must_build(content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    folder = content({
        "plain.md": "---\ntitle: No sidecar\n---\nText.\n",
        "empty.md": "---\ntitle: No annotations\n---\nText.\n",
        "empty.annotations.yaml": "# yaml-language-server: $schema=../glossator/annotations.schema.json\nannotations: []\n",
        "linked.md": ARTICLE,
        "real.yaml": SIDECAR,
        "sourced.md": "---\ntitle: Sourced\nsource: texts/sourced.txt\n---\nThe text as received.\n",
        "marked.md": "---\ntitle: Received in Markdown\nsource: texts/marked.md\n---\nText.\n",
        "notes.txt": "An editor's own notes: not content, and harmless.",
        "café_2.md": "---\ntitle: A name in Unicode\n---\nText.\n",
    })
    (folder / "texts").mkdir()
    (folder / "texts" / "sourced.txt").write_text("The text\r\nas received.")
    (folder / "texts" / "marked.md").write_text("Text.")  # an article's received text: read, though in a subfolder
    (folder / "pictures").mkdir()
    (folder / "pictures" / "map.png").write_bytes(b"\x89PNG\r\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD.md").write_text("hidden, as editors' lock files are")
    (folder / "linked.annotations.yaml").symlink_to("real.yaml")  # a link that stays inside content/
    (folder / ".#plain.md").symlink_to("someone@host.1234")  # an editor's lock file: not content
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", tmp_path / "site")
    assert result.code == 0, result.err
    built = sorted(tree(tmp_path / "site"))
    pages = ["café_2", "empty", "linked", "marked", "plain", "sourced"]
    assert built == sorted(["404.html", "index.html", "marked.source.txt", "offline.zip", "sourced.source.txt",
                            *(f"{page}.html" for page in pages), *(f"{page}.annotations.jsonld" for page in pages)])


def test_load_reads_only_inside_the_content_folder(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (content / "a.md").write_text("---\ntitle: t\nsource: \"../secret.txt\\0\"\n---\nText.\n")
    (content / "b.md").write_text("---\ntitle: t\nsource: " + "x/" * 3000 + "y\n---\nText.\n")
    works, _, problems = checked_articles(content)
    assert all(work.file is None or work.file.received is None for work in works)
    assert [p.where.line for p in problems] == [3, 3]
    assert "secret" not in "".join(str(p) for p in problems[:1]).replace("secret.txt", "")


def test_editors_litter_in_the_layouts_folder_is_no_layout(content: Callable[..., Path], glossator: Callable[..., Run],
                                                          tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, layouts)
    litter = [".article.html.swp", "article.html~", "#base.html#", ".#base.html", "4913", "partials/.note.html.swo",
              ".git/config"]
    for name in litter:
        (layouts / name).parent.mkdir(exist_ok=True)
        (layouts / name).write_bytes(b"b0VIM 9.0\x00\xff\xfe {% broken")  # binary, and no template either
    assert sorted(load_layouts(layouts)[0]) == sorted(load_layouts(LAYOUTS)[0])
    result = glossator("build", "--content", content(), "--layouts", layouts, "--out", tmp_path / "site")
    assert result.code == 0 and result.errors == [], result.err


def test_what_looks_like_content_but_would_not_be_read_is_an_error_at_its_file(
        content: Callable[..., Path], glossator: Callable[..., Run]) -> None:
    folder = content({"town.md": ARTICLE, "town.yaml": SIDECAR, "harbour.md": ARTICLE,
                      "harbour.annotations.yml": SIDECAR, "Upper.MD": ARTICLE, "x.markdown": ARTICLE})
    (folder / "2024").mkdir()
    (folder / "2024" / "old.md").write_text(ARTICLE)
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert result.errors == [
        f"{folder}/2024:1:1: error: subfolders of the content folder are not read, and this one holds '2024/old.md';"
        " move its articles up into the content folder",
        f"{folder}/Upper.MD:1:1: error: an article's name ends in '.md' (in lower case), so this file is not read;"
        " rename it 'Upper.md'",
        f"{folder}/harbour.annotations.yml:1:1: error: a sidecar's name ends in '.annotations.yaml', so this file is"
        " not read; rename it 'harbour.annotations.yaml'",
        f"{folder}/town.yaml:1:1: error: a sidecar's name ends in '.annotations.yaml', so this file is not read;"
        " rename it 'town.annotations.yaml'",
        f"{folder}/x.markdown:1:1: error: an article's name ends in '.md', so this file is not read; rename it 'x.md'",
    ]
    (folder / "town.annotations.yaml").write_text(SIDECAR)
    assert f"{folder}/town.yaml:1:1: error: this file is not read: the annotations of 'town.md' are read from " \
           "'town.annotations.yaml'; move them into it" in glossator("check", "--content", folder).errors


def test_control_characters_and_noncharacters_are_refused_at_the_character(
        content: Callable[..., Path], glossator: Callable[..., Run]) -> None:
    folder = content({
        "bell.md": "---\ntitle: A bell\n---\nFirst paragraph.\n\n\tA bell \x07 rings, in \x1b[31mred\x1b[0m.\n",
        "received.md": "---\ntitle: Received\nsource: received.txt\n---\nText.\n",
        "received.txt": "Text.\nNot XML: \ufffe.\n",
        "escaped.md": "---\ntitle: Escaped\n---\nText.\n",
        "escaped.annotations.yaml": 'annotations:\n  - quote: Text\n    note: "Not XML: \\uFFFF"\n',
    })
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert sorted(result.errors) == [
        f"{folder}/bell.md:6:9: error: text holds the control character U+0007; remove it (and 2 more in this file)",
        f"{folder}/escaped.annotations.yaml:3:11: error: text holds the noncharacter U+FFFF; remove it",
        f"{folder}/received.txt:2:10: error: text holds the noncharacter U+FFFE; remove it",
    ]


def test_a_received_text_keeps_its_page_breaks(content: Callable[..., Path], glossator: Callable[..., Run]) -> None:
    # Text taken from a PDF holds form feeds: the received text is copied as it came and compared as words.
    folder = content({"a.md": "---\ntitle: Received\nsource: a.txt\n---\nPage one text. Page two text.\n",
                      "a.txt": "Page one text.\n\x0cPage two text.\n"})
    assert glossator("check", "--content", folder).code == 0
    folder = content({"b.md": "---\ntitle: In the body\n---\nPage one text.\n\x0cPage two text.\n"})
    assert "text holds the control character U+000C" in glossator("check", "--content", folder).errors[0]


@pytest.mark.parametrize(("data", "held"), [
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\0\x10JFIF", "image/jpeg"),
    (b"GIF89a\x01\0\x01\0", "image/gif"),
    (b"GIF87a\x01\0\x01\0", "image/gif"),
    (b"RIFF\x24\0\0\0WEBPVP8 ", "image/webp"),
    (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf", "image/avif"),
    (b"\0\0\0\x20ftypmif1\0\0\0\0mif1avifmiafMA1B", "image/avif"),  # AVIF among the compatible brands
    (b'<?xml version="1.0"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
    (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", None),  # a phone's HEIC photo: no browser but Safari shows it
    (b"BM\x36\0\0\0", None),  # BMP
    (b"<!DOCTYPE html><html><body>Not found</body></html>", None),
    (b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 3 <svg\n", None),
    (b"", None),
])
def test_a_pictures_type_is_the_one_its_bytes_hold(data: bytes, held: str | None) -> None:
    assert held_picture_type(data) == held
