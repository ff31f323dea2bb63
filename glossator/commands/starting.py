"""What `init` and `new` share: a new file is written once, never over another."""

from __future__ import annotations

from pathlib import Path


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet; raise FileExistsError rather than write over one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        handle.write(data)
