"""Publishing: links that work at any address and from disk, the feed, the sitemap, the offline ZIP, Pages."""

from __future__ import annotations

import datetime
import io
import os
import re
import stat
import threading
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit
from urllib.request import url2pathname, urlopen
from xml.etree import ElementTree

import pytest
import yaml

from .conftest import ARTICLE, LAYOUTS, REPO, SIDECAR, Run, tree

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

SOURCED = "---\ntitle: A sourced piece\ndate: 2023-11-16T09:30:00+02:00\nsummary: It has a source.\nsource: sourced.source.txt\n---\nThe text as received.\n"
FILES = {
    "small.md": ARTICLE,
    "small.annotations.yaml": SIDECAR,
    "sourced.md": SOURCED,
    "sourced.source.txt": "The text as received.\n",
    "undated.md": "---\ntitle: No date & no byline\n---\nA line.\n",
    "café.md": "---\ntitle: Café\ndate: 2020-02-02\n---\nA name that a URL must escape.\n",
}


# ---- building ---------------------------------------------------------------------------------


def _build(content: Callable[..., Path], glossator: Callable[..., Run], out: Path, *args: str | Path) -> Path:
    result = glossator("build", "--content", content(FILES), "--layouts", LAYOUTS, "--out", out, *args)
    assert result.code == 0, result.err
    return out


def _pages(site: Path) -> list[str]:
    """Every page a reader may land on: all HTML but the 404 page."""
    return sorted(name for name in tree(site) if name.endswith(".html") and name != "404.html")


# ---- reading links ----------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.links += [values[name] for name in ("href", "src") if name in values]
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "meta" and "content" in values:
            self.meta[values.get("property") or values.get("name", "")] = values["content"]
        if tag == "link" and values.get("rel") == "canonical":
            self.canonical = values["href"]


def _external(link: str) -> bool:
    return urlsplit(link).scheme in ("http", "https", "mailto")


def _check_links(start: str, fetch: Callable[[str], tuple[bytes, str]]) -> set[str]:
    """Follow every internal link from `start`; fetch(url) -> (bytes, url of the file) fails if nothing is there.

    Return the files reached. Fragments must name an id on the page they point into."""
    pages: dict[str, _Page] = {}
    fragments: list[tuple[str, str, str]] = []
    queue, seen = [start], set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        data, _ = fetch(url)
        if not url.endswith(".html"):
            continue
        page = pages[url] = _Page(data.decode("utf-8"))
        for link in page.links:
            if _external(link):
                continue
            # A browser sends 'café.html' as 'caf%C3%A9.html'; so do we.
            target, fragment = urldefrag(quote(urljoin(url, link), safe=":/?#[]@!$&'()*+,;=%"))
            queue.append(target)
            if fragment:
                fragments.append((url, target, unquote(fragment)))
    for source, target, fragment in fragments:
        assert fragment in pages[target].ids, f"{source} links to #{fragment}, not on {target}"
    return seen


class _Server(ThreadingHTTPServer):
    site: Path
    mount: str


class _Handler(BaseHTTPRequestHandler):
    """Serve site/ under a mount path, as GitHub Pages serves a project site; folders are never turned
    into their index.html, so a link that relied on that would fail; a missing file gets 404.html."""

    server: _Server

    def do_GET(self) -> None:  # http.server calls it by this name
        path = unquote(urlsplit(self.path).path)
        site = self.server.site
        file = site / path[len(self.server.mount) :] if path.startswith(self.server.mount) else None
        found = file is not None and file.resolve().is_relative_to(site.resolve()) and file.is_file()
        body = file.read_bytes() if found and file is not None else (site / "404.html").read_bytes()
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(params=["/REPO/", "/"], ids=["project-subpath", "domain-root"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[_Server]:
    """A server on 127.0.0.1, port 0, serving tmp_path/served at a project subpath or at the root."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.site, httpd.mount = tmp_path / "served", request.param
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _base(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{server.mount}"


def _http_get(url: str) -> tuple[bytes, str]:
    with urlopen(url, timeout=10) as response:
        assert response.status == 200, url
        return bytes(response.read()), url


def _file_get(root: Path) -> Callable[[str], tuple[bytes, str]]:
    def get(url: str) -> tuple[bytes, str]:
        parts = urlsplit(url)
        assert parts.scheme == "file", url
        path = Path(url2pathname(parts.path))
        assert path.resolve().is_relative_to(root.resolve()), f"{url} leads outside the site"
        assert path.is_file(), f"{url} is not a file (a link must name index.html, not a folder)"
        return path.read_bytes(), url

    return get


# ---- links --------------------------------------------------------------------------------------


def test_every_internal_link_resolves_over_http_at_a_subpath_or_the_root(
        server: _Server, content: Callable[..., Path], glossator: Callable[..., Run]) -> None:
    site = _build(content, glossator, server.site, "--base-url", _base(server).rstrip("/"))
    reached = _check_links(_base(server) + "index.html", _http_get)
    files = {unquote(urlsplit(url).path)[len(server.mount) :] for url in reached}
    assert files == set(tree(site)) - {"404.html", "sitemap.xml"}  # everything a reader can reach, reached


def test_every_internal_link_resolves_from_disk(content: Callable[..., Path], glossator: Callable[..., Run],
                                               tmp_path: Path) -> None:
    for args in ((), ("--base-url", "https://user.github.io/REPO/")):
        site = _build(content, glossator, tmp_path / f"site{len(args)}", *args)
        reached = _check_links((site / "index.html").as_uri(), _file_get(site))
        files = {Path(url2pathname(urlsplit(url).path)).relative_to(site).as_posix() for url in reached}
        assert files == set(tree(site)) - {"404.html", "sitemap.xml"}


def test_the_404_page_works_at_any_depth(server: _Server, content: Callable[..., Path],
                                         glossator: Callable[..., Run]) -> None:
    _build(content, glossator, server.site, "--base-url", _base(server))
    for missing in ("no-such-page.html", "a/b/c/deep.html", "folder/"):
        url = _base(server) + missing
        with pytest.raises(HTTPError) as error:
            urlopen(url, timeout=10)
        assert error.value.code == 404
        html = error.value.read().decode("utf-8")
        page = _Page(html)
        assert "<h1>Page not found</h1>" in html and page.links
        for link in page.links:
            target = urljoin(url, link)
            assert urlsplit(target).path.startswith(server.mount), link
            _http_get(target)


def test_without_a_base_url_the_404_page_links_from_the_root_and_nothing_absolute_is_written(
        content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    site = _build(content, glossator, tmp_path / "site")
    assert "feed.xml" not in tree(site) and "sitemap.xml" not in tree(site)
    assert _Page((site / "404.html").read_text("utf-8")).links == ["/index.html", "/index.html"]
    for name in _pages(site):
        html = (site / name).read_text("utf-8")
        page = _Page(html)
        assert page.canonical is None and not any(key.startswith(("og:", "twitter:")) for key in page.meta)
        assert "feed.xml" not in html


# ---- canonical links, Open Graph, feed, sitemap ---------------------------------------------------


def _canonical(base: str, name: str) -> str:
    return base.rstrip("/") + "/" + ("" if name == "index.html" else quote(name))


def test_canonical_links_and_cards_agree_with_the_base_url(server: _Server, content: Callable[..., Path],
                                                           glossator: Callable[..., Run]) -> None:
    site = _build(content, glossator, server.site, "--base-url", _base(server))
    for name in _pages(site):
        page = _Page((site / name).read_text("utf-8"))
        assert page.canonical == page.meta["og:url"] == _canonical(_base(server), name)
        assert page.meta["og:title"] == page.meta["twitter:title"]
        assert page.meta["twitter:card"] == "summary"
        data, _ = _http_get(page.canonical if name != "index.html" else page.canonical + "index.html")
        assert data == (site / name).read_bytes()  # the canonical address serves this very page
    sourced = _Page((site / "sourced.html").read_text("utf-8"))
    assert sourced.meta["og:description"] == sourced.meta["twitter:description"] == "It has a source."
    assert sourced.meta["og:type"] == "article" and sourced.meta["og:title"] == "A sourced piece"


def test_the_feed_is_well_formed_atom_dated_from_the_content(content: Callable[..., Path],
                                                             glossator: Callable[..., Run], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    base = "https://user.github.io/REPO"
    site = _build(content, glossator, tmp_path / "site", "--base-url", base + "/")
    feed = ElementTree.fromstring((site / "feed.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    for field in ("id", "title", "updated", "author/" + ATOM + "name"):
        assert (feed.findtext(ATOM + field) or "").strip(), field
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": base + "/feed.xml", "alternate": base + "/"}
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    updated = {}
    for entry in entries:
        for field in ("id", "title", "updated"):
            assert (entry.findtext(ATOM + field) or "").strip(), field
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href") == entry.findtext(f"{ATOM}id")
        updated[entry.findtext(f"{ATOM}title")] = entry.findtext(f"{ATOM}updated")
    for stamp in updated.values():
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp or ""), stamp
    assert updated == {"A small article": "2024-05-01T00:00:00Z", "A sourced piece": "2023-11-16T07:30:00Z",
                       "Café": "2020-02-02T00:00:00Z", "No date & no byline": "1970-01-01T00:00:00Z"}
    assert feed.findtext(f"{ATOM}updated") == "2024-05-01T00:00:00Z"  # the newest entry's, not the clock's
    hrefs = {entry.findtext(f"{ATOM}id") for entry in entries}
    assert hrefs == {_canonical(base, name) for name in _pages(site)} - {base + "/"}


def test_an_undated_entry_takes_source_date_epoch_and_a_bad_one_is_an_error(
        content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site = _build(content, glossator, tmp_path / "site", "--base-url", "https://example.org")
    feed = ElementTree.fromstring((site / "feed.xml").read_bytes())
    dates = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}updated") for e in feed.findall(f"{ATOM}entry")}
    assert dates["No date & no byline"] == "2023-11-14T22:13:20Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = glossator("check", "--content", content(FILES), "--layouts", LAYOUTS)
    assert result.code == 1
    assert result.errors == ["SOURCE_DATE_EPOCH:1:1: error: SOURCE_DATE_EPOCH is 'yesterday'; "
                             "it must be whole seconds since 1970, such as 1700000000"]


def test_the_sitemap_lists_every_page(content: Callable[..., Path], glossator: Callable[..., Run],
                                      tmp_path: Path) -> None:
    base = "https://example.org"
    site = _build(content, glossator, tmp_path / "site", "--base-url", base)
    urlset = ElementTree.fromstring((site / "sitemap.xml").read_bytes())
    assert urlset.tag == f"{SITEMAP}urlset"
    listed = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in urlset.findall(f"{SITEMAP}url")}
    assert set(listed) == {_canonical(base, name) for name in _pages(site)}
    assert base + "/caf%C3%A9.html" in listed
    assert listed[base + "/"] == "2024-05-01" and listed[base + "/undated.html"] is None
    assert listed[base + "/sourced.html"] == "2023-11-16T07:30:00Z"


def test_the_index_links_the_feed_only_with_a_base_url(content: Callable[..., Path], glossator: Callable[..., Run],
                                                       tmp_path: Path) -> None:
    site = _build(content, glossator, tmp_path / "site", "--base-url", "https://example.org")
    assert 'rel="alternate" type="application/atom+xml"' in (site / "index.html").read_text("utf-8")
    assert "feed.xml" not in (site / "small.html").read_text("utf-8")  # an article page is also in the ZIP


# ---- the offline copy ---------------------------------------------------------------------------


def test_the_offline_zip_holds_every_page_and_source_with_working_links(
        content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    site = _build(content, glossator, tmp_path / "site", "--base-url", "https://example.org")
    assert 'href="offline.zip"' in (site / "index.html").read_text("utf-8")
    with zipfile.ZipFile(site / "offline.zip") as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names)
        annotations = [n for n in tree(site) if n.endswith(".annotations.jsonld")]
        assert names == sorted(f"offline/{n}" for n in [*_pages(site), *annotations, "sourced.source.txt"])
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == stat.S_IFREG | 0o644
        archive.extractall(tmp_path / "unzipped")
    offline = tmp_path / "unzipped" / "offline"
    for name in [*_pages(site), "sourced.source.txt"]:
        if name != "index.html":
            assert (offline / name).read_bytes() == (site / name).read_bytes()
    index = (offline / "index.html").read_text("utf-8")
    assert "offline.zip" not in index and "feed.xml" not in index  # neither is in the copy
    reached = _check_links((offline / "index.html").as_uri(), _file_get(offline))
    assert len(reached) == len(tree(offline))


def test_every_output_is_byte_identical_from_build_to_build(content: Callable[..., Path],
                                                            glossator: Callable[..., Run], tmp_path: Path) -> None:
    first = _build(content, glossator, tmp_path / "one", "--base-url", "https://example.org")
    previous = os.umask(0o077)  # the ZIP's permissions must not follow the machine's
    try:
        second = _build(content, glossator, tmp_path / "two", "--base-url", "https://example.org")
    finally:
        os.umask(previous)
    assert tree(first) == tree(second)
    assert {"404.html", "feed.xml", "sitemap.xml", "offline.zip"} <= set(tree(first))


def test_the_index_says_how_big_the_zip_is(content: Callable[..., Path], glossator: Callable[..., Run],
                                           tmp_path: Path) -> None:
    site = _build(content, glossator, tmp_path / "site")
    size = (site / "offline.zip").stat().st_size
    assert f"a ZIP file of {round(size / 1000)} kB" in (site / "index.html").read_text("utf-8")
    assert zipfile.ZipFile(io.BytesIO((site / "offline.zip").read_bytes())).testzip() is None


# ---- settings -----------------------------------------------------------------------------------


def test_glossator_yaml_beside_the_content_sets_the_base_url_and_title(
        content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "glossator.yaml").write_text("title: The Margin\nbase_url: https://example.org/blog/\n")
    site = _build(content, glossator, tmp_path / "site")
    assert "<h1>The Margin</h1>" in (site / "index.html").read_text("utf-8")
    feed = ElementTree.fromstring((site / "feed.xml").read_bytes())
    assert feed.findtext(f"{ATOM}title") == "The Margin"
    assert feed.findtext(f"{ATOM}id") == "https://example.org/blog/"
    assert 'href="/blog/index.html"' in (site / "404.html").read_text("utf-8")
    site = _build(content, glossator, tmp_path / "other", "--base-url", "https://user.github.io/REPO")
    assert 'href="/REPO/index.html"' in (site / "404.html").read_text("utf-8")  # the command line wins


@pytest.mark.parametrize(("text", "error"), [
    ("base-url: https://example.org\n",
     "glossator.yaml:1:1: error: unknown key 'base-url': did you mean 'base_url'?"),
    ("title: x\nbase_url: ftp://example.org\n",
     "glossator.yaml:2:11: error: 'base_url' is not valid: 'ftp://example.org'; expected the address the site"),
    ("base_url: |\n  https://example.org/\n",
     "glossator.yaml:1:11: error: 'base_url' is not valid: 'https://example.org/\\n'; expected the address"),
    ("- base_url\n", "glossator.yaml:1:1: error: the settings must be a mapping of keys to values"),
    ("title: [\n", "glossator.yaml:1:"),
])
def test_bad_settings_are_errors_with_their_place(text: str, error: str, content: Callable[..., Path],
                                                  glossator: Callable[..., Run], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "glossator.yaml").write_text(text)
    content(FILES)
    monkeypatch.chdir(tmp_path)
    result = glossator("check", "--content", "content", "--layouts", LAYOUTS)
    assert result.code == 1
    assert len(result.errors) == 1 and result.errors[0].startswith(error), result.err


def test_an_empty_settings_file_is_the_defaults_and_a_missing_named_one_an_error(
        content: Callable[..., Path], glossator: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "glossator.yaml").write_text("# nothing set yet\n")
    assert glossator("check", "--content", content(FILES), "--layouts", LAYOUTS).code == 0
    result = glossator("check", "--content", content(FILES), "--layouts", LAYOUTS, "--config", tmp_path / "nope.yaml")
    assert result.code == 1 and result.errors[0].startswith(f"{tmp_path}/nope.yaml:1:1: error: cannot read file")
    assert glossator("build", "--base-url", "ftp://example.org").code == 2
    assert glossator("build", "--base-url", "https://example.org/?page=1").code == 2
    assert glossator("build", "--base-url", "https://example.org/\n").code == 2


# ---- GitHub Pages -------------------------------------------------------------------------------

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
OFFICIAL = {"actions/checkout@v7", "actions/setup-python@v7", "actions/configure-pages@v6",
            "actions/upload-pages-artifact@v5", "actions/deploy-pages@v5"}


def _workflow() -> dict[str, object]:
    data = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _steps(workflow: dict[str, object]) -> list[dict[str, object]]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    return [step for job in jobs.values() for step in job["steps"]]


def test_the_workflow_uses_only_the_official_pages_actions() -> None:
    workflow = _workflow()
    assert workflow[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}  # YAML 1.1 reads `on` as true
    used = {step["uses"] for step in _steps(workflow) if "uses" in step}
    assert used == OFFICIAL
    concurrency = workflow["concurrency"]
    assert isinstance(concurrency, dict) and concurrency["group"] and concurrency["cancel-in-progress"] is False


def test_the_workflow_grants_pages_and_id_token_write_and_nothing_broader() -> None:
    workflow = _workflow()
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    allowed = {("contents", "read"), ("pages", "read"), ("pages", "write"), ("id-token", "write")}
    grants = [workflow["permissions"], *(job.get("permissions") for job in jobs.values())]
    for grant in grants:
        assert isinstance(grant, dict), "every level names its permissions: no default, no write-all"
        assert set(grant.items()) <= allowed, grant
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert "write" not in jobs["build"]["permissions"].values()  # the job that runs code cannot publish
    deploy_uses = [step.get("uses") for step in jobs["deploy"]["steps"]]
    assert deploy_uses == ["actions/deploy-pages@v5"]  # the job that can publish runs nothing else


def test_the_workflow_runs_the_readme_quick_start_with_the_pages_base_url() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    quick_start = re.search(r"## Quick start\n\n```sh\n(.*?)```", readme, re.DOTALL)
    assert quick_start is not None and quick_start.group(1).splitlines() == ["make site", "make test"]
    steps = _steps(_workflow())
    runs = [step["run"] for step in steps if "run" in step]
    assert sorted(runs) == ["make site", "make test"]
    build = next(step for step in steps if step.get("run") == "make site")
    configure = next(step for step in steps if step.get("uses") == "actions/configure-pages@v6")
    assert build["env"] == {"BASE_URL": "${{ steps." + str(configure["id"]) + ".outputs.base_url }}"}
    assert steps.index(configure) < steps.index(build)
    upload = next(step for step in steps if step.get("uses") == "actions/upload-pages-artifact@v5")
    assert upload["with"] == {"path": "site"}
    makefile = (REPO / "Makefile").read_text("utf-8")
    assert '--base-url "$(BASE_URL)"' in makefile


def test_the_readme_says_how_to_turn_pages_on() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert "Settings → Pages" in readme and "GitHub Actions" in readme
    assert "https://USER.github.io/REPO/" in readme


def test_dates_never_come_from_the_clock(content: Callable[..., Path], glossator: Callable[..., Run],
                                         tmp_path: Path) -> None:
    site = _build(content, glossator, tmp_path / "site", "--base-url", "https://example.org")
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    for name, data in tree(site).items():
        assert today.encode() not in data, name
