"""Turn annotations read from another tool into entries of an article's sidecar, each placed on its reading text.

A passage is placed where its quote stands with the prefix and suffix it came with; else at its TextPositionSelector,
when the reading text holds the quote there; else where `reanchor` finds the passage most like it, which the
importer then reports with how sure it is. The entry gets the shortest selector of that place. The edited sidecar
goes through the build's own checks (schema, anchoring, audit) before anything is written: an entry they refuse is
left out with their reason.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..anchor.place import anchor_article
from ..check.audit import audit_article
from ..check.validate import validate_article
from ..load.located_yaml import parse_yaml
from ..model import AnchoredArticle, ArticleFile, Located
from ..outputs.web_annotation_read import ImportedAnnotation
from ..problems import Problem, Where, shorten
from ..render.reading import fold_quote
from .reanchor import Orphan, Reanchored, reanchor
from .selectors import SelectionError, Selector, places_of, select
from .sidecar import SidecarEditError, append_annotation

_ID = re.compile(r"(?!ref-|toggle-)[A-Za-z][A-Za-z0-9_-]{0,63}")  # the schema's pattern for an id
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class Placed:
    """Where an imported passage stands in the reading text, its shortest selector, and the fuzzy match if any."""

    start: int
    end: int
    selector: Selector
    fuzzy: Reanchored | None = None


@dataclass(frozen=True)
class Entry:
    """An imported annotation ready for the sidecar: what the file calls it, its fields, and its place."""

    label: str  # such as 'annotation 3 (Xy12)'
    fields: dict[str, Any]
    placed: Placed
    wanted_id: str | None = None  # the id the file gave it, written only where the page would not make it anyway


@dataclass(frozen=True)
class Left:
    """An annotation not imported, and why."""

    label: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    """The sidecar text with every entry that passed, and what was left out: refused, or there already."""

    text: str
    added: tuple[Entry, ...]
    left: tuple[Left, ...]
    duplicates: tuple[Left, ...]
    problems: tuple[Problem, ...]  # the checks' findings no single entry accounts for: nothing may be written


def place_record(anchored: AnchoredArticle, record: ImportedAnnotation) -> Placed | str:
    """Place one imported passage on the article's reading text; or say why it has no place there."""
    reading, tokens = anchored.reading, anchored.tokens
    length = len(fold_quote(record.quote))
    places = places_of(reading, record.quote, record.prefix, record.suffix)
    start = places[0] if len(places) == 1 else _at_position(anchored, record)
    if start is not None:
        try:
            return Placed(start, start + length, select(reading, start, start + length, tokens))
        except SelectionError as error:
            return str(error)
    found = reanchor(reading, record.quote, record.prefix, record.suffix, tokens)
    if isinstance(found, Orphan):
        return f"its quote \"{shorten(record.quote)}\" is not in the article: {found.reason}"
    return Placed(found.start, found.end, found.selector, found)


def _at_position(anchored: AnchoredArticle, record: ImportedAnnotation) -> int | None:
    """Return where the quote starts if the TextPositionSelector's range of the reading text holds it."""
    if record.start is None or record.end is None:
        return None
    stretch = anchored.reading.text[record.start : record.end]
    if not stretch.strip() or stretch.strip() != fold_quote(record.quote):
        return None
    return record.start + len(stretch) - len(stretch.lstrip())


def entry_fields(record: ImportedAnnotation, selector: Selector) -> dict[str, Any] | str:
    """Return the sidecar fields of an imported annotation at its new selector; or why it cannot be one."""
    note = record.note.strip() if record.note and record.note.strip() else None
    if record.tags:
        # A sidecar has no tags: they stay, as the last line of the note, for the editor to keep or cut.
        tags = "Tags: " + ", ".join(_MARKDOWN_PUNCTUATION.sub(r"\\\1", tag) for tag in record.tags)
        note = f"{note}\n\n{tags}" if note else tags
    if record.kind == "note" and note is None:
        return "it has no text (a highlight): a note needs words"
    fields: dict[str, Any] = {"quote": selector.quote}
    if selector.prefix is not None:
        fields["prefix"] = selector.prefix
    if selector.suffix is not None:
        fields["suffix"] = selector.suffix
    if record.kind == "correction":
        fields["kind"] = "correction"
        fields["original"] = record.original
    if note is not None:
        fields["note"] = note
    if record.sources:
        fields["sources"] = [{"title": s.title, **({"url": s.url} if s.url else {})} for s in record.sources]
    return fields


def plan_import(file: ArticleFile, anchored: AnchoredArticle, text: str, name: str,
                records: Sequence[tuple[str, ImportedAnnotation]], *, audited: bool = True) -> ImportPlan:
    """Work out the sidecar `text` (at `name`) with each labelled record appended that places and passes the checks.

    `audited`: the article passes its audit now, and must after. One that does not (its corrections are what is being
    imported, say) is refused only the entries its audit finds at fault."""
    entries, left, duplicates = [], [], []
    seen = {(a.start, a.end, a.annotation.kind, a.annotation.note, a.annotation.original) for a in anchored.anchors}
    for label, record in records:
        placed = place_record(anchored, record)
        fields = entry_fields(record, placed.selector) if isinstance(placed, Placed) else placed
        if isinstance(fields, str):
            left.append(Left(label, fields))
            continue
        assert isinstance(placed, Placed)
        key = (placed.start, placed.end, fields.get("kind", "note"), fields.get("note"), fields.get("original"))
        if key in seen:
            duplicates.append(Left(label, "it is in the sidecar already (the same passage and note): skipped"))
            continue
        seen.add(key)
        wanted = record.id if record.id and _ID.fullmatch(record.id) else None
        entries.append(Entry(label, fields, placed, wanted))
    existing = len(anchored.article.annotations)
    check = _Check(file, anchored, name, existing, audited)
    edited, entries, refused, problems, ids = _settled(check, text, entries)
    named = _named(entries, ids, {a.html_id for a in anchored.anchors})
    if named != entries:
        edited, entries, more, problems, _ = _settled(check, text, named)
        refused += more
    return ImportPlan(edited, tuple(entries), tuple(left + refused), tuple(duplicates), tuple(problems))


def _named(entries: list[Entry], ids: dict[int, str], taken: set[str]) -> list[Entry]:
    """Give an entry the id it came with where the page would name it otherwise, unless the article uses it."""
    named = []
    for i, entry in enumerate(entries):
        wanted = entry.wanted_id
        if wanted is not None and ids.get(i) != wanted and wanted not in taken:
            entry = dataclasses.replace(entry, fields={**entry.fields, "id": wanted})
        named.append(entry)
    return named


Settled = tuple[str, list[Entry], list[Left], list[Problem], dict[int, str]]


@dataclass(frozen=True)
class _Check:
    """What checking an edited sidecar needs: the article as it stands, the sidecar's name, how many annotations
    it has now, and whether the article's audit must pass."""

    file: ArticleFile
    anchored: AnchoredArticle
    name: str
    existing: int
    audited: bool


def _settled(check: _Check, text: str, entries: list[Entry]) -> Settled:
    """Append the entries and check the result, leaving out each one the checks refuse, until the rest pass."""
    refused: list[Left] = []
    while True:
        edited, kept = text, []
        for entry in entries:
            try:
                edited = append_annotation(edited, entry.fields)
                kept.append(entry)
            except SidecarEditError as error:
                refused.append(Left(entry.label, str(error)))
        entries = kept
        reasons, problems, ids = _checked(check, edited, entries)
        if not reasons:
            return edited, entries, refused, problems, ids
        refused += [Left(entries[i].label, f"the sidecar would not pass the checks with it: {reason}")
                    for i, reason in sorted(reasons.items())]
        entries = [entry for i, entry in enumerate(entries) if i not in reasons]


def _checked(check: _Check, text: str, entries: list[Entry]) -> tuple[dict[int, str], list[Problem], dict[int, str]]:
    """Run the build's checks on an edited sidecar: each new entry's first problem by its place among the new ones,
    the problems none accounts for, and the id each new entry's note gets on the page."""
    name, existing = check.name, check.existing
    located, problems, audit, again = _checks(check.file, check.anchored, text, name)
    if located is None or again is None:
        return {}, problems, {}
    # By line and column: a sidecar in flow style ([{...}, {...}]) has its annotations on one line.
    starts = [(w.line, w.col) for k in range(existing + len(entries)) for w in [located.where(("annotations", k))]]

    def entry_at(where: Where) -> int | None:
        at = (where.line, where.col)
        if where.file != name or not entries or at < starts[existing]:
            return None
        return bisect.bisect_right(starts, at) - 1 - existing

    reasons: dict[int, str] = {}
    rest = []
    for problem in problems + audit:
        index = entry_at(problem.where)
        if index is None and (check.audited or problem not in audit):
            rest.append(problem)
        elif index is None:
            continue  # the article failed its audit before: `check` shows where
        else:
            reasons.setdefault(index, problem.shown_message)
    anchors = {i: anchor for anchor in again.anchors
               if (i := entry_at(anchor.annotation.where)) is not None}
    for i, entry in enumerate(entries):
        anchor = anchors.get(i)
        where = (anchor.start, anchor.end) if anchor else None
        if i not in reasons and where != (entry.placed.start, entry.placed.end):
            reasons[i] = "its quote would not place where it was found (a bug: please report it)"
    return reasons, rest, {i: anchor.html_id for i, anchor in anchors.items()}


def _checks(file: ArticleFile, anchored: AnchoredArticle, text: str,
            name: str) -> tuple[Located | None, list[Problem], list[Problem], AnchoredArticle | None]:
    """Validate, anchor and audit the article with an edited sidecar, as the build would; the audit's problems apart."""
    located, problems = parse_yaml(text, name)
    if located is None:
        return None, problems, [], None
    article, found = validate_article(dataclasses.replace(file, sidecar=located, sidecar_path=name))
    problems += found
    if article is None:
        return located, problems, [], None
    again, found = anchor_article(article, anchored)
    problems += found
    audit = audit_article(again) if article.received is not None else []
    return located, problems, audit, again
