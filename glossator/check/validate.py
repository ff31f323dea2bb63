"""Stage 2, validate: check front matter and sidecars against their schemas."""

from __future__ import annotations

import calendar
import datetime
import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import MONTHS, Annotation, Article, ArticleFile, Located, Meta, SourceRef, YamlPath
from ..problems import Problem, Where, shorten
from ..render.reading import fold_quote
from .schema import Check, compile_check

if TYPE_CHECKING:
    import jsonschema

_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of keys to values",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "an empty value",
}


@cache
def _schema(name: str) -> Any:
    return json.loads(Path(__file__).parent.parent.joinpath(name).read_text("utf-8"))  # at the top of the package


@cache
def _check(name: str) -> Check | None:
    return compile_check(_schema(name))


@cache
def key_pattern(schema: str, key: str) -> re.Pattern[str]:
    """Compile the pattern a top-level key's text must match in a bundled schema, the one statement of its rule."""
    return re.compile(_schema(schema)["properties"][key]["pattern"])


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    import jsonschema  # only to say what is wrong: its import alone costs more than a small build

    return jsonschema.Draft202012Validator(_schema(name))


def validate(files: list[ArticleFile]) -> tuple[list[Article], list[Problem]]:
    """Turn loaded files into checked articles; collect every problem found.

    An article with mistakes in its front matter or in some annotations is returned too, with its problems and
    its sound annotations: placing their quotes finds their mistakes in the same run. No page is rendered while
    there are problems."""
    articles: list[Article] = []
    problems: list[Problem] = []
    for file in files:
        article, found = validate_article(file)
        problems += found
        if article is not None:
            articles.append(article)
    return articles, problems


def validate_article(file: ArticleFile) -> tuple[Article | None, list[Problem]]:
    """Check one article's front matter and sidecar; return the article unless there is nothing to anchor."""
    meta, problems = _meta(file.front)
    annotations: tuple[Annotation, ...] = ()
    sidecar_problems: list[Problem] = []
    if file.sidecar is not None and file.sidecar_path is not None:
        annotations, sidecar_problems = _annotations(file.sidecar, file.sidecar_path)
    # A sidecar that exists but could not be read has its error from load; anchoring and auditing the
    # article without its annotations would only bury that error under consequences of it.
    if file.sidecar_path is not None and file.sidecar is None:
        return None, problems
    if meta is None or problems or sidecar_problems:
        # The sound annotations' quotes are still placed, so that one run reports every mistake (the build stops
        # before rendering). The received text is left out: the audit needs the front matter and every correction.
        return _article(file, meta or _UNCHECKED, annotations, received=None), problems + sidecar_problems
    return _article(file, meta, annotations, received=file.received), []


_UNCHECKED = Meta(title="")  # stands in for front matter with mistakes, for placing quotes only


def _article(file: ArticleFile, meta: Meta, annotations: tuple[Annotation, ...], received: str | None) -> Article:
    return Article(
        slug=file.slug,
        path=file.path,
        meta=meta,
        body=file.body,
        body_line=file.body_line,
        annotations=annotations,
        received=received,
        pictures=file.pictures,
        tokens=file.tokens,
        where_of_meta={key: file.front.where((key,)) for key in file.front.data} if isinstance(file.front.data, dict)
        else {},
    )


def schema_problems(located: Located, schema: str, *, root: str = "the file") -> list[Problem]:
    """Validate located data with a bundled JSON Schema, one plain message per mistake, in file order."""
    return _explained(located, _errors(located.data, schema), root)


def _explained(located: Located, errors: list[jsonschema.ValidationError], root: str) -> list[Problem]:
    problems = [problem for error in errors for problem in _problems(located, error, root)]
    return sorted(problems, key=lambda p: (p.where, p.message))


def _errors(data: Any, schema: str) -> list[jsonschema.ValidationError]:
    """Return the schema's errors in data, less those that only follow from another one."""
    check = _check(schema)
    if check is not None and check(data):
        return []  # valid, as most content is: nothing to explain
    errors = list(_validator(schema).iter_errors(data))
    known = _known_keys(_schema(schema))
    unjudged = _unjudged(errors, _condition_keys(_schema(schema)))
    return [error for error in errors if not _misspelt(error, known) and not _follows_from(error, unjudged)]


def _condition_keys(schema: Any) -> set[str]:
    """Return the keys whose values an `if` reads, such as 'kind'."""
    if isinstance(schema, list):
        return set().union(*(_condition_keys(item) for item in schema))
    if not isinstance(schema, dict):
        return set()
    condition = schema.get("if")
    names = set(condition.get("properties", {})) if isinstance(condition, dict) else set()
    return names.union(*(_condition_keys(value) for value in schema.values()))


def _unjudged(errors: list[jsonschema.ValidationError], condition_keys: set[str]) -> list[YamlPath]:
    """Return the places whose `if` read a wrong value: 'kind: corection' is neither a note nor a correction."""
    return [tuple(error.absolute_path)[:-1] for error in errors
            if error.absolute_path and error.absolute_path[-1] in condition_keys and not _in_branch(error)]


def _follows_from(error: jsonschema.ValidationError, unjudged: list[YamlPath]) -> bool:
    """Tell whether an error comes from a `then` or `else` chosen by a wrong value (fixing that may undo it)."""
    path = tuple(error.absolute_path)
    return _in_branch(error) and any(path[:len(place)] == place for place in unjudged)


def _in_branch(error: jsonschema.ValidationError) -> bool:
    steps = list(error.absolute_schema_path)
    return any(step in ("then", "else") and steps[i - 1 : i] != ["properties"] for i, step in enumerate(steps))


def _misspelt(error: jsonschema.ValidationError, known: set[str]) -> bool:
    """Tell whether a required key is missing only because it is misspelt (reported as unknown)."""
    if error.validator != "required" or not isinstance(error.instance, dict):
        return False
    missing = error.message.split("'")[1]
    return any(_meant(str(key), [missing]) for key in error.instance if key not in known)


def _known_keys(schema: Any) -> set[str]:
    if isinstance(schema, list):
        return set().union(*(_known_keys(item) for item in schema))
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties", {}))
    return names.union(*(_known_keys(value) for value in schema.values()))


def _problems(located: Located, error: jsonschema.ValidationError, root: str) -> list[Problem]:
    path: YamlPath = tuple(error.absolute_path)
    name = _name(path) if path else root
    if error.validator == "additionalProperties":
        return _unknown_keys(located, path, error)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return [Problem(located.where(path), f"{name} is missing the required key '{missing}'")]
    if error.validator is None:  # a `false` subschema: 'original' outside a correction, the only one
        return [Problem(located.where((*path, "original"), key=True), _ORIGINAL_WITHOUT_CORRECTION)]
    return [Problem(located.where(path), f"{name} {_expected(error)}")]


_ORIGINAL_WITHOUT_CORRECTION = "'original' belongs to a correction: add 'kind: correction', or remove 'original'"


def _expected(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "type":
        return _wrong_type(error)
    if error.validator == "enum":
        choices: list[Any] = error.validator_value  # type: ignore[assignment]
        return "must be one of: " + ", ".join(str(choice) for choice in choices) + _closest(error.instance, choices)
    if error.validator == "pattern" and schema.get("pattern") == "\\S":
        return "must not be empty"
    if error.validator == "pattern" and "patternErrorMessage" in schema:
        return f"{schema['patternErrorMessage']}, not '{shorten(str(error.instance), 40)}'{_scheme_hint(error)}"
    if error.validator == "pattern":
        expected = schema.get("description", "another form")
        return f"is not valid: '{shorten(str(error.instance), 40)}'; expected {expected}"
    return f"is not valid: expected {schema.get('description', error.message)}"


def _closest(value: object, choices: list[Any]) -> str:
    """Suggest the allowed value nearest to a misspelt one ('corection', 'Correction': 'correction')."""
    if not isinstance(value, str):
        return ""
    import difflib

    folded = {str(choice).casefold(): str(choice) for choice in choices}
    close = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.6)
    return f"; did you mean '{folded[close[0]]}'?" if close else ""


def _scheme_hint(error: jsonschema.ValidationError) -> str:
    """Suggest the address with https:// in front, when it has no scheme and that would make it valid."""
    value, pattern = str(error.instance), str(error.validator_value)
    if _SCHEME.match(value) or not re.search(pattern, "https://" + value):
        return ""
    return f": did you mean '{shorten('https://' + value, 40)}'?"


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # RFC 3986: javascript:, ftp:, mailto: ...


def _wrong_type(error: jsonschema.ValidationError) -> str:
    number = isinstance(error.instance, (int, float)) and not isinstance(error.instance, bool)
    instead = _INSTEAD_OF_A_NUMBER.get(tuple(error.absolute_path)) if number else None
    if instead:
        return f"is the number {error.instance}, not {instead}"
    wanted = _TYPE_WORDS.get(str(error.validator_value), error.validator_value)
    return f"must be {wanted}, not {_type_words(error.instance)}"


# What to ask for when a key's text is never a number: "must be text" would invite 'date: "2024"', no date either.
_INSTEAD_OF_A_NUMBER: dict[YamlPath, str] = {
    ("date",): "a date: write the full date, e.g. 2024-03-05",  # the front matter's: no other file has a 'date'
}


def _type_words(value: object) -> str:
    """Name the type of a value from YAML in words: 'a list', 'binary data' (what !!binary makes)."""
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    for name, types in (("boolean", bool), ("string", str), ("array", list), ("object", dict),
                        ("number", (int, float))):
        if isinstance(value, types):
            return _TYPE_WORDS[name]
    return _TYPE_WORDS["null"] if value is None else "a value of another type"


def _unknown_keys(located: Located, path: YamlPath, error: jsonschema.ValidationError) -> list[Problem]:
    known = list(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
    instance: dict[str, Any] = error.instance  # type: ignore[assignment]
    problems = []
    for key in (key for key in instance if key not in known):
        meant = _meant(key, known)
        hint = f": did you mean '{meant}'?" if meant else " (allowed: " + ", ".join(known) + ")"
        problems.append(Problem(located.where((*path, key), key=True), f"unknown key '{key}'{hint}"))
    return problems


def _meant(key: str, known: list[str]) -> str | None:
    """Return the known key an unknown one likely stands for: the word other tools use, or a near spelling."""
    import difflib  # here, like jsonschema: only content with mistakes needs it

    synonyms = [name for name in _SYNONYMS.get(key.casefold(), ()) if name in known]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return next(iter(synonyms + close), None)


# Keys other publishing tools and newsrooms use, each with ours in order of likelihood (the first the mapping allows
# is suggested). A synonym wins over a near spelling: 'link' is spelt like 'byline' but means 'source_url'.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("author", "authors", "by", "writer", "reporter"), ("byline",)),
    **dict.fromkeys(("dek", "deck", "standfirst", "subhead", "subheading", "strapline"), ("subtitle",)),
    **dict.fromkeys(("headline", "hed", "name"), ("title",)),
    **dict.fromkeys(("description", "excerpt", "abstract", "blurb"), ("summary",)),
    **dict.fromkeys(("published", "pubdate", "publish_date", "published_at"), ("date",)),
    **dict.fromkeys(("language", "locale"), ("lang",)),
    "url": ("source_url", "base_url"),
    **dict.fromkeys(("link", "href"), ("url", "source_url", "base_url")),
    **dict.fromkeys(("contributor", "contributors"), ("credit",)),
    "note": ("editor_note",),
    **dict.fromkeys(("exact", "passage"), ("quote",)),  # 'exact' as in the W3C TextQuoteSelector
    **dict.fromkeys(("comment", "gloss"), ("note",)),
    "type": ("kind",),
    **dict.fromkeys(("received", "was"), ("original", "source")),
    **dict.fromkeys(("references", "citations", "refs"), ("sources",)),
}


def _name(path: YamlPath) -> str:
    last = path[-1]
    if isinstance(last, str):
        return f"'{last}'"
    if path[:1] == ("annotations",) and len(path) == 2:
        return f"annotation {last + 1}"
    if path[-2:-1] == ("sources",):
        return f"source {last + 1}"
    return f"entry {last + 1}"


def _meta(front: Located) -> tuple[Meta | None, list[Problem]]:
    if not isinstance(front.data, dict):
        message = "front matter must be a mapping of keys to values, such as 'title: ...'"
        return None, [Problem(front.where(()), message)]
    problems = schema_problems(front, "front_matter.schema.json", root="the front matter")
    problems += _date_problems(front)
    if problems:
        return None, problems
    data = front.data
    frame = data.get("source_frame", {})
    fields = {key: data.get(key) for key in ("subtitle", "byline", "date", "summary", "source", "source_url", "credit",
                                           "editor_note")}
    meta = Meta(title=data["title"], lang=data.get("lang", "en"), **fields,
                source_frame_before=tuple(frame.get("before", ())), source_frame_after=tuple(frame.get("after", ())))
    return meta, _frame_problems(front, meta)


def _date_problems(front: Located) -> list[Problem]:
    date = front.data.get("date")
    if not isinstance(date, str) or not key_pattern("front_matter.schema.json", "date").search(date):
        return []  # the schema has said what is wrong with its shape; here only the calendar and the clock
    mistake = _impossible(date)
    return [Problem(front.where(("date",)), f"'date' '{date}' {mistake}")] if mistake else []


# The fields of a date the schema's pattern has accepted: that pattern is the rule, this only takes it apart.
_DATE_FIELDS = re.compile(r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)"
                          r"(?:.(?P<hour>\d\d):(?P<minute>\d\d)(?::(?P<second>\d\d))?[.0-9]*"
                          r"(?P<offset>[+-](?P<offset_hour>\d\d):(?P<offset_minute>\d\d))?)?")


def _impossible(date: str) -> str | None:
    """Say what makes a date of the right shape impossible: 'there is no month 13'; None for a real one."""
    fields = _DATE_FIELDS.match(date)
    if fields is None:
        return None
    mistake = (_off_the_calendar(int(fields["year"]), int(fields["month"]), int(fields["day"]))
               or _off_the_clock(fields["hour"], fields["minute"], fields["second"])
               or _off_the_clock(fields["offset_hour"], fields["offset_minute"], None,
                                 f" in the offset {fields['offset']}"))
    if mistake:
        return f"is not a real date: {mistake}"
    try:
        datetime.datetime.fromisoformat(date).astimezone(datetime.UTC)  # as the feed and the sitemap read it
    except OverflowError:
        return "is out of range: in UTC it falls outside the years 1 to 9999"
    except ValueError:  # a form this Python reads otherwise than the schema says
        return "is not an ISO 8601 date (write it as 2023-11-16)"
    return None


def _off_the_calendar(year: int, month: int, day: int) -> str | None:
    if year == 0:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if day == 0:
        return "there is no day 0"
    if day > calendar.monthrange(year, month)[1]:  # February has 29 days in a leap year
        return f"{MONTHS[month - 1]} {year} has no {_ordinal(day)} day"
    return None


def _off_the_clock(hour: str | None, minute: str | None, second: str | None, place: str = "") -> str | None:
    for name, text, last in (("hour", hour, 23), ("minute", minute, 59), ("second", second, 59)):
        if text is not None and int(text) > last:
            return f"there is no {name} {int(text)}{place}"
    return None


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _frame_problems(front: Located, meta: Meta) -> list[Problem]:
    problems = []
    for side in ("before", "after"):
        for i, name in enumerate(getattr(meta, f"source_frame_{side}")):
            if not getattr(meta, name):
                where = front.where(("source_frame", side, i))
                problems.append(Problem(where, f"source_frame names '{name}', which the front matter does not set"))
    if (meta.source_frame_before or meta.source_frame_after) and not meta.source:
        problems.append(Problem(front.where(("source_frame",)), "source_frame needs 'source', the received text"))
    return problems


def _annotations(sidecar: Located, file: str) -> tuple[tuple[Annotation, ...], list[Problem]]:
    if not isinstance(sidecar.data, dict):
        shape = {type(None): "empty", list: "a list"}.get(type(sidecar.data), "a single value")
        message = f"the annotations file is {shape}; it must be a mapping with the key 'annotations' holding a list"
        return (), [Problem(Where(file, 1, 1), message)]
    errors = _errors(sidecar.data, "annotations.schema.json")
    problems = _explained(sidecar, errors, "the file")
    items = sidecar.data.get("annotations")
    if not isinstance(items, list):
        return (), problems
    # An annotation with a mistake is left out; the others go on to have their quotes placed.
    wrong = {error.absolute_path[1] for error in errors if tuple(error.absolute_path)[:1] == ("annotations",)
             and len(error.absolute_path) > 1}
    checked = [(i, _annotation(sidecar, i, item)) for i, item in enumerate(items) if i not in wrong]
    problems += _duplicate_ids(sidecar, checked) + _unchanged_corrections(sidecar, checked)
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
