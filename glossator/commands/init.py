"""`glossator init [DIR]`: start a new site from nothing, with one short example article to build on."""

from __future__ import annotations

import argparse
import os
import sys
from importlib import resources
from importlib.metadata import version
from pathlib import Path

from ..edit.sidecar import SCHEMA_COPY, SCHEMA_FILE
from ..problems import shorten
from .starting import write_new

EXIT_OK, EXIT_REFUSED = 0, 1
# The starter's files by where they go in the new site; a few are kept under other names in the package, since
# packaging tools pass over names that start with a dot.
_RENAMED = {"gitignore": ".gitignore", "github/workflows/pages.yml": ".github/workflows/pages.yml"}


def run(options: argparse.Namespace) -> int:
    """Write a new site into an empty folder; refuse a folder that holds anything."""
    folder: Path = options.folder
    held = sorted(entry.name for entry in folder.iterdir()) if folder.is_dir() else []
    if folder.exists() and not folder.is_dir():
        return _refuse(f"{folder} is a file, not a folder")
    if held:
        more = f" and {len(held) - 1} more" if len(held) > 1 else ""
        return _refuse(f"{folder} is not empty: it holds '{shorten(held[0])}'{more}; give a new or empty folder")
    files = starter_files()
    for name, data in sorted(files.items()):
        write_new(folder / name, data)
    print(f"glossator: started a site in {folder}/ with {len(files)} files. Next:\n"
          f"  cd {folder}\n  glossator serve      # see it at http://127.0.0.1:8000/, rebuilt at each save\n"
          "  glossator new SLUG   # add an article", file=sys.stderr)
    return EXIT_OK


def starter_files() -> dict[str, bytes]:
    """Return the new site's files by path: the starter, the schema editors check sidecars with, the pinned tool."""
    starter = resources.files(__package__).joinpath("starter")
    files: dict[str, bytes] = {}
    for parent, _, names in os.walk(str(starter)):
        for name in names:
            path = Path(parent, name)
            relative = path.relative_to(str(starter)).as_posix()
            files[_RENAMED.get(relative, relative)] = path.read_bytes()
    files[SCHEMA_COPY] = SCHEMA_FILE.read_bytes()
    # The Pages workflow installs the same Glossator that made the site.
    files["requirements.txt"] = f"glossator=={version('glossator')}\n".encode()
    return files


def _refuse(message: str) -> int:
    print(f"glossator: error: {message}; nothing was written", file=sys.stderr)
    return EXIT_REFUSED
