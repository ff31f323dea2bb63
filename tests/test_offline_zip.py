"""The offline ZIP: the bytes Python's zipfile writes for the same files, and a save reads only what changed."""

from __future__ import annotations

import io
import zipfile

import pytest

from glossator.model import ZipEntries
from glossator.outputs import offline


def _zipfile_bytes(files: dict[str, bytes]) -> bytes:
    """The same files written by zipfile itself, stored, with the build's fixed date and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"offline/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


FILES = {"index.html": b"<p>index</p>", "a.html": b"<p>a</p>" * 500, "caf\u00e9.source.txt": "caf\u00e9\n".encode(),
         "empty.txt": b""}


def test_the_archive_is_the_one_zipfile_writes_and_reads_back_whole() -> None:
    data = offline.package(FILES)
    assert data == _zipfile_bytes(FILES)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert {info.filename: archive.read(info) for info in archive.infolist()} == {
            f"offline/{name}": body for name, body in FILES.items()}


def test_a_rebuild_reads_again_only_the_files_that_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = ZipEntries()
    files = dict(FILES)
    offline.package(files, kept)
    read: list[bytes] = []
    crc32 = offline.zlib.crc32
    monkeypatch.setattr(offline.zlib, "crc32", lambda data: read.append(data) or crc32(data))
    files["a.html"] = b"<p>a, edited</p>"
    again = offline.package(files, kept)
    assert read == [b"<p>a, edited</p>"]  # the other pages are the same bytes: their checksums are kept
    assert again == _zipfile_bytes(files)
