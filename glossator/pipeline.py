"""The build, stage by stage: load -> validate -> anchor -> audit -> render -> write."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .anchor.place import anchor
from .check.audit import audit
from .check.validate import validate
from .load.config import CONFIG_NAME, load_config
from .load.content import load, load_layouts, read_compiled_layouts
from .problems import Problem
from .render.compiled_layouts import CompiledLayouts
from .render.page import render
from .write import save_compiled_layouts, write


@dataclass(frozen=True)
class Result:
    """What a build produced, or the problems that stopped it."""

    files: dict[str, bytes]
    problems: list[Problem]
    compiled_layouts: bytes | None = None  # layouts compiled anew, to keep for the next build
    articles: int = 0
    annotations: int = 0


def config_path(given: Path | None, content: Path) -> Path | None:
    """Use the named settings file, or glossator.yaml beside the content folder: a site needs none."""
    if given is not None:
        return given
    # Beside the content, not in the working folder: a project's settings go with its content.
    default = content.parent / CONFIG_NAME
    return default if default.is_file() else None


def check(content: Path, layouts: Path | None = None, *, config: Path | None = None,
          base_url: str | None = None) -> Result:
    """Run every stage but writing; the files are what a build would write."""
    site, problems = load_config(config, base_url=base_url)
    files, found = load(content)
    problems += found
    templates, layout_problems = load_layouts(layouts) if layouts else ({}, [])
    compiled = CompiledLayouts(read_compiled_layouts(layouts), frozenset(templates)) if layouts else None
    articles, found = validate(files)
    problems += layout_problems + found
    anchored, found = anchor(articles)
    problems += found + audit(anchored)
    if problems or layouts is None:
        return Result({}, problems)
    pages, problems = render(anchored, templates, layouts_name=str(layouts), site=site, compiled=compiled)
    return Result(pages, problems, compiled.to_keep() if compiled else None, len(anchored),
                  sum(len(a.anchors) for a in anchored))


def build(content: Path, layouts: Path, out: Path, *, config: Path | None = None,
          base_url: str | None = None) -> Result:
    """Build the site into `out`; leave `out` untouched if anything is wrong."""
    result = check(content, layouts, config=config, base_url=base_url)
    if result.problems:
        return result
    problems = write(result.files, out, inputs=build_inputs(content, layouts, config))
    if problems:
        return Result(result.files, problems)
    if result.compiled_layouts:
        save_compiled_layouts(layouts, result.compiled_layouts)
    return result


def build_inputs(content: Path, layouts: Path, config: Path | None) -> list[Path]:
    """The folders and the settings file a site is built from, which writing the site must never replace."""
    settings = config_path(config, content)
    return [content, layouts, *([settings] if settings else [])]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one build or rebuild, and restore it after."""
    # A build's objects (tokens, anchors, pages) live until it ends: the collector would only walk them again
    # and again as they pile up, a sixth of a long article's build, and free next to nothing (peak memory is
    # the same with it paused). `watch` pauses it only while it rebuilds: a long-lived process needs its garbage
    # collected.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
