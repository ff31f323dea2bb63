"""The part of `serve`'s request handler that answers the annotations API and gives article pages the authoring mode."""

from __future__ import annotations

from http.server import SimpleHTTPRequestHandler
from pathlib import Path

from .annotations_api import MAX_BODY, ROOT, AnnotationsApi, Request, Response
from .authoring import Authoring


class AuthoringHandler(SimpleHTTPRequestHandler):
    """Route the API's requests to it; say how an article page is served, with what `inject` adds."""

    @property
    def api(self) -> AnnotationsApi | None:
        """The annotations API, when the server has a content folder to write annotations into."""
        api = getattr(self.server, "api", None)
        return api if isinstance(api, AnnotationsApi) else None

    def do_POST(self) -> None:
        self._write_api()

    def do_PUT(self) -> None:
        self._write_api()

    def do_DELETE(self) -> None:
        self._write_api()

    def _write_api(self) -> None:
        if self.path.startswith(ROOT) and self.api is not None:
            self.answer_api()
        else:
            self.send_error(405, "only the annotations API takes " + self.command)

    def answer_api(self) -> None:
        """Hand the request to the annotations API; a body over its limit is not even read."""
        assert self.api is not None
        headers = {name.lower(): value for name, value in self.headers.items()}
        length = headers.get("content-length", "0")
        readable = length.isdigit() and int(length) <= MAX_BODY
        body = self.rfile.read(int(length)) if readable else b""
        response = self.api.handle(Request(self.command, self.path, headers, body))
        if not readable:
            self.close_connection = True  # the unread body is still on its way
        self._respond(response)

    def _respond(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(response.body)

    def authoring_of(self, page: Path) -> Authoring | None:
        """What a page gets for the authoring mode: something if it is an article's page and there is an API."""
        api = self.api
        slug = page.name.removesuffix(".html")
        if api is None or page.parent.resolve() != Path(self.directory).resolve() or not api.has_article(slug):
            return None
        return Authoring(api.token, api.container_of(slug))
