"""The EPUB 3 edition: EPUBCheck finds nothing to say about it, notes are footnotes e-readers pop up, and its bytes
are the same on every run."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import uuid
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest

from glossator.load.config import Site
from glossator.outputs.epub import epub_environment, epub_of
from glossator.pipeline import checked_articles

from .conftest import LAYOUTS, REPO, Run

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
_NO_SITE = Site()
INSTALL_HINT = "run `bash scripts/install-test-deps.sh` as root to install it (Debian's epubcheck)"


def _png(width: int, height: int) -> bytes:
    """A grey picture of this size, as a PNG file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _epubcheck_command() -> list[str]:
    """EPUBCheck as Debian installs it: /usr/bin/epubcheck is the jar itself, run by java."""
    found = shutil.which("epubcheck")
    if found is None:
        pytest.fail(f"epubcheck not found; {INSTALL_HINT}", pytrace=False)
    real = os.path.realpath(found)
    return ["java", "-jar", real] if real.endswith(".jar") else [real]


def epubcheck(book: Path) -> list[str]:
    """Every fatal error, error and warning EPUBCheck reports on the book, as 'SEVERITY ID: message (where)'."""
    report = book.with_suffix(".epubcheck.json")
    subprocess.run([*_epubcheck_command(), str(book), "--json", str(report)], capture_output=True, check=False,
                   timeout=300)
    messages = json.loads(report.read_text("utf-8"))["messages"]
    return [f"{m['severity']} {m['ID']}: {m['message']} ({m['locations'][:1]})" for m in messages
            if m["severity"] in ("FATAL", "ERROR", "WARNING")]


def _book(folder: Path, site: Site = _NO_SITE) -> bytes:
    works, _, problems = checked_articles(folder)
    assert problems == [] and works[0].anchored is not None
    return epub_of(works[0].anchored, site, epub_environment())


def _parts(data: bytes, tmp_path: Path) -> tuple[zipfile.ZipFile, ElementTree.Element, ElementTree.Element]:
    book = tmp_path / "book.epub"
    book.write_bytes(data)
    archive = zipfile.ZipFile(book)
    text = ElementTree.fromstring(archive.read("EPUB/text.xhtml"))
    package = ElementTree.fromstring(archive.read("EPUB/package.opf"))
    return archive, text, package


def test_the_sample_article_s_epub_passes_epubcheck(tmp_path: Path) -> None:
    data = _book(REPO / "content", Site(base_url="https://example.org/repo/"))
    assert data == _book(REPO / "content", Site(base_url="https://example.org/repo/"))  # byte for byte
    book = tmp_path / "sample.epub"
    book.write_bytes(data)
    assert epubcheck(book) == []


def test_an_epub_with_a_picture_passes_epubcheck(content: Callable[..., Path], tmp_path: Path) -> None:
    folder = content({"plan.md": "---\ntitle: The plan\nlang: en\n---\nThe council saw the new plan.\n\n"
                                 "![The plan, from the east](drawings/plan.png \"Plan\")\n\nThe vote came after.\n",
                      "plan.annotations.yaml": "annotations:\n  - quote: new plan\n    note: Drawn in 2024.\n"})
    (folder / "drawings").mkdir()
    (folder / "drawings" / "plan.png").write_bytes(_png(300, 200))
    data = _book(folder)
    archive, text, package = _parts(data, tmp_path)
    assert archive.read("EPUB/images/picture-1.png") == _png(300, 200)
    picture = text.find(".//x:img", NS)
    assert picture is not None and picture.get("src") == "images/picture-1.png"
    assert picture.get("alt") == "The plan, from the east" and picture.get("title") == "Plan"
    items = {item.get("href"): item.get("media-type") for item in package.iterfind(".//opf:item", NS)}
    assert items["images/picture-1.png"] == "image/png"
    book = tmp_path / "plan.epub"
    book.write_bytes(data)
    assert epubcheck(book) == []


def test_the_zip_opens_with_its_mimetype_and_never_dates_by_the_clock(tmp_path: Path) -> None:
    archive, _, _ = _parts(_book(REPO / "content"), tmp_path)
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and not first.extra
    assert archive.read("mimetype") == b"application/epub+zip"
    names = [info.filename for info in archive.infolist()[1:]]
    assert names == sorted(names)
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_notes_are_footnotes_and_corrections_show_both_wordings(content: Callable[..., Path], tmp_path: Path) -> None:
    _, text, _ = _parts(_book(content()), tmp_path)  # conftest's small article: two notes and a correction
    refs = [a for a in text.iterfind(".//x:a", NS) if a.get(EPUB_TYPE) == "noteref"]
    notes = [aside for aside in text.iterfind(".//x:aside", NS) if aside.get(EPUB_TYPE) == "footnote"]
    assert [a.text for a in refs] == ["1", "†", "2"]
    assert [a.get("href") for a in refs] == [f"#{aside.get('id')}" for aside in notes]
    correction = "".join(notes[1].itertext())
    assert "Received: the the lazy dog" in correction and "Printed: the lazy dog" in correction
    assert "A doubled word removed." in correction
    deleted = notes[1].find(".//x:del", NS)
    assert deleted is not None and deleted.text == "the "
    # Each footnote leads back to its passage, for readers that show notes in place of a pop-up.
    assert notes[0].find(".//x:a", NS).get("href") == "#ref-" + notes[0].get("id")  # type: ignore[union-attr]
    bold = notes[0].find(".//x:strong", NS)
    assert bold is not None and bold.text == "bold"


def test_the_header_holds_the_editor_s_note_and_the_package_the_metadata(tmp_path: Path) -> None:
    site = Site(base_url="https://example.org/repo/")
    _, text, package = _parts(_book(REPO / "content", site), tmp_path)
    header = "".join(text.find(".//x:header", NS).itertext())  # type: ignore[union-attr]
    assert "Editor’s note: The text we received is a machine paraphrase" in header
    assert "12 context notes (numbered) and 10 corrections (marked †)" in header
    metadata = package.find("opf:metadata", NS)
    assert metadata is not None
    expected = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/repo/blinken-us-china-relationship.html")
    assert metadata.findtext("dc:identifier", namespaces=NS) == f"urn:uuid:{expected}"
    assert metadata.findtext("dc:creator", namespaces=NS) == "Faris Tanyos"
    assert metadata.findtext("dc:date", namespaces=NS) == "2023-11-16"
    assert metadata.findtext("dc:language", namespaces=NS) == "en"
    modified = metadata.find("opf:meta[@property='dcterms:modified']", NS)
    assert modified is not None and modified.text == "2023-11-16T00:00:00Z"
    sources = [a.get("href") for a in text.iterfind(".//x:aside//x:a", NS) if a.get("href", "").startswith("http")]
    assert "https://www.ktsa.com/blinken-says-u-s-and-china-have-consequential-relationship/" in sources


def test_glossator_epub_writes_one_book_per_article(content: Callable[..., Path], glossator: Callable[..., Run],
                                                  tmp_path: Path) -> None:
    folder = content()
    result = glossator("epub", "--content", folder, "--out", tmp_path / "books")
    assert result.code == 0, result.err
    assert sorted(os.listdir(tmp_path / "books")) == ["small.epub"]
    assert result.err == f"glossator: wrote 1 e-book into {tmp_path / 'books'}/\n"
    missing = glossator("epub", "nope", "--content", folder, "--out", tmp_path / "books")
    assert missing.code == 1
    assert missing.errors == [f"nope:1:1: error: no article 'nope' in {folder}/ (its articles: small)"]


def test_epub_true_adds_the_books_to_the_site_and_the_offline_zip(content: Callable[..., Path],
                                                                 glossator: Callable[..., Run], tmp_path: Path) -> None:
    folder = content()
    (tmp_path / "glossator.yaml").write_text("epub: true\n", encoding="utf-8")
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", tmp_path / "site")
    assert result.code == 0, result.err
    assert (tmp_path / "site" / "small.epub").read_bytes() == _book(folder)
    assert 'href="small.epub" type="application/epub+zip"' in (tmp_path / "site" / "small.html").read_text("utf-8")
    with zipfile.ZipFile(tmp_path / "site" / "offline.zip") as archive:
        assert archive.read("offline/small.epub") == _book(folder)
    (tmp_path / "glossator.yaml").write_text("epub: yes please\n", encoding="utf-8")
    assert glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", tmp_path / "site").code == 1
