"""Reading the layouts: the theme that comes with Glossator, each of its files replaced by the site's own, if any."""

from __future__ import annotations

from pathlib import Path

from ..model import LayoutFile
from ..problems import Problem, Where
from ..render.compiled_layouts import cache_file
from .files import is_litter, read_file

# The default theme, shipped inside the package (see pyproject.toml's package data).
THEME = Path(__file__).resolve().parent.parent / "theme"
LAYOUTS_NAME = "layouts"  # the folder beside the content folder that holds a site's own layouts


def site_layouts(given: Path | None, content: Path) -> Path | None:
    """Use the named layouts folder, or layouts/ beside the content folder when there is one: a site needs none."""
    if given is not None:
        return given
    default = content.parent / LAYOUTS_NAME
    return default if default.is_dir() else None


def load_layouts(layouts: Path | None) -> tuple[dict[str, LayoutFile], list[Problem]]:
    """Read the theme, then the site's layouts folder over it, file by file; editors' litter is left out."""
    if layouts is not None and not layouts.is_dir():
        return {}, [Problem(Where(str(layouts)), "layouts folder not found")]
    templates, problems = _read_folder(THEME, str(THEME))
    if layouts is not None:
        own, found = _read_folder(layouts, str(layouts))
        templates |= own
        problems += found
    return templates, problems


def _read_folder(folder: Path, shown: str) -> tuple[dict[str, LayoutFile], list[Problem]]:
    templates: dict[str, LayoutFile] = {}
    problems: list[Problem] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if any(is_litter(part) for part in name.split("/")):
            continue  # an editor's swap file is no layout, and often not even text
        text, found = read_file(path, f"{shown}/{name}")
        problems += found
        if text is not None:
            templates[name] = LayoutFile(text, f"{shown}/{name}")
    return templates, problems


def read_compiled_layouts(layouts: Path | None) -> bytes | None:
    """Read the layouts compiled by an earlier build, if any are kept (see compiled_layouts)."""
    try:
        return cache_file(layouts or THEME).read_bytes()
    except (OSError, RuntimeError):  # none kept, or no home folder to keep them in
        return None
