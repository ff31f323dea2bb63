"""The offline copy: the pages and source texts in one ZIP file, the same bytes from every build."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from ..model import SiteFile, SiteWork
from .pages import render_index

FOLDER = "offline"  # unzipping makes one folder, not a scatter of files in the reader's Downloads
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can hold; the clock would change the bytes
_FILE_MODE = 0o100644  # a regular file, rw-r--r--, whatever the umask of the machine that built it
_UNIX = 3


def package(files: Mapping[str, bytes]) -> bytes:
    """Return a ZIP of the files under one folder: sorted, with fixed dates and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{FOLDER}/{name}", date_time=_TIMESTAMP)
            # Stored, not deflated: compressed bytes depend on the zlib a machine has (zlib-ng
            # differs), and the committed site must match a build anywhere. Text pages are small.
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
    return [SiteFile("offline.zip", package(files), "the offline ZIP")]

