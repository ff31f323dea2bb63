"""Pictures: embedded in the page, they show offline and keep to the text's column, clear of the notes."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from glossator.cli import main
from tests.browser.harness import PageFactory, screenshot


def _png(width: int, height: int) -> bytes:
    """A grey picture of this size, as a PNG file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_a_wide_picture_shows_within_the_text_column_beside_its_note(page_at: PageFactory, tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "plan.png").write_bytes(_png(3000, 400))
    (content / "a.md").write_text("---\ntitle: The plan\n---\nThe council saw the new library plan.\n\n"
                                  "![The plan, from the east](plan.png)\n\nThe vote came after.\n", encoding="utf-8")
    (content / "a.annotations.yaml").write_text("annotations:\n  - quote: new library plan\n    note: Drawn in 2024.\n",
                                                encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "site")]) == 0
    page = page_at(1440, 900).goto(tmp_path / "site" / "a.html")  # offline: the page is all there is
    picture = page.eval_on_selector("img", "img => [img.naturalWidth, img.getBoundingClientRect().right]")
    column = page.eval_on_selector(".article-body p", "p => p.getBoundingClientRect().right")
    note = page.eval_on_selector(".sidenote", "note => note.getBoundingClientRect().left")
    screenshot(page, "picture-wide-1440x900", full_page=False)
    assert picture[0] == 3000  # loaded: the data: address holds the file
    assert picture[1] <= column + 0.5 < note
