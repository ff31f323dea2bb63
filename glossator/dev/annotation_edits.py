"""What the annotations API does to an article's sidecar: read the article as its files are now, turn a W3C
annotation into sidecar fields, edit the sidecar as text, take the edit through the pipeline's own stages, save.

Nothing is written unless the edited sidecar goes through validate, anchor and audit without a problem and the file
is still the one the client read (its fingerprint is the ETag)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..edit.selectors import SelectionError
from ..edit.sidecar import (
    SidecarEditError,
    append_annotation,
    delete_annotation,
    fingerprint,
    new_sidecar,
    read_sidecar,
    replace_annotation,
    save_sidecar,
)
from ..edit.sidecar_text import item_data
from ..load.content import article_paths, sidecar_of
from ..load.files import display
from ..load.located_yaml import parse_yaml
from ..model import Anchor, AnchoredArticle, ArticleWork
from ..outputs.web_annotation_read import ImportedAnnotation, annotations_from_jsonld
from ..problems import Problem
from ..stages import Context, run_stages
from .placing import place_selection

_READ_ATTEMPTS = 3  # a sidecar saved while it is read is read again, so the ETag is that of the text read


@dataclass(frozen=True)
class Current:
    """An article as its files are now: its work through the audit, and its sidecar's path and bytes."""

    content: Path
    work: ArticleWork
    loaded: ArticleWork  # the work after the load stage alone: its problems are the files'
    sidecar: Path
    read: bytes | None

    @property
    def etag(self) -> str:
        """The sidecar's fingerprint, which a client sends back with its edit."""
        return fingerprint(self.read)

    @property
    def anchored(self) -> AnchoredArticle | None:
        """The article with its annotations placed, if its body could be parsed."""
        return self.work.anchored


@dataclass(frozen=True)
class Refused:
    """An edit not made: the HTTP status that says why, and the problems as `check` prints them."""

    status: int
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Saved:
    """An edit written: the annotation's id on the page (None once deleted), the sidecar's new fingerprint, and
    the article with it."""

    html_id: str | None
    etag: str
    work: ArticleWork


def read_article(content: Path, slug: str) -> Current | None:
    """Take the article SLUG.md through the stages as it is on disk; None if the content folder has no such article."""
    path = next((p for p in article_paths(content) if p.name == f"{slug}.md"), None)
    if path is None:
        return None
    sidecar = sidecar_of(path)
    context = Context(content)
    read, loaded = _load_steady(path, sidecar, context)
    work = run_stages(loaded, context, start="validate", stop="audit")
    return Current(content, work, loaded, sidecar, read)


def _load_steady(path: Path, sidecar: Path, context: Context) -> tuple[bytes | None, ArticleWork]:
    """Load the article, and the sidecar's bytes as the load stage read them."""
    for _ in range(_READ_ATTEMPTS - 1):
        read = _bytes(sidecar)
        loaded = run_stages(ArticleWork(path), context, stop="load")
        if _bytes(sidecar) == read:
            return read, loaded
    return _bytes(sidecar), run_stages(ArticleWork(path), context, stop="load")


def _bytes(path: Path) -> bytes | None:
    try:
        return read_sidecar(path)
    except OSError:
        return None


def find_anchor(current: Current, html_id: str) -> tuple[Anchor, int] | None:
    """Return the placed annotation with this id on the page, and its place in the sidecar's list."""
    anchored, file = current.anchored, current.work.file
    if anchored is None or file is None or file.sidecar is None:
        return None
    anchor = next((a for a in anchored.anchors if a.html_id == html_id), None)
    if anchor is None:
        return None
    count = len(file.sidecar.data.get("annotations") or []) if isinstance(file.sidecar.data, dict) else 0
    index = next((i for i in range(count) if file.sidecar.where(("annotations", i)) == anchor.annotation.where), None)
    return None if index is None else (anchor, index)


def add(current: Current, body: Any, if_match: str) -> Saved | Refused:
    """Append the annotation a W3C JSON-LD body describes to the article's sidecar."""
    text = current.read.decode("utf-8") if current.read is not None else new_sidecar(current.sidecar)
    count = len(_items(text))
    fields = requested_fields(current, body, None)
    if isinstance(fields, Refused):
        return fields
    return _edit(current, if_match, lambda: append_annotation(text, fields), count)


def replace(current: Current, html_id: str, body: Any, if_match: str) -> Saved | Refused:
    """Make the annotation with this id on the page what the body describes; unchanged fields keep their bytes."""
    found = find_anchor(current, html_id)
    if found is None or current.read is None:
        return _unknown(html_id)
    anchor, index = found
    text = current.read.decode("utf-8")
    fields = requested_fields(current, body, (anchor, item_data(text, index)))
    if isinstance(fields, Refused):
        return fields
    return _edit(current, if_match, lambda: replace_annotation(text, index, fields), index)


def delete(current: Current, html_id: str, if_match: str) -> Saved | Refused:
    """Remove the annotation with this id on the page from the sidecar."""
    found = find_anchor(current, html_id)
    if found is None or current.read is None:
        return _unknown(html_id)
    text = current.read.decode("utf-8")
    return _edit(current, if_match, lambda: delete_annotation(text, found[1]), None)


def _unknown(html_id: str) -> Refused:
    return Refused(404, (f"no annotation '{html_id}' on this page (it may have been edited since: reload the page)",))


def _items(text: str) -> list[Any]:
    located, _ = parse_yaml(text, "")
    data = located.data if located is not None else None
    items = data.get("annotations") if isinstance(data, dict) else None
    return items if isinstance(items, list) else []


def _edit(current: Current, if_match: str, edit: Callable[[], str], index: int | None) -> Saved | Refused:
    """Check the ETag, make the edit, take the edited sidecar through the stages, and save it if all is well."""
    if if_match != current.etag:
        return Refused(412, (f"{_shown(current)}: error: the sidecar changed on disk since the page was loaded; "
                             "nothing was written: copy your text, reload the page and redo the edit",))
    try:
        edited = edit()
    except SidecarEditError as error:
        return Refused(422, (f"{_shown(current)}: error: {error}",))
    work, problems = checked(current, edited)
    if problems:
        return Refused(422, tuple(str(p) for p in sorted(problems, key=lambda p: p.where)))
    html_id = _html_id(work, index) if index is not None else None
    refused = save_sidecar(current.sidecar, edited, current.read)
    if refused:
        return Refused(409, tuple(str(p) for p in refused))
    return Saved(html_id, fingerprint(edited.encode("utf-8")), work)


def _shown(current: Current) -> str:
    return display(current.content, current.sidecar)


def checked(current: Current, edited: str) -> tuple[ArticleWork, list[Problem]]:
    """Take the article with the edited sidecar through validate, anchor and audit, as a build would."""
    shown = _shown(current)
    located, problems = parse_yaml(edited, shown)
    file = current.loaded.file
    if located is None or file is None:
        return current.work, problems or [*current.loaded.problems]
    others = tuple(p for p in current.loaded.problems if p.where.file != shown)  # the article's, not the sidecar's
    loaded = dataclasses.replace(current.loaded, file=dataclasses.replace(file, sidecar=located, sidecar_path=shown),
                                 problems=others + tuple(problems))
    # The body is unchanged: the anchor stage keeps the parse it made of it.
    work = run_stages(loaded, Context(current.content, earlier=current.work), start="validate", stop="audit")
    return work, list(work.problems)


def _html_id(work: ArticleWork, index: int) -> str | None:
    file, anchored = work.file, work.anchored
    if file is None or file.sidecar is None or anchored is None:
        return None
    where = file.sidecar.where(("annotations", index))
    return next((a.html_id for a in anchored.anchors if a.annotation.where == where), None)


def requested_fields(current: Current, body: Any, editing: tuple[Anchor, dict[str, Any]] | None
                     ) -> dict[str, Any] | Refused:
    """Turn a W3C annotation into a sidecar entry's fields, its passage placed on the article's reading text.

    `editing` is the annotation replaced and its fields as the sidecar holds them: a passage that stays where it
    was keeps the quote, prefix and suffix the sidecar gave it."""
    anchored = current.anchored
    if anchored is None:
        return Refused(422, tuple(str(p) for p in current.work.problems) or ("the article cannot be read",))
    record = _record(body, anchored)
    if isinstance(record, Refused):
        return record
    try:
        start, end, selector = place_selection(anchored, record.quote, record.prefix, record.suffix,
                                               (record.start, record.end) if record.start is not None else None)
    except SelectionError as error:
        return Refused(422, (f"request: target: {error}",))
    fields: dict[str, Any] = {"quote": selector.quote, "prefix": selector.prefix, "suffix": selector.suffix}
    before = editing[1] if editing is not None else {}
    if editing is not None and (editing[0].start, editing[0].end) == (start, end):
        fields = {key: before.get(key) for key in ("quote", "prefix", "suffix")}
    if record.kind == "correction":
        fields.update(kind="correction", original=record.original)
    elif before.get("kind") == "note":
        fields["kind"] = "note"  # as the writer had it
    fields.update(note=record.note, id=record.id)
    if record.sources:
        fields["sources"] = [{"title": s.title, **({"url": s.url} if s.url is not None else {})}
                             for s in record.sources]
    return {key: value for key, value in fields.items() if value is not None}


def _record(body: Any, anchored: AnchoredArticle) -> ImportedAnnotation | Refused:
    """Read the one annotation of a request's body, as the Web Annotation importer reads a file's."""
    if not isinstance(body, dict) or "Annotation" not in _types(body):
        return Refused(400, ("request: the body must be one W3C Web Annotation: a JSON object with "
                             '"type": "Annotation"',))
    if isinstance(body.get("canonical"), str):
        body = {**body, "id": body["canonical"]}  # the sidecar's id: the fragment of the note's address
    body = _with_quote(body, anchored)
    records, refusals = annotations_from_jsonld(body)
    if refusals:
        return Refused(422, tuple(f"request: {r}" if r.where else f"request: {r.reason}" for r in refusals))
    record = records[0]
    if record.tags:
        return Refused(422, ("request: body: a sidecar keeps no tags (bodies with purpose 'tagging'): remove them",))
    return record


def _types(value: dict[str, Any]) -> list[Any]:
    kind = value.get("type", value.get("@type"))
    return kind if isinstance(kind, list) else [kind]


def _with_quote(body: dict[str, Any], anchored: AnchoredArticle) -> dict[str, Any]:
    """Give a target that has only a TextPositionSelector the TextQuoteSelector of the reading text there."""
    target = body.get("target")
    selectors = target.get("selector") if isinstance(target, dict) else None
    listed = selectors if isinstance(selectors, list) else [selectors] if isinstance(selectors, dict) else []
    kinds = [s.get("type") for s in listed if isinstance(s, dict)]
    position = next((s for s in listed if isinstance(s, dict) and s.get("type") == "TextPositionSelector"), None)
    if position is None or "TextQuoteSelector" in kinds or not isinstance(target, dict):
        return body
    start, end, text = position.get("start"), position.get("end"), anchored.reading.text
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return body
    quote = {"type": "TextQuoteSelector", "exact": text[start:end]}
    return {**body, "target": {**target, "selector": [*listed, quote]}}
