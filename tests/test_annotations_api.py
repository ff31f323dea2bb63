"""The annotations API of `serve`, request by request without a socket: each endpoint, each refusal, and the sidecar
kept byte for byte but for the annotation edited. Then once through a real server."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from glossator.dev import annotation_edits
from glossator.dev.annotations_api import MAX_BODY, MEDIA_TYPE, AnnotationsApi, Request, Response
from glossator.dev.serve import (
    AUTHORING_SCRIPT,
    AUTHORING_STYLE,
    Authoring,
    Broadcast,
    allow_authoring,
    inject,
    make_server,
)
from glossator.edit.sidecar import append_annotation, fingerprint
from glossator.pipeline import checked_articles

from .conftest import ARTICLE, Run

SIDECAR = """\
# The small article's notes, by hand.
annotations:

  # the fox
  - quote: 'brown fox jumps'   # single quoted
    note: A note with **bold**.

  - quote: the lazy dog
    kind: correction
    original: the the lazy dog
    note: "A doubled word removed."
    id: lazy-dog

  - quote: long passage
    note: >-
      In a list.
# the end
"""
TOKEN = "secret-token"
PORT = 8123
CONTAINER = "/__glossator/annotations/small/"
HEADERS = {"host": f"localhost:{PORT}", "authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "small.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "small.annotations.yaml").write_text(SIDECAR, encoding="utf-8")
    return folder


@pytest.fixture
def api(content: Path) -> AnnotationsApi:
    return AnnotationsApi(content, TOKEN, "127.0.0.1", PORT)


def _sidecar(content: Path) -> str:
    return (content / "small.annotations.yaml").read_text(encoding="utf-8")


def _etag(content: Path) -> str:
    path = content / "small.annotations.yaml"
    return f'"sha256-{fingerprint(path.read_bytes())}"' if path.exists() else '"no-sidecar"'


def _send(api: AnnotationsApi, method: str, path: str, data: Any = None, **headers: str) -> Response:
    body = b"" if data is None else data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
    sent = {**HEADERS, **({"content-type": "application/ld+json", "content-length": str(len(body))} if body else {})}
    sent.update({name.replace("_", "-"): value for name, value in headers.items()})
    return api.handle(Request(method, path, {k: v for k, v in sent.items() if v is not None}, body))


def _write(api: AnnotationsApi, content: Path, method: str, path: str, data: Any = None, **headers: str) -> Response:
    return _send(api, method, path, data, **{"if_match": _etag(content), **headers})


def _problems(response: Response) -> list[str]:
    problems: list[str] = json.loads(response.body)["problems"]
    return problems


def _note(exact: str, note: str = "A new note.", prefix: str | None = None, suffix: str | None = None,
          **more: Any) -> dict[str, Any]:
    selector = {"type": "TextQuoteSelector", "exact": exact, **({"prefix": prefix} if prefix is not None else {}),
                **({"suffix": suffix} if suffix is not None else {})}
    return {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "commenting",
            "body": [{"type": "TextualBody", "purpose": "commenting", "format": "text/markdown", "value": note}],
            "target": {"source": "small.html", "selector": selector}, **more}


def test_get_lists_the_articles_annotations_as_web_annotations(api: AnnotationsApi, content: Path) -> None:
    response = _send(api, "GET", CONTAINER)
    assert response.status == 200
    assert response.header("Content-Type") == MEDIA_TYPE
    assert response.header("ETag") == _etag(content)
    collection = json.loads(response.body)
    assert collection["type"] == "AnnotationCollection" and collection["id"] == CONTAINER
    items = collection["first"]["items"]
    assert [item["id"] for item in items] == [CONTAINER + "note-brown-fox-jumps", CONTAINER + "lazy-dog",
                                              CONTAINER + "note-long-passage"]
    assert [item.get("canonical") for item in items] == [None, "small.html#lazy-dog", None]  # ids written in the sidecar
    assert items[0]["target"]["selector"][0]["exact"] == "brown fox jumps"
    one = _send(api, "GET", CONTAINER + "lazy-dog")
    assert one.status == 200 and json.loads(one.body) == items[1]


def test_post_appends_the_shortest_selector_and_keeps_every_other_byte(api: AnnotationsApi, content: Path) -> None:
    # As a page sends it: the blocks apart by line breaks, more context than needed.
    response = _write(api, content, "POST", CONTAINER, _note("passage", "Which *passage*?",
                                                            prefix="in it.\n\nA blockquote with a ", suffix=".\n"))
    assert response.status == 201, response.body
    assert response.header("Location") == CONTAINER + "note-passage"
    assert response.header("ETag") == _etag(content)
    assert json.loads(response.body)["id"] == CONTAINER + "note-passage"
    assert _sidecar(content) == SIDECAR.removesuffix("# the end\n") + (
        '\n  - quote: passage\n    prefix: "a "\n    note: Which *passage*?\n# the end\n')


def test_post_places_a_passage_by_its_position_alone(api: AnnotationsApi, content: Path) -> None:
    collection = json.loads(_send(api, "GET", CONTAINER).body)
    fox = collection["first"]["items"][0]["target"]["selector"][1]  # "brown fox jumps" at 10..25
    note = _note("x")
    note["target"]["selector"] = {"type": "TextPositionSelector", "start": fox["start"], "end": fox["start"] + 9}
    response = _write(api, content, "POST", CONTAINER, note)
    assert response.status == 201, response.body
    assert _sidecar(content).endswith("\n\n  - quote: brown fox\n    note: A new note.\n# the end\n")


def test_post_creates_the_sidecar_when_there_is_none(api: AnnotationsApi, content: Path) -> None:
    (content / "small.annotations.yaml").unlink()
    assert _send(api, "GET", CONTAINER).header("ETag") == '"no-sidecar"'
    response = _write(api, content, "POST", CONTAINER, _note("quick"))
    assert response.status == 201, response.body
    text = _sidecar(content)
    assert text.startswith("# yaml-language-server: $schema=") and "  - quote: quick\n    note: A new note.\n" in text


def test_a_correction_with_sources_and_an_id(api: AnnotationsApi, content: Path) -> None:
    note = _note("A blockquote", "Why.", canonical="small.html#block", motivation="editing")
    note["body"] += [{"type": "TextualBody", "purpose": "editing", "format": "text/plain", "value": "A blokquote"},
                     {"type": "SpecificResource", "purpose": "linking",
                      "source": {"id": "https://example.org/b", "label": "A book"}},
                     {"type": "TextualBody", "purpose": "linking", "value": "A letter"}]
    response = _write(api, content, "POST", CONTAINER, note)
    assert response.status == 201, response.body
    assert response.header("Location") == CONTAINER + "block"
    assert _sidecar(content).endswith(
        "\n\n  - quote: A blockquote\n    kind: correction\n    original: A blokquote\n    note: Why.\n    id: block\n"
        "    sources:\n      - title: A book\n        url: https://example.org/b\n      - title: A letter\n# the end\n")


def test_put_replaces_the_fields_and_keeps_the_bytes_of_what_did_not_change(api: AnnotationsApi,
                                                                           content: Path) -> None:
    item = json.loads(_send(api, "GET", CONTAINER + "note-brown-fox-jumps").body)
    item["body"] = [{"type": "TextualBody", "purpose": "commenting", "format": "text/markdown", "value": "Edited."}]
    response = _write(api, content, "PUT", CONTAINER + "note-brown-fox-jumps", item)
    assert response.status == 200, response.body
    assert _sidecar(content) == SIDECAR.replace("A note with **bold**.", "Edited.")  # the quote's quoting kept

    item = json.loads(_send(api, "GET", CONTAINER + "lazy-dog").body)
    item["target"]["selector"] = [{"type": "TextQuoteSelector", "exact": "lazy dog"}]
    item["body"] = [b for b in item["body"] if b["type"] != "Choice"]  # no note: a correction may have none
    response = _write(api, content, "PUT", CONTAINER + "lazy-dog", item)
    assert response.status == 200, response.body
    assert _sidecar(content) == SIDECAR.replace("A note with **bold**.", "Edited.").replace(
        "  - quote: the lazy dog\n", "  - quote: lazy dog\n").replace('    note: "A doubled word removed."\n', "")


def test_delete_removes_one_annotation_and_nothing_else(api: AnnotationsApi, content: Path) -> None:
    response = _write(api, content, "DELETE", CONTAINER + "lazy-dog")
    assert response.status == 204 and response.body == b""
    assert _sidecar(content) == SIDECAR.replace(
        '  - quote: the lazy dog\n    kind: correction\n    original: the the lazy dog\n'
        '    note: "A doubled word removed."\n    id: lazy-dog\n\n', "")
    assert _write(api, content, "DELETE", CONTAINER + "lazy-dog").status == 404


@pytest.mark.parametrize(("headers", "status", "message"), [
    ({"authorization": None}, 401, "no valid token"),
    ({"authorization": "Bearer wrong"}, 401, "no valid token"),
    ({"authorization": None, "x_glossator_token": TOKEN}, 200, None),
    ({"host": f"evil.example:{PORT}"}, 403, "Host"),
    ({"host": "localhost:9999"}, 403, "Host"),
    ({"host": f"127.0.0.1:{PORT}", "origin": f"http://127.0.0.1:{PORT}"}, 200, None),
    ({"origin": "http://evil.example"}, 403, "Origin"),
    ({"origin": f"http://127.0.0.1:{PORT}"}, 403, "Origin"),  # another origin than the Host the page was sent from
])
def test_requests_not_from_a_served_page_are_refused(api: AnnotationsApi, headers: dict[str, str], status: int,
                                                      message: str | None) -> None:
    response = _send(api, "GET", CONTAINER, **headers)
    assert response.status == status
    if message:
        assert message in _problems(response)[0]


def test_hosts_allowed(content: Path) -> None:
    loopback = AnnotationsApi(content, TOKEN, "127.0.0.1", PORT)
    assert [loopback.allows_host(h) for h in (f"localhost:{PORT}", f"127.0.0.1:{PORT}", f"[::1]:{PORT}",
                                              f"192.168.1.5:{PORT}", f"rebound.example:{PORT}")] == [
        True, True, True, False, False]
    everywhere = AnnotationsApi(content, TOKEN, "0.0.0.0", PORT)  # a phone on the network: IP addresses, no names
    assert everywhere.allows_host(f"192.168.1.5:{PORT}") and not everywhere.allows_host(f"rebound.example:{PORT}")


@pytest.mark.parametrize(("headers", "status", "message"), [
    ({"content_type": "text/plain"}, 415, "Content-Type application/ld+json"),
    ({"content_type": "application/x-www-form-urlencoded"}, 415, "must be JSON"),
    ({"content_length": str(MAX_BODY + 1)}, 413, f"{MAX_BODY} at most"),
    ({"content_length": None}, 411, "Content-Length"),
    ({"if_match": None}, 428, "If-Match"),
    ({"if_match": '"sha256-0123"'}, 412, "changed on disk since the page was loaded; nothing was written"),
])
def test_bad_writes_are_refused_and_the_sidecar_is_untouched(api: AnnotationsApi, content: Path,
                                                             headers: dict[str, str], status: int, message: str) -> None:
    before = (content / "small.annotations.yaml").read_bytes()
    response = _write(api, content, "POST", CONTAINER, _note("quick"), **headers)
    assert response.status == status, response.body
    assert message in _problems(response)[0]
    assert (content / "small.annotations.yaml").read_bytes() == before


@pytest.mark.parametrize(("data", "status", "message"), [
    (b"{not json", 400, "request: the body is not JSON: Expecting property name"),
    ([1, 2], 400, "one W3C Web Annotation"),
    (_note("passage"), 422, '"passage" is in the article 2 times and the text around the selection does not tell'),
    (_note("in it. A blockquote"), 422, "crosses from one block into the next"),
    (_note("a purple cow"), 422, '"a purple cow" is not in the article'),
    ({**_note("quick"), "body": [{"type": "TextualBody", "purpose": "tagging", "value": "t"}]}, 422, "no tags"),
])
def test_requests_that_say_nothing_placeable_are_refused(api: AnnotationsApi, content: Path, data: Any, status: int,
                                                         message: str) -> None:
    before = (content / "small.annotations.yaml").read_bytes()
    response = _write(api, content, "POST", CONTAINER, data)
    assert response.status == status, response.body
    assert message in _problems(response)[0]
    assert (content / "small.annotations.yaml").read_bytes() == before


@pytest.mark.parametrize("fields", [
    {"id": "1-not-a-name"},
    {"id": "lazy-dog"},  # already used
    {"note": "See [this](javascript:alert(1))."},
    {"note": "   "},
])
def test_invalid_fields_get_the_message_check_prints(api: AnnotationsApi, content: Path, fields: dict[str, str]) -> None:
    note = _note("quick", fields.get("note", "A note."))
    if "id" in fields:
        note["canonical"] = f"small.html#{fields['id']}"
    before = _sidecar(content)
    response = _write(api, content, "POST", CONTAINER, note)
    assert response.status == 422, response.body
    assert _sidecar(content) == before
    # The same annotation written by hand: `check` says the same.
    by_hand = {"quote": "quick", **({"note": fields.get("note", "A note.")} if fields.get("note", "x").strip() else {}),
               **({"id": fields["id"]} if "id" in fields else {})}
    (content / "small.annotations.yaml").write_text(append_annotation(before, by_hand), encoding="utf-8")
    _, _, found = checked_articles(content)
    assert _problems(response) == [str(problem) for problem in sorted(found, key=lambda p: p.where)]
    assert found


def test_a_sidecar_changed_between_reading_and_saving_is_not_overwritten(content: Path) -> None:
    current = annotation_edits.read_article(content, "small")
    assert current is not None
    changed = SIDECAR.replace("In a list.", "Changed in an editor meanwhile.")
    (content / "small.annotations.yaml").write_text(changed, encoding="utf-8")
    outcome = annotation_edits.add(current, _note("quick"), current.etag)
    assert isinstance(outcome, annotation_edits.Refused) and outcome.status == 409
    assert "changed on disk since it was read; nothing was written" in outcome.problems[0]
    assert _sidecar(content) == changed


def test_unknown_articles_annotations_and_methods(api: AnnotationsApi, content: Path) -> None:
    assert _send(api, "GET", "/__glossator/annotations/nothing/").status == 404
    assert _send(api, "GET", "/__glossator/annotations/../small.md/").status == 404
    assert _send(api, "GET", CONTAINER + "note-none").status == 404
    refused = _write(api, content, "PUT", CONTAINER, _note("quick"))
    assert refused.status == 405 and refused.header("Allow") == "GET, POST"


def test_inject_gives_an_article_page_the_token_and_the_authoring_script() -> None:
    page = ('<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'sha256-x'\"></head><body></body></html>")
    served = inject(page, Authoring("tok-en_1", CONTAINER))
    assert '<meta name="glossator-token" content="tok-en_1">' in served
    assert f'<meta name="glossator-annotations" content="{CONTAINER}">' in served
    assert f'<link rel="stylesheet" href="{AUTHORING_STYLE}"><script src="{AUTHORING_SCRIPT}"></script></head>' in served
    assert "style-src &#x27;sha256-x&#x27; &#x27;self&#x27;" in served
    assert "glossator-token" not in inject(page)


@pytest.mark.parametrize(("policy", "expected"), [
    ("default-src 'none'", "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'"),
    ("default-src 'sha256-a'", "default-src 'sha256-a'; style-src 'sha256-a' 'self'; script-src 'self'; "
                               "connect-src 'self'"),
])
def test_allow_authoring_keeps_the_styles_the_policy_allowed(policy: str, expected: str) -> None:
    assert allow_authoring(policy) == expected


@pytest.fixture
def served(tmp_path: Path, content: Path, glossator: Callable[..., Run]) -> Iterator[tuple[int, str, Path]]:
    out = tmp_path / "site"
    assert glossator("build", "--content", content, "--out", out).code == 0
    http = make_server(out, "127.0.0.1", 0, Broadcast(), content=content)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    assert http.api is not None  # type: ignore[attr-defined]
    try:
        yield http.server_address[1], http.api.token, out  # type: ignore[attr-defined]
    finally:
        http.shutdown()
        http.server_close()
        thread.join()


def _http(port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
          ) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", body, headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_served_article_pages_carry_the_token_and_site_files_never_do(served: tuple[int, str, Path]) -> None:
    port, token, out = served
    status, page = _http(port, "GET", "/small.html")
    assert status == 200 and f'<meta name="glossator-token" content="{token}">'.encode() in page
    assert AUTHORING_SCRIPT.encode() in page
    assert b"glossator-token" not in _http(port, "GET", "/index.html")[1]  # not an article: nothing to annotate
    for file in out.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert token.encode() not in data and b"authoring.js" not in data and b"glossator-token" not in data
    assert _http(port, "GET", AUTHORING_SCRIPT)[0] == 200 and _http(port, "GET", AUTHORING_STYLE)[0] == 200


def test_the_api_through_the_server(served: tuple[int, str, Path], content: Path) -> None:
    port, token, _ = served
    status, body = _http(port, "GET", CONTAINER)
    assert status == 401 and b"no valid token" in body
    auth = {"Authorization": f"Bearer {token}"}
    status, _ = _http(port, "GET", CONTAINER, None, auth)
    assert status == 200
    note = json.dumps(_note("quick")).encode()
    status, body = _http(port, "POST", CONTAINER, note, {**auth, "Content-Type": "application/ld+json",
                                                         "If-Match": _etag(content)})
    assert status == 201, body
    assert "  - quote: quick\n" in _sidecar(content)
    huge = b" " * (MAX_BODY + 1)
    status, body = _http(port, "POST", CONTAINER, huge, {**auth, "Content-Type": "application/json",
                                                         "If-Match": _etag(content)})
    assert status == 413
    assert _http(port, "POST", "/small.html", note)[0] == 405


def test_a_selection_with_curly_quotes_and_a_repeat_told_apart_by_its_context(api: AnnotationsApi,
                                                                              content: Path) -> None:
    (content / "small.md").write_text(ARTICLE + "\nShe said “hello there” once.\n\nHe said “hello there” twice.\n",
                                      encoding="utf-8")
    # The page's text: curly marks as written, a paragraph's end and the next one's start apart by a line break.
    response = _write(api, content, "POST", CONTAINER, _note("“hello there”", prefix="once.\n\nHe said ",
                                                            suffix=" twice."))
    assert response.status == 201, response.body
    # The second one, with the marks as the article writes them; "said" is before both, "twice" after one.
    assert _sidecar(content).endswith('\n\n  - quote: “hello there”\n    suffix: " twice."\n    note: A new note.\n'
                                      "# the end\n")
