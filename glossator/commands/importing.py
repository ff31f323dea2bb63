"""`glossator import FILE --article SLUG`: add the annotations of a Hypothesis export or a W3C Web Annotation file to
an article's sidecar, each placed on its text, every byte already there kept; list each one left out and why.

(The module is not named `import`, a Python keyword; the command line maps the command to it.)
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..check.audit import audit_article
from ..edit.import_plan import ImportPlan, Left, plan_import
from ..edit.sidecar import new_sidecar, read_sidecar, save_sidecar
from ..load.content import sidecar_of
from ..load.files import display
from ..model import ArticleWork
from ..outputs.web_annotation_read import annotations_from_jsonld
from ..pipeline import collector_paused
from ..problems import Problem, Where, shorten, summary
from ..stages import Context, run_stages

EXIT_OK, EXIT_LEFT, EXIT_USAGE = 0, 1, 2
_STEP = re.compile(r"\.?([A-Za-z_@]*)(?:\[(\d+)\])?")


@dataclass(frozen=True)
class Streams:
    """Where the command prints: the diff of a dry run, and its reports."""

    out: TextIO
    err: TextIO


def run(options: argparse.Namespace) -> int:
    """Run `glossator import` from the command line's options."""
    with collector_paused():
        return import_command(options.file, options.article, options.content, partial=options.partial,
                              dry_run=options.dry_run)


def import_command(file: Path, slug: str, content: Path, *, partial: bool = False, dry_run: bool = False,
                   out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Import the annotations of `file` into article `slug`'s sidecar; return the exit status."""
    streams = Streams(out or sys.stdout, err or sys.stderr)
    path = content / f"{slug}.md"
    if not path.is_file() or not file.is_file():
        missing = f"no article '{slug}' in {content}/ (give the name of SLUG.md without .md)" if not path.is_file() \
            else f"no file {file} to import"
        print(f"glossator: error: {missing}", file=streams.err)
        return EXIT_USAGE
    data, problem = read_json(file)
    # Its audit is not asked to pass: the corrections that make it pass may be what is imported.
    work = run_stages(ArticleWork(path), Context(content), stop="anchor")
    problems = ([problem] if problem else []) + list(work.problems)
    if problems or work.file is None or work.anchored is None:
        for found in problems:
            print(found, file=streams.err)
        print(f"glossator import: nothing written: {summary(problems)}" + (
            "" if problem else f"; fix {slug}'s content first"), file=streams.err)
        return EXIT_LEFT
    sidecar = sidecar_of(path)
    name = display(content, sidecar)
    read = read_sidecar(sidecar)
    text = read.decode("utf-8") if read is not None else new_sidecar(sidecar)
    records, refusals = annotations_from_jsonld(data)
    labelled = [(label_of(data, record.where), record) for record in records]
    audited = work.anchored.article.received is None or not audit_article(work.anchored)
    plan = plan_import(work.file, work.anchored, text, name, labelled, audited=audited)
    refused = [Left(label_of(data, refusal.where), refusal.reason) for refusal in refusals]
    return _finish(file, sidecar, name, read, plan, refused, partial=partial, dry_run=dry_run, streams=streams)


def read_json(file: Path) -> tuple[Any, Problem | None]:
    """Read a JSON file; or say where it is not JSON."""
    try:
        return json.loads(file.read_bytes().decode("utf-8-sig")), None
    except OSError as error:
        return None, Problem(Where(str(file)), f"cannot read it: {error.strerror or error}")
    except UnicodeDecodeError as error:
        return None, Problem(Where(str(file)), f"not UTF-8 text (byte {error.start}); nothing was imported")
    except json.JSONDecodeError as error:
        return None, Problem(Where(str(file), error.lineno, error.colno),
                             f"not JSON: {error.msg}; nothing was imported")


def label_of(data: Any, where: str) -> str:
    """Name the annotation at `where` in the file as a person counts them: 'annotation 3 (its id)', and the rest
    of the path when it names a part of it; a place that is no annotation is named as it is."""
    kind = data.get("type", data.get("@type")) if isinstance(data, dict) else None
    if kind == "Annotation" or (isinstance(kind, list) and "Annotation" in kind):
        number, item, rest = 1, data, where
    else:
        found = _item_at(data, where)
        if found is None:
            return where
        number, item, rest = found
    identifier = item.get("id") if isinstance(item, dict) else None
    label = f"annotation {number}" + (f" ({shorten(identifier, 80)})" if isinstance(identifier, str) else "")
    return f"{label}, {rest}" if rest else label


def _item_at(data: Any, where: str) -> tuple[int, Any, str] | None:
    """Follow a path such as 'first.items[2].body[0]' to its first index: the item's number, the item, the rest."""
    value, at = data, 0
    while at < len(where):
        step = _STEP.match(where, at)
        if step is None or step.end() == at:
            return None
        name, index = step.groups()
        value = value.get(name) if name and isinstance(value, dict) else value
        at = step.end()
        if index is not None:
            item = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
            return int(index) + 1, item, where[at:].lstrip(".")
    return None


def _finish(file: Path, sidecar: Path, name: str, read: bytes | None, plan: ImportPlan, refused: list[Left], *,
            partial: bool, dry_run: bool, streams: Streams) -> int:
    """Report the plan, and write it when it may be written."""
    left = refused + list(plan.left)
    said = [Left(entry.label, f"placed by likeness, {entry.placed.fuzzy.confidence:.0%} sure "
                              f"({entry.placed.fuzzy.summary}): on \"{shorten(entry.fields['quote'])}\"")
            for entry in plan.added if entry.placed.fuzzy is not None]
    for item in sorted(said + list(plan.duplicates) + left, key=lambda item: _number(item.label)):
        print(f"{file}: {item.label + ': ' if item.label else ''}{item.reason}", file=streams.err)
    for problem in plan.problems:
        print(problem, file=streams.err)
    writable = plan.added and not plan.problems and (partial or not left)
    if dry_run and writable:
        before = read.decode("utf-8") if read is not None else ""
        streams.out.writelines(difflib.unified_diff(before.splitlines(keepends=True),
                                                    plan.text.splitlines(keepends=True), f"a/{name}", f"b/{name}"))
    if writable and not dry_run:
        saved = save_sidecar(sidecar, plan.text, read)
        for problem in saved:
            print(problem, file=streams.err)
        if saved:
            return EXIT_LEFT
    print(_outcome(plan, left, name, written=bool(writable), dry_run=dry_run), file=streams.err)
    return EXIT_LEFT if left or plan.problems else EXIT_OK


def _number(label: str) -> int:
    """The number label_of gave an annotation (0 for a place in the file that is none), to report in file order."""
    found = re.match(r"annotation (\d+)", label)
    return int(found.group(1)) if found else 0


def _outcome(plan: ImportPlan, left: list[Left], name: str, *, written: bool, dry_run: bool) -> str:
    count = len(plan.added)
    noun = "annotation" if count == 1 else "annotations"
    fuzzy = sum(entry.placed.fuzzy is not None for entry in plan.added)
    likeness = f" ({fuzzy} placed by likeness: check them)" if fuzzy else ""
    there = f"; {len(plan.duplicates)} there already" if plan.duplicates else ""
    not_imported = f"; {len(left)} not imported" if left else ""
    if written:
        done = f"would import {count} {noun} into {name}" if dry_run else f"imported {count} {noun} into {name}"
        return f"glossator import: {done}{likeness}{not_imported}{there}"
    if not count:
        return f"glossator import: nothing to import{not_imported}{there}"
    why = ("the sidecar would not pass the checks" if plan.problems
           else f"{len(left)} could not be imported (run again with --partial to import the other {count})")
    return f"glossator import: nothing written: {why}{there}"

