"""Reading the layouts folder, and the layouts an earlier build compiled."""

from __future__ import annotations

from pathlib import Path

from ..problems import Problem, Where
from ..render.compiled_layouts import cache_file
from .files import is_litter, read_file


def load_layouts(layouts: Path) -> tuple[dict[str, str], list[Problem]]:
    """Read every layout file, keyed by its path relative to the layouts folder; editors' litter is left out."""
    if not layouts.is_dir():
        return {}, [Problem(Where(str(layouts)), "layouts folder not found")]
    templates: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(p for p in layouts.rglob("*") if p.is_file()):
        name = path.relative_to(layouts).as_posix()
        if any(is_litter(part) for part in name.split("/")):
            continue  # an editor's swap file is no layout, and often not even text
        text, found = read_file(path, str(path))
        problems += found
        if text is not None:
            templates[name] = text
    return templates, problems


def read_compiled_layouts(layouts: Path) -> bytes | None:
    """Read the layouts compiled by an earlier build, if any are kept (see compiled_layouts)."""
    try:
        return cache_file(layouts).read_bytes()
    except (OSError, RuntimeError):  # none kept, or no home folder to keep them in
        return None
