"""A sidecar's annotations, checked: its schema, ids used once, corrections that change something, safe links."""

from __future__ import annotations

from typing import Any

from ..model import Annotation, Located, SourceRef
from ..problems import Problem, Where
from ..render.reading import fold_quote
from .links import note_link_problems
from .schema_errors import errors_against, explained


def check_annotations(sidecar: Located, file: str) -> tuple[tuple[Annotation, ...], list[Problem]]:
    """Check a sidecar against its schema and rules; return its sound annotations and every problem found."""
    if not isinstance(sidecar.data, dict):
        shape = {type(None): "empty", list: "a list"}.get(type(sidecar.data), "a single value")
        message = f"the annotations file is {shape}; it must be a mapping with the key 'annotations' holding a list"
        return (), [Problem(Where(file, 1, 1), message)]
    errors = errors_against(sidecar.data, "annotations.schema.json")
    problems = explained(sidecar, errors, "the file")
    items = sidecar.data.get("annotations")
    if not isinstance(items, list):
        return (), problems
    # An annotation with a mistake is left out; the others go on to have their quotes placed.
    wrong = {error.absolute_path[1] for error in errors if tuple(error.absolute_path)[:1] == ("annotations",)
             and len(error.absolute_path) > 1}
    checked = [(i, _annotation(sidecar, i, item)) for i, item in enumerate(items) if i not in wrong]
    problems += _duplicate_ids(sidecar, checked) + _unchanged_corrections(sidecar, checked) + note_link_problems(
        sidecar, checked)
    return tuple(annotation for _, annotation in checked), problems


def _annotation(sidecar: Located, index: int, item: dict[str, Any]) -> Annotation:
    sources = tuple(SourceRef(title=s["title"], url=s.get("url")) for s in item.get("sources", ()))
    fields = {key: item.get(key) for key in ("note", "original", "id", "prefix", "suffix")}
    return Annotation(quote=item["quote"], where=sidecar.where(("annotations", index)),
                      kind=item.get("kind", "note"), sources=sources, **fields)


def _duplicate_ids(sidecar: Located, annotations: list[tuple[int, Annotation]]) -> list[Problem]:
    first_line: dict[str, int] = {}
    problems = []
    for i, annotation in annotations:
        if annotation.id is None:
            continue
        where = sidecar.where(("annotations", i, "id"))
        if annotation.id in first_line:
            message = (f"id '{annotation.id}' is already used on line {first_line[annotation.id]}; "
                       "give each annotation its own")
            problems.append(Problem(where, message))
        first_line.setdefault(annotation.id, where.line)
    return problems


_CHANGES_NOTHING = ("'original' is the same as 'quote': a correction changes the text; make it a note (kind: note), "
                    "or give the received wording")


def _unchanged_corrections(sidecar: Located, annotations: list[tuple[int, Annotation]]) -> list[Problem]:
    """Refuse a correction whose original reads as its quote does (folded as anchoring folds them): the page
    would show a change that is none."""
    problems = []
    for i, annotation in annotations:
        if annotation.kind == "correction" and fold_quote(annotation.original or "") == fold_quote(annotation.quote):
            problems.append(Problem(sidecar.where(("annotations", i, "original")), _CHANGES_NOTHING))
    return problems
