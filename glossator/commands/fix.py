"""`glossator fix`: re-anchor the quotes an edit of the text lost, show each change as a diff, write on --write."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..edit.reanchor import Orphan, Reanchored, reanchor
from ..edit.sidecar import SidecarEditError, read_sidecar, save_sidecar, update_annotation
from ..load.content import article_paths
from ..load.located_yaml import parse_yaml
from ..model import Annotation, ArticleFile, ArticleWork
from ..problems import Problem, Where, shorten, summary
from ..stages import Context, run_stages

EXIT_OK, EXIT_LEFT, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Move:
    """One annotation's quote re-anchored: where it stands in the sidecar, and its new place."""

    index: int
    where: Where  # of its quote
    found: Reanchored


@dataclass(frozen=True)
class Plan:
    """What `fix` would do to one sidecar: its text before and after, the moves, and the orphans it leaves."""

    path: Path
    read: bytes
    before: str
    after: str
    moves: tuple[Move, ...]
    orphans: tuple[Problem, ...]


def fix_command(content: Path, slugs: Sequence[str], *, write: bool, out: TextIO | None = None,
                err: TextIO | None = None) -> int:
    """Run `glossator fix`: print the proposed changes, write them with `write`; return the exit status."""
    out, err = out or sys.stdout, err or sys.stderr
    paths = article_paths(content) if content.is_dir() else []
    unknown = sorted(set(slugs) - {path.name.removesuffix(".md") for path in paths})
    if unknown or not content.is_dir():
        print(f"glossator: error: no article '{unknown[0]}' in {content}/ (give the name of SLUG.md without .md)"
              if unknown else f"glossator: error: content folder {content}/ not found", file=err)
        return EXIT_USAGE
    problems: list[Problem] = []
    plans: list[Plan] = []
    for path in paths:
        if slugs and path.name.removesuffix(".md") not in slugs:
            continue
        plan, found = plan_fix(run_stages(ArticleWork(path), Context(content), stop="validate"), content)
        problems += found
        if plan is not None:
            plans.append(plan)
    for plan in plans:
        _show(plan, out)
    orphans = [orphan for plan in plans for orphan in plan.orphans]
    moved = sum(len(plan.moves) for plan in plans if plan.moves)
    if write:
        for plan in plans:
            if plan.moves:
                problems += save_sidecar(plan.path, plan.after, plan.read)
    for problem in sorted(problems + orphans, key=lambda p: p.where):
        print(problem, file=err)
    print(_outcome(moved, orphans, problems, write), file=err)
    return EXIT_LEFT if problems or orphans or (moved and not write) else EXIT_OK


def plan_fix(work: ArticleWork, content: Path) -> tuple[Plan | None, list[Problem]]:
    """Work out the changes `fix` makes to one article's sidecar, given its work through validation; None when it has
    nothing to fix. The quotes that the anchor stage cannot place are the ones to fix, not problems."""
    file, article = work.file, work.article
    if work.problems or file is None or article is None or file.sidecar is None or file.sidecar_path is None:
        return None, list(work.problems)
    anchored = run_stages(work, Context(content), start="anchor", stop="anchor").anchored
    assert anchored is not None  # the anchor stage places what it can of any article validation passed
    placed = {id(anchor.annotation) for anchor in anchored.anchors}
    lost = [a for a in article.annotations if id(a) not in placed]
    if not lost:
        return None, []
    path = Path(file.sidecar_path)
    read = read_sidecar(path) or b""
    before = read.decode("utf-8")
    after, moves, orphans = before, [], []
    for annotation in lost:
        index = _index(file, annotation)
        where = file.sidecar.where(("annotations", index, "quote"))
        found = reanchor(anchored.reading, annotation.quote, annotation.prefix, annotation.suffix, anchored.tokens)
        if isinstance(found, Orphan):
            orphans.append(_orphan(where, annotation, found.reason))
            continue
        selector = found.selector
        try:
            after = update_annotation(after, index, {"quote": selector.quote, "prefix": selector.prefix,
                                                     "suffix": selector.suffix})
        except SidecarEditError as error:
            orphans.append(_orphan(where, annotation, str(error)))
            continue
        moves.append(Move(index, where, found))
    moves, orphans = _confirmed(work, content, after, moves, orphans, lost)
    return Plan(path, read, before, after, tuple(moves), tuple(orphans)), []


def _index(file: ArticleFile, annotation: Annotation) -> int:
    """Return the place in the sidecar's list of a checked annotation, which validation keeps as its `where`."""
    assert file.sidecar is not None
    count = len(file.sidecar.data.get("annotations") or [])
    return next(i for i in range(count) if file.sidecar.where(("annotations", i)) == annotation.where)


def _orphan(where: Where, annotation: Annotation, reason: str) -> Problem:
    return Problem(where, f"orphaned: quote \"{shorten(annotation.quote)}\" has no place it can be moved to: "
                          f"{reason}; it is left as it is: edit its quote by hand")


def _confirmed(work: ArticleWork, content: Path, after: str, moves: list[Move], orphans: list[Problem],
               lost: list[Annotation]) -> tuple[list[Move], list[Problem]]:
    """Place the edited sidecar through the real stages: a move whose quote would not place there is refused."""
    file = work.file
    assert file is not None
    located, _ = parse_yaml(after, file.sidecar_path or "")
    edited = ArticleWork(work.path, file=dataclasses.replace(file, sidecar=located))
    anchored = run_stages(edited, Context(content), start="validate", stop="anchor").anchored
    places = {(a.annotation.where.line, a.start, a.end) for a in anchored.anchors} if anchored else set()
    assert located is not None
    kept = []
    for move in moves:
        line = located.where(("annotations", move.index)).line
        if (line, move.found.start, move.found.end) in places:
            kept.append(move)
        else:
            annotation = next(a for a in lost if _index(file, a) == move.index)
            orphans.append(_orphan(move.where, annotation, "its new quote would not place (a bug: please report it)"))
    return kept, orphans


def _show(plan: Plan, out: TextIO) -> None:
    """Print each move's confidence, then the sidecar's changes as a unified diff."""
    if not plan.moves:
        return
    for move in plan.moves:
        print(f"# {move.where}: {move.found.confidence:.0%} sure: {move.found.summary}", file=out)
    name = plan.path.as_posix()
    out.writelines(difflib.unified_diff(plan.before.splitlines(keepends=True), plan.after.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))


def _outcome(moved: int, orphans: list[Problem], problems: list[Problem], write: bool) -> str:
    quotes = f"{moved} quote" + ("" if moved == 1 else "s")
    done = (f"re-anchored {quotes}" if write else f"would re-anchor {quotes} (run again with --write to write)"
            ) if moved else "no quote to re-anchor"
    left = f"; {len(orphans)} orphaned, left as they are" if orphans else ""
    errors = f"; {summary(problems)}" if problems else ""
    return f"glossator fix: {done}{left}{errors}"


def run(options: argparse.Namespace) -> int:
    """Run `glossator fix` from the command line's options."""
    return fix_command(options.content, options.slugs, write=options.write)
