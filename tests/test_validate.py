"""Validation: one schema for the build and for editors, and a plain message at the exact place."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from glossator.check.front_matter import check_meta
from glossator.check.schema_errors import schema_problems
from glossator.load.located_yaml import parse_yaml
from glossator.model import Meta

from .conftest import LAYOUTS, REPO, Run, dedent

SCHEMAS = REPO / "glossator"
MODELINE = "# yaml-language-server: $schema=../glossator/annotations.schema.json"


def _problems(yaml_text: str, schema: str = "annotations.schema.json") -> list[str]:
    located, problems = parse_yaml(yaml_text, "f.yaml")
    assert located is not None, problems
    return [f"{p.where.line}:{p.where.col}: {p.message}" for p in schema_problems(located, schema)]


def test_the_schemas_are_valid_and_describe_every_key_for_editors() -> None:
    for name in ("annotations.schema.json", "front_matter.schema.json"):
        schema = json.loads((SCHEMAS / name).read_text("utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        stack = [schema]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                for key, value in node.get("properties", {}).items():
                    assert value is False or "description" in value, f"{name}: '{key}' has no description"
                stack += [value for key, value in node.items() if key != "if"]  # a condition, not keys to write
            elif isinstance(node, list):
                stack += node


def test_editors_are_pointed_at_the_schema_the_build_uses() -> None:
    assert MODELINE in (REPO / "README.md").read_text("utf-8")
    for sidecar in sorted((REPO / "content").glob("*.annotations.yaml")):
        assert sidecar.read_text("utf-8").startswith(MODELINE), f"{sidecar.name} lacks the schema line"


def test_every_unknown_key_is_named_with_the_nearest_known_one() -> None:
    text = "annotations:\n  - quote: q\n    notes: n\n    knd: note\n    colour: red\nextra: 1\n"
    assert _problems(text) == [
        "3:5: unknown key 'notes': did you mean 'note'?",
        "4:5: unknown key 'knd': did you mean 'kind'?",
        "5:5: unknown key 'colour' (allowed: quote, prefix, suffix, kind, note, original, id, sources)",
        "6:1: unknown key 'extra' (allowed: annotations)",
    ]


def test_a_word_other_tools_use_for_a_key_is_named_with_ours() -> None:
    # Before the near spelling: 'link' is spelt like 'byline', and 'author' like no key at all.
    front = "author: A\nBy: B\ndek: d\nstandfirst: s\nurl: https://x\nlink: https://y\nheadline: h\n"
    assert _problems(front, "front_matter.schema.json") == [
        "1:1: unknown key 'author': did you mean 'byline'?",
        "2:1: unknown key 'By': did you mean 'byline'?",
        "3:1: unknown key 'dek': did you mean 'subtitle'?",
        "4:1: unknown key 'standfirst': did you mean 'subtitle'?",
        "5:1: unknown key 'url': did you mean 'source_url'?",
        "6:1: unknown key 'link': did you mean 'source_url'?",
        "7:1: unknown key 'headline': did you mean 'title'?",  # and so 'title' is not also called missing
    ]
    # The same word means the key its own mapping has: 'link' in a source is that source's 'url'.
    sidecar = ("annotations:\n  - exact: q\n    comment: c\n    sources: [{name: n, link: 'https://x'}]\n"
               "  - quote: q\n    kind: correction\n    received: r\n  - quote: q\n    note: n\n    author: a\n")
    assert _problems(sidecar) == [
        "2:5: unknown key 'exact': did you mean 'quote'?",
        "3:5: unknown key 'comment': did you mean 'note'?",
        "4:16: unknown key 'name': did you mean 'title'?",
        "4:25: unknown key 'link': did you mean 'url'?",
        "7:5: unknown key 'received': did you mean 'original'?",
        "10:5: unknown key 'author' (allowed: quote, prefix, suffix, kind, note, original, id, sources)",
    ]
    assert _problems("url: https://example.org/\n", "config.schema.json") == [
        "1:1: unknown key 'url': did you mean 'base_url'?"]


def test_wrong_types_say_what_was_expected_and_what_was_found() -> None:
    text = ("annotations:\n  - quote: 12\n    note: [a]\n    sources: {title: t}\n"
            "  - quote: q\n    note:\n    sources: [{title: t, url: 3}]\n"
            "  - quote: !!binary aGVsbG8=\n    note: yes\n")
    assert _problems(text) == [
        "2:12: 'quote' must be text, not a number",
        "3:11: 'note' must be text, not a list",
        "4:14: 'sources' must be a list, not a mapping of keys to values",
        "6:10: 'note' must be text, not an empty value",
        "7:31: 'url' must be text, not a number",
        "8:12: 'quote' must be text, not binary data",  # base64 under YAML's !!binary tag
        "9:11: 'note' must be text, not true or false",
    ]


ISO_8601 = "expected an ISO 8601 date such as 2023-11-16, or a date and time such as 2023-11-16T09:30:00Z"


def _date_errors(front_matter: str) -> list[str]:
    return _checked(front_matter)[1]


def _checked(front_matter: str) -> tuple[Meta | None, list[str]]:
    """Check front matter that stands on lines 2 on of a.md; return its fields, or the error lines a user sees."""
    located, _ = parse_yaml(front_matter, "a.md", line_offset=1)
    assert located is not None
    meta, problems = check_meta(located)
    assert (meta is None) == bool(problems)
    return meta, [str(problem) for problem in problems]


@pytest.mark.parametrize("date", ["2024-02-29", "2000-02-29", "2024-02-29T09:30:00Z", "2024-02-29 09:30",
                                  "2024-02-29T09:30:00.5+01:00", "2024-12-31T23:59:59-23:59"])
def test_real_dates_pass(date: str) -> None:
    assert _date_errors(f"title: t\ndate: '{date}'\n") == []


@pytest.mark.parametrize(("date", "error"), [
    ("2024-13-05", "is not a real date: there is no month 13"),
    ("2024-00-05", "is not a real date: there is no month 0"),
    ("2024-02-30", "is not a real date: February 2024 has no 30th day"),
    ("2023-02-29", "is not a real date: February 2023 has no 29th day"),  # not a leap year
    ("2100-02-29", "is not a real date: February 2100 has no 29th day"),  # nor is a century, but 2000 was
    ("2024-04-31", "is not a real date: April 2024 has no 31st day"),
    ("2024-04-00", "is not a real date: there is no day 0"),
    ("0000-01-01", "is not a real date: there is no year 0"),
    ("2024-03-05T25:00:00Z", "is not a real date: there is no hour 25"),
    ("2024-03-05 09:60", "is not a real date: there is no minute 60"),
    ("2024-03-05T09:30:61", "is not a real date: there is no second 61"),
    ("2024-03-05T09:30+05:75", "is not a real date: there is no minute 75 in the offset +05:75"),
    ("2024-03-05T09:30-24:00", "is not a real date: there is no hour 24 in the offset -24:00"),
    # the feed reads every date in UTC, where these are not dates at all
    ("0001-01-01T00:30+01:00", "is out of range: in UTC it falls outside the years 1 to 9999"),
    ("9999-12-31T23:30-01:00", "is out of range: in UTC it falls outside the years 1 to 9999"),
])
def test_a_date_in_the_right_shape_but_impossible_says_what_is_impossible(date: str, error: str) -> None:
    assert _date_errors(f"title: t\ndate: '{date}'\n") == [f"a.md:3:7: error: 'date' '{date}' {error}"]


@pytest.mark.parametrize("date", ["2020W01", "20200101", "16/11/2023", "2024-3-5"])
def test_a_date_in_another_shape_is_shown_the_shape(date: str) -> None:
    assert _date_errors(f"title: t\ndate: '{date}'\n") == [
        f"a.md:3:7: error: 'date' is not valid: '{date}'; {ISO_8601}"]


def test_an_unquoted_date_is_the_text_written_and_checked_as_quoted_text_is() -> None:
    # YAML reads 2024-03-05 unquoted as a timestamp; the page, the feed and the sitemap take the date as written.
    for date in ("2024-03-05", "2024-03-05T09:30:00Z", "2024-03-05 09:30:00+01:00"):
        meta, errors = _checked(f"title: t\ndate: {date}\n")
        assert errors == [] and meta is not None and meta.date == date
    assert _date_errors("title: t\ndate: 2024-02-30\n") == [
        "a.md:3:7: error: 'date' '2024-02-30' is not a real date: February 2024 has no 30th day"]
    assert _date_errors("title: t\ndate: !!timestamp 2024-13-05\n") == [
        "a.md:3:7: error: 'date' '2024-13-05' is not a real date: there is no month 13"]
    assert _date_errors("title: t\ndate: 2024-3-5\n") == [
        f"a.md:3:7: error: 'date' is not valid: '2024-3-5'; {ISO_8601}"]


@pytest.mark.parametrize("number", ["2024", "20240305", "2024.03"])
def test_a_date_written_as_a_number_asks_for_the_full_date(number: str) -> None:
    # "must be text" would invite 'date: "2024"', no more a date than the number
    assert _date_errors(f"title: t\ndate: {number}\n") == [
        f"a.md:3:7: error: 'date' is the number {number}, not a date: write the full date, e.g. 2024-03-05"]


def test_ids_are_safe_names_the_page_does_not_use_itself() -> None:
    for bad in ("ref-x", "toggle-x", "1abc", "a b", "a" * 65, "é"):
        assert _problems(f"annotations:\n  - quote: q\n    note: n\n    id: '{bad}'\n")[0].startswith("4:9: 'id' is not")
    assert _problems("annotations:\n  - quote: q\n    note: n\n    id: Note_1-a\n") == []


def test_a_trailing_line_break_is_not_part_of_a_name_or_a_date() -> None:
    # A YAML block scalar (`id: |`) ends its text with a line break, which would land in the page's ids and links.
    assert _problems("annotations:\n  - quote: q\n    note: n\n    id: |\n      intro\n") == [
        "4:9: 'id' is not valid: 'intro\n'; expected a stable name for the note's URL: a letter, then up to 63 "
        "letters, digits, '-' or '_', not starting 'ref-' or 'toggle-' (the page uses those)",
    ]
    front = "title: t\nlang: |\n  en\ndate: |\n  2024-05-01\n"
    assert [line.split(";")[0] for line in _problems(front, "front_matter.schema.json")] == [
        "2:7: 'lang' is not valid: 'en\n'",
        "4:7: 'date' is not valid: '2024-05-01\n'",
    ]


WEB_ADDRESS = "must be a full web address starting with https:// (or http://, mailto:), without spaces"


def test_link_fields_take_only_full_web_addresses() -> None:
    # Anything else would be a relative link to a page that does not exist, or a link the page leaves out.
    urls = ["https://example.org/a?b=1#c", "http://example.org", "mailto:desk@example.org", "Https://example.org/",
            "example.org/minutes",
            "javascript:alert(1)", "ftp://example.org/f", "/minutes", "https://example.org/a b", "https://"]
    text = "annotations:\n  - quote: q\n    note: n\n    sources:\n" + "".join(
        f"      - {{title: t, url: '{url}'}}\n" for url in urls)
    assert _problems(text) == [
        f"9:25: 'url' {WEB_ADDRESS}, not 'example.org/minutes': did you mean 'https://example.org/minutes'?",
        f"10:25: 'url' {WEB_ADDRESS}, not 'javascript:alert(1)'",
        f"11:25: 'url' {WEB_ADDRESS}, not 'ftp://example.org/f'",
        f"12:25: 'url' {WEB_ADDRESS}, not '/minutes'",
        f"13:25: 'url' {WEB_ADDRESS}, not 'https://example.org/a b'",
        f"14:25: 'url' {WEB_ADDRESS}, not 'https://'",
    ]
    assert _problems("title: t\nsource_url: www.example.org/story\n", "front_matter.schema.json") == [
        f"2:13: 'source_url' {WEB_ADDRESS}, not 'www.example.org/story': did you mean 'https://www.example.org/story'?",
    ]


def test_a_wrong_kind_is_named_with_the_nearest_and_nothing_that_only_follows_from_it() -> None:
    # 'original' (or a missing 'note') is wrong only because the kind is: adding 'kind: correction' would repeat a key.
    text = ("annotations:\n  - quote: q\n    kind: corection\n    original: o\n"
            "  - quote: r\n    kind: Correction\n    original: p\n    note: n\n"
            "  - quote: s\n    kind: comment\n    note: n\n"
            "  - quote: t\n    original: o\n    note: n\n")
    assert _problems(text) == [
        "3:11: 'kind' must be one of: note, correction; did you mean 'correction'?",
        "6:11: 'kind' must be one of: note, correction; did you mean 'correction'?",
        "10:11: 'kind' must be one of: note, correction",
        "13:5: 'original' belongs to a correction: add 'kind: correction', or remove 'original'",
    ]


def test_one_bad_annotation_does_not_keep_the_others_from_being_checked(
        content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    folder = content({"a.md": "---\ntitle: A small article\n---\nThe quick brown fox jumps over the lazy dog.\n",
                      "a.annotations.yaml": "annotations:\n  - quote: brown fox\n    nte: A typo.\n"
                                            "  - quote: purple cow\n    note: Not in the article.\n"
                                            "  - quote: lazy dog\n    note: Sound.\n"})
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", tmp_path / "site")
    assert result.code == 1
    assert result.errors == [
        f"{folder}/a.annotations.yaml:3:5: error: unknown key 'nte': did you mean 'note'?",
        f"{folder}/a.annotations.yaml:4:5: error: quote \"purple cow\" is not in the article",
    ]
    assert not (tmp_path / "site").exists()


SMALL_ARTICLE = "---\ntitle: A small article\n---\nThe quick brown fox jumps over the lazy dog.\n"


def test_a_repeated_id_names_the_line_that_first_set_it(content: Callable[..., Path],
                                                        glossator: Callable[..., Run]) -> None:
    sidecar = "".join(f"  - quote: {quote}\n    note: A note.\n    id: fox\n"
                      for quote in ("brown fox", "lazy dog", "quick"))
    folder = content({"a.md": SMALL_ARTICLE, "a.annotations.yaml": "annotations:\n" + sidecar})
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert result.errors == [
        f"{folder}/a.annotations.yaml:7:9: error: id 'fox' is already used on line 4; give each annotation its own",
        f"{folder}/a.annotations.yaml:10:9: error: id 'fox' is already used on line 4; give each annotation its own",
    ]


CHANGES_NOTHING = ("'original' is the same as 'quote': a correction changes the text; make it a note (kind: note), "
                   "or give the received wording")


def test_a_correction_whose_original_reads_as_its_quote_is_refused(content: Callable[..., Path],
                                                                   glossator: Callable[..., Run]) -> None:
    # Compared as quotes are matched: runs of spaces as one, typographic quotation marks as straight ones.
    sidecar = dedent("""
        annotations:
          - quote: brown fox
            kind: correction
            original: brown fox
          - quote: '"lazy dog"'
            kind: correction
            original: "  \u201clazy\\n\\t dog\u201d "
          - quote: The quick
            kind: correction
            original: the quick
            note: A capital is a change.
    """)
    folder = content({"a.md": SMALL_ARTICLE.replace("lazy dog", '"lazy dog"'), "a.annotations.yaml": sidecar})
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert result.errors == [
        f"{folder}/a.annotations.yaml:4:15: error: {CHANGES_NOTHING}",
        f"{folder}/a.annotations.yaml:7:15: error: {CHANGES_NOTHING}",
    ]
