"""Property-based: any article and sidecar either builds a whole site or fails with FILE:LINE:COL errors.

Set GLOSSATOR_FUZZ=N to run N examples of each instead of the suite's quick default.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator.cli import main

from .conftest import LAYOUTS, tree

settings.register_profile("quick", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("fuzz", max_examples=int(os.environ.get("GLOSSATOR_FUZZ") or 0) or 1, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = "fuzz" if os.environ.get("GLOSSATOR_FUZZ") else "quick"

KEYS = ["annotations", "quote", "note", "kind", "original", "id", "prefix", "suffix", "sources", "title", "url",
        "byline", "date", "lang", "summary", "source", "source_url", "credit", "source_frame", "before", "after"]
# Letters, Markdown and YAML punctuation, spaces of every kind, combining marks, quotation marks, emoji.
ALPHABET = st.sampled_from([*"abc xyz ABC 0123 *_`[]()#>-+!<&\"':{},|%@\n\t\\.~",
                            "\u00a0", "\u2028", "\u0301", "é", "e\u0301", "“", "”", "’", "😀", "\u200b", "\ufeff",
                            "\r\n", "---", "```", "{{", "{%", "<script>", "javascript:"])
TEXT = st.lists(ALPHABET, max_size=30).map("".join)
WORDS = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "*em*", "`code`", "[link](https://x.org)",
                                  "“quoted”", "café", "e\u0301", "\n\n", "\n", "- ", "> ", "# ", "```\n", "  "]),
                 min_size=1, max_size=25).map(" ".join)

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT
           | st.text(max_size=12) | st.sampled_from(KEYS))
YAML_DATA = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4),
                         max_leaves=20)

ERROR_LINE = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): error: \S")


def _dump(data: Any, flow: bool | None) -> str:
    return yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, sort_keys=False)


@st.composite
def sidecars(draw: st.DrawFn, body: str) -> str:
    """A sidecar: plausible annotations quoting the body, random YAML data, or damaged YAML text."""
    shape = draw(st.sampled_from(["plausible", "random", "damaged"]))
    if shape == "random":
        return _dump(draw(YAML_DATA), draw(st.sampled_from([None, True, False])))
    annotations = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, max(len(body) - 1, 0)))
        quote = body[start : start + draw(st.integers(1, 30))] if draw(st.booleans()) else draw(TEXT)
        item: dict[str, Any] = {"quote": quote}
        for key in draw(st.lists(st.sampled_from(KEYS[2:9]), max_size=3, unique=True)):
            item[key] = draw(TEXT | YAML_DATA) if key != "sources" else [{"title": draw(TEXT), "url": draw(TEXT)}]
        annotations.append(item)
    text = _dump({"annotations": annotations}, draw(st.sampled_from([None, False])))
    if shape == "damaged" and text:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(TEXT) + text[at + draw(st.integers(0, 5)) :]
    return text


@st.composite
def articles(draw: st.DrawFn) -> tuple[str, str]:
    body = draw(WORDS | TEXT)
    front: dict[str, Any] = {"title": draw(TEXT)}
    for key in draw(st.lists(st.sampled_from(["byline", "date", "summary", "lang", "credit", "source_url", "x"]),
                             max_size=3, unique=True)):
        front[key] = draw(TEXT | st.sampled_from(["2024-02-29", "2023-02-29", "en", "https://x.org", "2024-01-01T10:00"]))
    article = "---\n" + _dump(front, False) + "---\n" + body
    if draw(st.booleans()):
        article = "---\n" + draw(TEXT) + "\n---\n" + body  # front matter as arbitrary text
    return article, body


def _build(files: dict[str, str | bytes]) -> None:
    """Build in a fresh folder and check the outcome: a whole site, or errors and the old site."""
    with tempfile.TemporaryDirectory() as temp:
        content, site = Path(temp) / "content", Path(temp) / "site"
        content.mkdir()
        site.mkdir()
        (site / "old.html").write_text("the previous site")
        for name, data in files.items():
            (content / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["build", "--content", str(content), "--layouts", str(LAYOUTS), "--out", str(site)])
        lines = err.getvalue().splitlines()
        if code == 0:
            pages = {name[: -len(".md")] + ".html" for name in files if name.endswith(".md")}
            assert pages | {"index.html"} <= set(tree(site)), lines
            assert "old.html" not in tree(site)
        else:
            assert code == 1, lines
            errors = [line for line in lines[:-1]]
            assert errors, lines
            for line in errors:
                match = ERROR_LINE.match(line)
                assert match and match["file"].startswith(str(content) + "/"), line
            assert tree(site) == {"old.html": b"the previous site"}
        assert not [p for p in Path(temp).iterdir() if p.name.startswith(".site.new")]


@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_any_article_and_sidecar_builds_or_fails_cleanly(data: st.DataObject) -> None:
    article, body = data.draw(articles())
    files: dict[str, str | bytes] = {"a.md": article}
    if data.draw(st.booleans()):
        files["a.annotations.yaml"] = data.draw(sidecars(body))
    _build(files)


@settings(settings.get_profile(PROFILE))
@given(st.binary(max_size=200), st.binary(max_size=200))
def test_any_bytes_build_or_fail_cleanly(article: bytes, sidecar: bytes) -> None:
    _build({"a.md": b"---\ntitle: t\n---\n" + article, "a.annotations.yaml": sidecar})


@settings(settings.get_profile(PROFILE))
@given(st.text(max_size=300), st.text(max_size=300))
def test_any_unicode_text_builds_or_fails_cleanly(front: str, sidecar: str) -> None:
    _build({"a.md": "---\n" + front + "\n---\nSome text.\n", "a.annotations.yaml": sidecar})


@st.composite
def anchored_sidecars(draw: st.DrawFn, body: str) -> str:
    """Annotations that quote what a reader sees, so most of them anchor: notes, corrections, sources."""
    from glossator.render.markdown import article_parser
    from glossator.render.reading import read

    reading = read(article_parser().parse(body)).text
    annotations: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 5))):
        start = draw(st.integers(0, max(len(reading) - 1, 0)))
        end = start + draw(st.integers(1, 40))
        item: dict[str, Any] = {"quote": reading[start:end] or "x"}
        if draw(st.booleans()):
            item["prefix"] = reading[max(0, start - 5) : start]
        if draw(st.booleans()):
            item.update(kind="correction", original=draw(TEXT | st.just(reading[start:end] + " extra")))
        if draw(st.booleans()) or item.get("kind") != "correction":
            item["note"] = draw(TEXT | WORDS)
        if draw(st.booleans()):
            item["sources"] = [{"title": draw(TEXT) or "t", "url": draw(TEXT | st.just("https://x.org/?a=<b>"))}]
        if draw(st.booleans()):
            item["id"] = draw(st.sampled_from(["a", "b", "note-alpha", "fix-x", "A_1"]))
        annotations.append(item)
    return _dump({"annotations": annotations}, draw(st.sampled_from([None, False])))


BODIES = WORDS | st.text(st.characters(blacklist_categories=["Cs"]), max_size=200) | TEXT


@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_quotes_from_the_reading_text_build_or_fail_cleanly(data: st.DataObject) -> None:
    body = data.draw(BODIES)
    source = data.draw(st.none() | st.just(body) | BODIES)
    front = "---\ntitle: t\n" + ("source: a.txt\n" if source is not None else "") + "---\n"
    files: dict[str, str | bytes] = {"a.md": front + body, "a.annotations.yaml": data.draw(anchored_sidecars(body))}
    if source is not None:
        files["a.txt"] = source
    _build(files)
