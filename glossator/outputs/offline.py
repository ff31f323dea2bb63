"""The offline copy: the pages and source texts in one ZIP file, the same bytes from every build.

The entries are stored, not deflated: compressed bytes depend on the zlib a machine has (zlib-ng differs), and the
committed site must match a build anywhere; text pages are small. So the archive is its files' bytes with a header
before each and a directory at the end, and `watch` keeps each file's checksum: a save puts the archive together
again from the pages it holds, reading again only the pages that changed.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Mapping

from ..model import SiteFile, SiteWork, ZipEntries
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
# Beyond 65,535 entries or 4 GiB a ZIP needs the ZIP64 records: zipfile writes those (a margin left for headers).
_LIMIT, _ZIP64_BYTES = 0xFFFF, 0xF000_0000


def package(files: Mapping[str, bytes], kept: ZipEntries | None = None) -> bytes:
    """Return a ZIP of the files under one folder: sorted, with fixed dates and permissions.

    `kept` holds the checksums of an earlier call's files, by name: a file given as the same bytes object is not
    read again."""
    if len(files) >= _LIMIT or sum(map(len, files.values())) >= _ZIP64_BYTES:
        return _package_zip64(files)
    parts, directory, offset = [], [], 0
    crcs = {}
    for name, data in sorted(files.items()):
        crc = _crc(name, data, kept)
        crcs[name] = (data, crc)
        path = f"{FOLDER}/{name}".encode()
        flags = 0 if path.isascii() else _UTF8_NAME
        local = _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, zipfile.ZIP_STORED, _DOS_TIME, _DOS_DATE, crc,
                            len(data), len(data), len(path), 0)
        directory.append(_CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags, zipfile.ZIP_STORED,
                                       _DOS_TIME, _DOS_DATE, crc, len(data), len(data), len(path), 0, 0, 0, 0,
                                       _FILE_MODE << 16, offset) + path)
        parts += [local, path, data]
        offset += len(local) + len(path) + len(data)
    if kept is not None:
        kept.crcs = crcs
    size = sum(map(len, directory))
    end = _END.pack(b"PK\x05\x06", 0, 0, len(directory), len(directory), size, offset, 0)
    return b"".join([*parts, *directory, end])


def _crc(name: str, data: bytes, kept: ZipEntries | None) -> int:
    earlier = kept.crcs.get(name) if kept is not None else None
    if earlier is not None and earlier[0] is data:
        return earlier[1]
    return zlib.crc32(data)


def _package_zip64(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{FOLDER}/{name}", date_time=_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = _UNIX
            info.external_attr = _FILE_MODE << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def offline_copy(site: SiteWork, made: Mapping[str, SiteFile]) -> list[SiteFile]:
    """The files made so far and an index of their own, in one ZIP to download and read offline."""
    # The offline copy's index links neither the ZIP nor the feed: neither is inside it.
    files = {name: file.data for name, file in made.items()}
    files["index.html"] = render_index(site, archive=None).encode("utf-8")
    return [SiteFile("offline.zip", package(files, site.kept_zip), "the offline ZIP")]
