"""Security: content is text, never markup, script or a dangerous link; a strict CSP; safe, unique ids.

Pages are parsed with html5lib, as a browser would. A page built from hostile text must hold
no element, attribute or URL that the same page built from harmless text does not.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import pytest
import yaml

from glossator.load.files import MAX_FILE_BYTES
from glossator.render.markdown import unsafe_links

from .conftest import LAYOUTS, Run

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</textarea><iframe src=javascript:alert(1)>",
    '" onmouseover="alert(1)" x="',
    "' autofocus onfocus='alert(1)",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<base href=https://evil.example/>",
    "<meta http-equiv=refresh content=0;url=https://evil.example>",
    "{{ 7*7 }} {% raw %} {# c #} {{ self.__init__ }}",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;b&#62;",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "[click](javascript:alert(1)) [x](data:text/html,hi) [y](vbscript:x) [z](javascript&#58;alert(1))",
    "<style>body{display:none}</style>",
    "\u202egnp.exe <b>bold</b> ‘quoted’ “double” 😀",
]
URL_PAYLOADS = [p for p in PAYLOADS if re.match(r"\s*(java|data|vbscript|JaVa)", p)] + [
    "https://example.org/?q=\"><script>alert(1)</script>",
    "//evil.example/x",
]
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}


def _escape_markdown(text: str) -> str:
    """Write text so that Markdown shows it as is: every ASCII punctuation mark escaped."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def _files(text: str, url: str, field_url: str | None = None) -> dict[str, str]:
    """An article and sidecar that carry `text` in every text field, and `url` in every link: `field_url`, if given,
    in the link fields of front matter and sources, `url` in the Markdown links."""
    field_url = url if field_url is None else field_url
    front = {"title": text, "subtitle": text, "byline": text, "date": "2024-05-01", "summary": text,
             "credit": text, "source_url": field_url}
    body = (f"Before the passage {_escape_markdown(text)} after the passage.\n\n"
            f"A second paragraph with a word, and [a link]({url}).\n")
    sidecar = {"annotations": [
        {"quote": text, "prefix": "Before the passage ", "note": text, "id": "benign-id",
         "sources": [{"title": text, "url": field_url}, {"title": text}]},
        {"quote": "second paragraph", "kind": "correction", "original": text, "note": text,
         "sources": [{"title": text, "url": field_url}]},
        {"quote": "with a word", "note": f"See [the report]({url}), *this*, **that**, `code` and {text}"},
    ]}
    dump = yaml.safe_dump
    return {"a.md": "---\n" + dump(front, allow_unicode=True) + "---\n" + body,
            "a.annotations.yaml": dump(sidecar, allow_unicode=True)}


def _build(content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path,
           files: dict[str, str]) -> dict[str, str]:
    folder = content(files)
    site = tmp_path / "site"
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", site)
    assert result.code == 0, result.err
    return {name: (site / name).read_text("utf-8") for name in ("a.html", "index.html")}


def _parse(html: str) -> Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False, strict=True)
    document: Element = parser.parse(html)  # strict: any parse error raises
    return document


def _shape(html: str) -> tuple[set[str], set[tuple[str, str]], set[str]]:
    """Return the elements, the (element, attribute) pairs and the URLs in a page."""
    root = _parse(html)
    elements, attributes, urls = set(), set(), set()
    for element in root.iter():
        elements.add(str(element.tag))
        for name, value in element.attrib.items():
            attributes.add((str(element.tag), name))
            if name in URL_ATTRIBUTES:
                urls.add(value)
    return elements, attributes, urls


def _is_dangerous(url: str) -> bool:
    cleaned = re.sub(r"[\t\n\r]", "", url).lstrip("".join(map(chr, range(0x21)))).lower()
    return cleaned.startswith(BAD_SCHEMES)


@pytest.fixture
def benign(content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> dict[str, Any]:
    pages = _build(content, glossator, tmp_path, _files("harmless words", "https://example.org/report"))
    return {name: _shape(html) for name, html in pages.items()} | {"pages": pages}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_in_every_field_stays_text(payload: str, benign: dict[str, Any], content: Callable[..., Path],
                                                glossator: Callable[..., Run], tmp_path: Path) -> None:
    files = _files(payload, "https://example.org/report")
    if unsafe_links(payload):  # Markdown links to javascript: and the like: refused in the notes that hold them
        result = glossator("check", "--content", content(files), "--layouts", LAYOUTS)
        assert result.code == 1 and all(": error: a link in 'note' must lead" in error for error in result.errors)
        return
    pages = _build(content, glossator, tmp_path, files)
    for name, html in pages.items():
        elements, attributes, urls = _shape(html)
        benign_elements, benign_attributes, benign_urls = benign[name]
        assert elements <= benign_elements, elements - benign_elements
        assert attributes <= benign_attributes, attributes - benign_attributes
        assert urls <= benign_urls | {"https://example.org/report"}, urls - benign_urls
        root = _parse(html)
        assert [s.text for s in root.iter("script")] == [s.text for s in _parse(benign["pages"][name]).iter("script")]
    page = _parse(pages["a.html"])
    assert page.findtext(".//title") == payload
    text = "".join(page.itertext())
    for shown in (payload, f"By {payload}"):  # title, subtitle, credit, source titles, byline
        assert shown in text
    received = page.find(".//span[@class='received']")
    assert received is not None and "".join(received.itertext()) == payload.strip()  # the correction's original
    description = page.find(".//meta[@name='description']")
    assert description is not None and description.get("content") == payload


@pytest.mark.parametrize("url", URL_PAYLOADS)
def test_dangerous_link_targets_are_refused_and_what_builds_holds_no_dangerous_link(
        url: str, content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    # The link fields take only full http(s) and mailto addresses (below); a Markdown link, in the body or a note,
    # no scheme but those, and is an error where it is written; what builds holds no dangerous address.
    field_url = url if url.startswith("https://") else "https://example.org/report"
    files = _files("harmless words", url, field_url)
    if unsafe_links(f"[a link]({url})"):  # a link Markdown makes ("java\tscript:" makes none: it stays text)
        result = glossator("check", "--content", content(files), "--layouts", LAYOUTS)
        assert result.code == 1
        assert sorted(error.split(": error: ")[1].split(", not ")[0] for error in result.errors) == [
            "a link in 'note' must lead to a page of this site or be a full web address starting with https:// "
            "(or http://, mailto:), without spaces",
            "a link in the article must lead to a page of this site or be a full web address starting with https:// "
            "(or http://, mailto:), without spaces"]
        return
    pages = _build(content, glossator, tmp_path, files)
    for html in pages.values():
        _, attributes, urls = _shape(html)
        assert not [u for u in urls if _is_dangerous(u)]
        assert not [a for a in attributes if a[1].startswith("on")]


@pytest.mark.parametrize("url", [url for url in URL_PAYLOADS if not url.startswith("https://")])
def test_a_link_field_with_a_dangerous_or_relative_target_is_an_error(url: str, content: Callable[..., Path],
                                                                      glossator: Callable[..., Run]) -> None:
    folder = content(_files("harmless words", "https://example.org/report", field_url=url))
    result = glossator("check", "--content", folder, "--layouts", LAYOUTS)
    told = "must be a full web address starting with https:// (or http://, mailto:)"
    assert result.code == 1
    said = [line.split(": error: ", 1)[1].split(" ", 1) for line in result.errors]
    # File by file: the sidecar's two sources, then the front matter's source_url.
    assert [(key, message.startswith(told)) for key, message in said] == [("'url'", True), ("'url'", True),
                                                                         ("'source_url'", True)]


def test_the_content_security_policy_allows_only_what_the_page_carries(
        content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    for html in _build(content, glossator, tmp_path, _files("harmless words", "https://example.org/")).values():
        root = _parse(html)
        head = root.find("head")
        assert head is not None
        policies = [m for m in head.iter("meta") if m.get("http-equiv", "").lower() == "content-security-policy"]
        assert len(policies) == 1
        order = [child.tag for child in head]
        assert order.index("meta") < order.index("title") < order.index("style")
        directives = dict(d.strip().split(" ", 1) for d in policies[0].get("content", "").split(";") if d.strip())
        assert directives["default-src"] == "'none'"
        assert directives["base-uri"] == "'none'" and directives["form-action"] == "'none'"
        (style,) = [s.text or "" for s in root.iter("style")]
        (script,) = [s.text or "" for s in root.iter("script")]
        assert directives["style-src"] == f"'{_sha256(style)}'"
        assert directives["script-src"] == f"'{_sha256(script)}'"
        assert not [e for e in root.iter() if "style" in e.attrib]  # a hash does not cover style attributes
        for sources in directives.values():
            for source in sources.split():
                assert source in ("'none'", "'self'", "data:") or source.startswith("'sha256-"), source


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def test_page_ids_are_unique_safe_and_a_chosen_id_is_kept(content: Callable[..., Path],
                                                          glossator: Callable[..., Run], tmp_path: Path) -> None:
    body = "Brown fox, brown fox! Brown-fox and Ünïcödé brown fox. 狐狸 and 狸猫. ... and ?!\n"
    sidecar = {"annotations": [
        {"quote": "Brown fox", "prefix": "", "note": "a"},
        {"quote": "brown fox", "suffix": "!", "note": "b"},
        {"quote": "Brown-fox", "note": "c"},
        {"quote": "brown fox", "suffix": ".", "note": "d", "id": "note-brown-fox"},  # the id a quote would make
        {"quote": "狐狸", "note": "e"},
        {"quote": "狸猫", "note": "f"},
        {"quote": "...", "note": "g"},
        {"quote": "?!", "kind": "correction", "original": "?", "note": "h"},
    ]}
    files = {"a.md": "---\ntitle: t\n---\n" + body, "a.annotations.yaml": yaml.safe_dump(sidecar, allow_unicode=True)}
    root = _parse(_build(content, glossator, tmp_path, files)["a.html"])
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) == 3 * 8
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", i) for i in ids), ids
    fragments = {e.get("href", "")[1:] for e in root.iter("a") if e.get("href", "").startswith("#")}
    assert fragments <= set(ids)
    note_d = root.find(".//span[@id='note-brown-fox']")
    assert note_d is not None and "d" in "".join(note_d.itertext())


def test_large_files_within_the_limit_build(content: Callable[..., Path], glossator: Callable[..., Run],
                                            tmp_path: Path) -> None:
    words = [f"w{i}" for i in range(100_000)]
    body = "\n\n".join(" ".join(words[i : i + 100]) for i in range(0, len(words), 100))
    sidecar = "annotations:\n" + "".join(f"  - quote: w{i * 5} w{i * 5 + 1}\n    note: Note {i}.\n"
                                         for i in range(20_000))
    files = {"big.md": "---\ntitle: Big\n---\n" + body + "\n", "big.annotations.yaml": sidecar}
    assert all(len(text.encode()) <= MAX_FILE_BYTES for text in files.values())
    folder = content(files)
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", tmp_path / "site")
    assert result.code == 0, result.err[:2000]
    assert (tmp_path / "site" / "big.html").read_text("utf-8").count('role="note"') == 20_000
