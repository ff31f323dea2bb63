"""The annotations API of `serve`, modelled on the W3C Web Annotation Protocol: a container per article.

    GET    /__glossator/annotations/SLUG/        the article's annotations, an AnnotationCollection (ETag)
    POST   /__glossator/annotations/SLUG/        add one (If-Match) -> 201, Location: its IRI
    GET    /__glossator/annotations/SLUG/ID      one annotation, ID being its id on the page
    PUT    /__glossator/annotations/SLUG/ID      replace it (If-Match)
    DELETE /__glossator/annotations/SLUG/ID      remove it (If-Match)

Every request carries the run's token and comes from the served address; see `gate`. Requests are handled here
as plain data, without a socket: serve.py reads the request and writes the response."""

from __future__ import annotations

import hmac
import ipaddress
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ..load.content import article_paths
from ..model import AnchoredArticle, Site
from ..outputs.web_annotation import collection_of, serialise
from ..render.markdown import standalone_note_parser
from . import annotation_edits as edits

ROOT = "/__glossator/annotations/"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
JSON_TYPES = ("application/json", "application/ld+json")
MAX_BODY = 64 * 1024  # an annotation is a few hundred bytes; a long note with sources, a few thousand
_CONTAINER_METHODS = "GET, POST"
_ITEM_METHODS = "GET, PUT, DELETE"
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_WILDCARDS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class Request:
    """An HTTP request as the API sees it: header names in lower case, the body read (empty if too long)."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    """An HTTP response: status, headers, body."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """Return the value of a header, or None."""
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


@dataclass(frozen=True)
class AnnotationsApi:
    """The API over one content folder, for a server at `host`:`port`, with the run's secret token."""

    content: Path
    token: str
    host: str
    port: int
    # One edit at a time: two pages saving at once each read and check the sidecar before the other writes it.
    _writing: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def handle(self, request: Request) -> Response:
        """Answer one request of the API."""
        refused = self.gate(request)
        if refused is not None:
            return refused
        if request.method in ("POST", "PUT", "DELETE"):
            with self._writing:
                return self._routed(request)
        return self._routed(request)

    def _routed(self, request: Request) -> Response:
        slug, _, key = unquote(urlsplit(request.path).path).removeprefix(ROOT).partition("/")
        current = edits.read_article(self.content, slug) if slug and "/" not in key else None
        if current is None:
            return problems(404, [f"no article '{slug}' in {self.content}/"])
        if not key:
            return self._container(request, current)
        return self._item(request, current, key)

    def gate(self, request: Request) -> Response | None:
        """Refuse a request that does not come from a page this server sent, or whose body cannot be read."""
        headers = request.headers
        if not self.allows_host(headers.get("host", "")):
            return problems(403, ["request: the Host header is not the address this server serves"])
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{headers.get('host', '')}":
            return problems(403, ["request: the Origin is not this server's: the API answers its own pages only"])
        if not hmac.compare_digest(_token_of(headers).encode(), self.token.encode()):
            return Response(401, (("WWW-Authenticate", 'Bearer realm="glossator"'),
                                  *_json_headers()), _problems_body(["request: no valid token: send the one the served "
                                                                     "page carries in 'Authorization: Bearer ...'"]))
        if request.method not in ("POST", "PUT"):
            return None
        kind = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind not in JSON_TYPES:
            return problems(415, ["request: the body must be JSON: Content-Type application/ld+json or "
                                  "application/json"])
        length = headers.get("content-length")
        if length is None or not length.isdigit():
            return problems(411, ["request: the Content-Length header is missing"])
        if int(length) > MAX_BODY:
            return problems(413, [f"request: the body is {length} bytes; an annotation may have {MAX_BODY} at most"])
        return None

    def allows_host(self, host: str) -> bool:
        """Tell whether a Host header names this server: a loopback name, the address it listens on, or, when it
        listens on every address, an IP address (never a domain name, which could point anywhere)."""
        name, _, port = host.rpartition(":")
        if port != str(self.port):
            return False
        bound = f"[{self.host}]" if ":" in self.host else self.host
        if name in _LOOPBACK_NAMES or name == bound:
            return True
        return self.host in _WILDCARDS and _is_ip(name.removeprefix("[").removesuffix("]"))

    def has_article(self, slug: str) -> bool:
        """Tell whether the content folder has the article SLUG.md."""
        return any(path.name == f"{slug}.md" for path in article_paths(self.content))

    def container_of(self, slug: str) -> str:
        """Return the path of an article's annotation container."""
        return f"{ROOT}{quote(slug)}/"

    def _container(self, request: Request, current: edits.Current) -> Response:
        if request.method == "GET":
            return self._collection(current)
        if request.method != "POST":
            return _not_allowed(_CONTAINER_METHODS)
        body, if_match = _json(request), _if_match(request)
        if isinstance(if_match, Response):
            return if_match
        if isinstance(body, Response):
            return body
        return self._saved(edits.add(current, body, if_match), current, 201)

    def _item(self, request: Request, current: edits.Current, key: str) -> Response:
        found = edits.find_anchor(current, key)
        if found is None:
            return problems(404, [f"no annotation '{key}' in {current.work.path.name}'s sidecar, or it is not placed"])
        if request.method == "GET":
            assert current.anchored is not None  # the annotation was found on it
            location = self.container_of(current.anchored.article.slug) + quote(key)
            item = next(i for i in self._items(current.anchored) if i["id"] == location)
            return _ld(200, item, current.etag, "Resource")
        if request.method not in ("PUT", "DELETE"):
            return _not_allowed(_ITEM_METHODS)
        if_match = _if_match(request)
        if isinstance(if_match, Response):
            return if_match
        if request.method == "DELETE":
            return self._saved(edits.delete(current, key, if_match), current, 204)
        body = _json(request)
        if isinstance(body, Response):
            return body
        return self._saved(edits.replace(current, key, body, if_match), current, 200)

    def _saved(self, outcome: edits.Saved | edits.Refused, current: edits.Current, status: int) -> Response:
        if isinstance(outcome, edits.Refused):
            return problems(outcome.status, list(outcome.problems))
        anchored = outcome.work.anchored
        if outcome.html_id is None or anchored is None:
            return Response(204, (("ETag", _etag(outcome.etag)),))
        location = self.container_of(anchored.article.slug) + quote(outcome.html_id)
        item = next(i for i in self._items(anchored) if i["id"] == location)
        response = _ld(status, item, outcome.etag, "Resource")
        return Response(status, (*response.headers, ("Location", location)), response.body)

    def _collection(self, current: edits.Current) -> Response:
        anchored = current.anchored
        if anchored is None:  # a body that cannot be parsed: there is no text to stand in
            return problems(422, [str(p) for p in current.work.problems])
        return _ld(200, self._collection_of(anchored), current.etag, "BasicContainer")

    def _items(self, anchored: AnchoredArticle) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._collection_of(anchored).get("first", {}).get("items", [])
        return items

    def _collection_of(self, anchored: AnchoredArticle) -> dict[str, Any]:
        """The article's annotations as the site's collection has them, each with its IRI in the container; one
        named in the sidecar by an `id` also has its canonical address, the note's on the page."""
        collection = collection_of(anchored, Site(), standalone_note_parser().render)
        container = self.container_of(anchored.article.slug)
        collection["id"] = container
        if "first" in collection:
            collection["first"]["id"] = f"{container}?page=0"
            for item, anchor in zip(collection["first"]["items"], anchored.anchors, strict=True):
                page_address = item["id"]
                item["id"] = container + quote(anchor.html_id)
                if anchor.annotation.id is not None:
                    item["canonical"] = page_address
        return collection


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _token_of(headers: Mapping[str, str]) -> str:
    bearer = headers.get("authorization", "")
    if bearer[:7].lower() == "bearer ":
        return bearer[7:].strip()
    return headers.get("x-glossator-token", "").strip()


def _if_match(request: Request) -> str | Response:
    """Return the fingerprint the If-Match header names ('' for no sidecar yet), or the refusal of an edit without."""
    value = request.headers.get("if-match")
    if value is None:
        return problems(428, ["request: send If-Match with the ETag the annotations were read with, so that an "
                              "edit never overwrites another made since"])
    value = value.strip().removeprefix("W/").strip('"')
    return "" if value == "no-sidecar" else value.removeprefix("sha256-")


def _etag(fingerprint: str) -> str:
    return f'"sha256-{fingerprint}"' if fingerprint else '"no-sidecar"'


def _json(request: Request) -> Any:
    try:
        return json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        return problems(400, ["request: the body is not UTF-8"])
    except json.JSONDecodeError as error:
        return problems(400, [f"request: the body is not JSON: {error.msg} (line {error.lineno}, column "
                              f"{error.colno})"])


def _ld(status: int, data: dict[str, Any], fingerprint: str, kind: str) -> Response:
    return Response(status, (("Content-Type", MEDIA_TYPE), ("ETag", _etag(fingerprint)),
                             ("Link", f'<http://www.w3.org/ns/ldp#{kind}>; rel="type"')), serialise(data))


def _not_allowed(methods: str) -> Response:
    return Response(405, (("Allow", methods), *_json_headers()), _problems_body([f"request: use {methods}"]))


def problems(status: int, found: list[str]) -> Response:
    """Answer with a status and the problems, as `check` prints them, in JSON."""
    return Response(status, _json_headers(), _problems_body(found))


def _json_headers() -> tuple[tuple[str, str], ...]:
    return (("Content-Type", "application/json; charset=utf-8"),)


def _problems_body(found: list[str]) -> bytes:
    return serialise({"problems": found})
