"""The offline copy: the pages and source texts in one ZIP file, the same bytes from every build.

The entries are stored, not deflated: compressed bytes depend on the zlib a machine has (zlib-ng differs), and the
committed site must match a build anywhere; text pages are small. So the archive is its files' bytes with a header
before each and a directory at the end: a build streams the pages it staged into it, one after another, and `watch`
keeps each file's checksum, so that a save puts it together again reading only the pages that changed.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping

from ..model import Archive, SiteFile, SiteWork, Staged, ZipEntries, size_of
from .pages import render_index

FOLDER = "offline"  # unzipping makes one folder, not a scatter of files in the reader's Downloads
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can hold; the clock would change the bytes
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # that moment as a ZIP header writes it
_FILE_MODE = 0o100644  # a regular file, rw-r--r--, whatever the umask of the machine that built it
_UNIX = 3
_VERSION = 20  # ZIP 2.0: what a stored file with these headers needs, as Python's zipfile writes it
_UTF8_NAME = 0x800
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
# zipfile writes the ZIP64 records from 65,535 entries, or once an offset passes 2 GiB: such archives are its own.
_LIMIT, _ZIP64_BYTES = 0xFFFF, zipfile.ZIP64_LIMIT


def package(files: Mapping[str, bytes], kept: ZipEntries | None = None) -> bytes:
    """Return a ZIP of the files under one folder: sorted, with fixed dates and permissions.

    `kept` holds the checksums of an earlier call's files, by name: a file given as the same bytes object is not
    read again."""
    archive = archive_of(files, kept)
    return archive if isinstance(archive, bytes) else b"".join(archive_chunks(archive))


def archive_of(files: Mapping[str, bytes | Staged], kept: ZipEntries | None = None) -> Archive | bytes:
    """Describe the ZIP of the files; its bytes, where it needs ZIP64."""
    headers = sum(_LOCAL.size + _CENTRAL.size + 2 * len(_path(name)) for name in files)
    if len(files) >= _LIMIT or headers + sum(size_of(data) for data in files.values()) >= _ZIP64_BYTES:
        return _package_zip64(files)
    entries = tuple((name, data, _crc(name, data, kept)) for name, data in sorted(files.items()))
    if kept is not None:
        kept.crcs = {name: (data, crc) for name, data, crc in entries if isinstance(data, bytes)}
    paths = [len(_path(name)) for name, _, _ in entries]
    size = sum(_LOCAL.size + _CENTRAL.size + 2 * length for length in paths) + _END.size
    return Archive(entries, size + sum(size_of(data) for _, data, _ in entries))


def archive_chunks(archive: Archive) -> Iterator[bytes]:
    """Yield the ZIP's bytes in order, each staged file read as it comes."""
    directory, offset = [], 0
    for name, data, crc in archive.entries:
        path, size = _path(name), size_of(data)
        flags = 0 if path.isascii() else _UTF8_NAME
        local = _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, zipfile.ZIP_STORED, _DOS_TIME, _DOS_DATE, crc, size,
                            size, len(path), 0)
        directory.append(_CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags, zipfile.ZIP_STORED,
                                       _DOS_TIME, _DOS_DATE, crc, size, size, len(path), 0, 0, 0, 0,
                                       _FILE_MODE << 16, offset) + path)
        yield local + path
        yield from _chunks(data)
        offset += len(local) + len(path) + size
    yield b"".join(directory)
    yield _END.pack(b"PK\x05\x06", 0, 0, len(directory), len(directory), sum(map(len, directory)), offset, 0)


def _path(name: str) -> bytes:
    return f"{FOLDER}/{name}".encode()


def _chunks(data: bytes | Staged) -> Iterator[bytes]:
    if isinstance(data, bytes):
        yield data
        return
    with open(data.path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def _crc(name: str, data: bytes | Staged, kept: ZipEntries | None) -> int:
    if isinstance(data, Staged):
        return data.crc  # reckoned as it was staged
    earlier = kept.crcs.get(name) if kept is not None else None
    if earlier is not None and earlier[0] is data:
        return earlier[1]
    return zlib.crc32(data)


def _package_zip64(files: Mapping[str, bytes | Staged]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{FOLDER}/{name}", date_time=_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = _UNIX
            info.external_attr = _FILE_MODE << 16
            archive.writestr(info, data if isinstance(data, bytes) else data.path.read_bytes())
    return buffer.getvalue()


def offline_copy(site: SiteWork, made: Mapping[str, SiteFile]) -> list[SiteFile]:
    """The files made so far and an index of their own, in one ZIP to download and read offline."""
    # The offline copy's index links neither the ZIP nor the feed: neither is inside it.
    files: dict[str, bytes | Staged] = {}
    for name, file in made.items():
        assert not isinstance(file.data, Archive), "one ZIP in a site"
        files[name] = file.data
    files["index.html"] = render_index(site, archive=None).encode("utf-8")
    return [SiteFile("offline.zip", archive_of(files, site.kept_zip), "the offline ZIP")]
