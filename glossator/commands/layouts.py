"""`glossator layouts [--copy] [NAME ...]`: list the theme's layouts, and copy them into the site to edit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..load.files import is_litter
from ..load.layouts import LAYOUTS_NAME, THEME, site_layouts
from .starting import write_new

EXIT_OK, EXIT_REFUSED = 0, 1


def run(options: argparse.Namespace) -> int:
    """List the theme's files and which the site replaces; with --copy, copy the named ones, never over a file."""
    theme = theme_files()
    own: Path = options.layouts or options.content.parent / LAYOUTS_NAME
    unknown = [name for name in options.names if name not in theme]
    if unknown:
        print(f"glossator: error: the theme has no layout '{unknown[0]}'; it has: {', '.join(theme)}", file=sys.stderr)
        return EXIT_REFUSED
    if not options.copy:
        folder = site_layouts(options.layouts, options.content)
        for name in options.names or theme:
            own_file = folder / name if folder is not None else None
            print(f"{name}  (replaced by {own_file})" if own_file and own_file.is_file() else name)
        return EXIT_OK
    return _copy(options.names or theme, own)


def theme_files() -> list[str]:
    """Name the theme's files, by their paths in it."""
    return sorted(path.relative_to(THEME).as_posix() for path in THEME.rglob("*")
                  if path.is_file() and not any(is_litter(part) for part in path.relative_to(THEME).parts))


def _copy(names: list[str], folder: Path) -> int:
    there = [name for name in names if (folder / name).exists()]
    if there:
        print(f"glossator: error: {folder / there[0]} already exists; edit it, or delete it to copy the theme's again;"
              " nothing was copied", file=sys.stderr)
        return EXIT_REFUSED
    for name in names:
        write_new(folder / name, (THEME / name).read_bytes())
    print(f"glossator: copied {', '.join(names)} into {folder}/; each replaces the theme's file of its name",
          file=sys.stderr)
    return EXIT_OK
