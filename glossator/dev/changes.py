"""What a changed file makes stale: pure decisions, tested with a table, that the rebuild acts on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from ..load.content import SIDECAR_SUFFIX
from ..load.files import is_litter

Root = Literal["content", "layouts", "config"]
@dataclass(frozen=True)
class Stale:
    """What a changed file affects: one article, whatever cites or shows a file, every page, or the settings."""

    kind: Literal["article", "source", "layout", "config"]
    slug: str | None = None


def detect_change(path: PurePosixPath, root: Root) -> Stale | None:
    """Return what a change to `path`, relative to its root folder, makes stale; None if nothing."""
    if not path.parts or any(is_litter(part) for part in path.parts):
        return None
    if root != "content":
        return Stale("config" if root == "config" else "layout")
    name = path.name
    if len(path.parts) == 1 and name.endswith(SIDECAR_SUFFIX):
        return Stale("article", name[: -len(SIDECAR_SUFFIX)])
    if len(path.parts) == 1 and name.endswith(".md"):
        return Stale("article", name[: -len(".md")])
    return Stale("source")  # any other file may be the received text an article names, or a picture it shows


def locate(path: Path, content: Path, layouts: tuple[Path, ...], config: Path) -> tuple[PurePosixPath, Root] | None:
    """Return a changed absolute path relative to the folder it belongs to, and which folder that is; `layouts` are
    the theme's folder and the site's own."""
    if path == config:
        return PurePosixPath(path.name), "config"
    for folder, root in ((*((folder, "layouts") for folder in layouts), (content, "content"))):
        if path.is_relative_to(folder) and path != folder:
            return PurePosixPath(path.relative_to(folder).as_posix()), root  # type: ignore[return-value]
    return None


