"""Check loaded YAML against the JSON Schemas, and say each mistake in plain words at the place to act."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Located, YamlPath
from ..problems import Problem, shorten
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


def source_url_rule() -> str:
    """Say what a source's address must be, as the annotations schema says it."""
    sources = _schema("annotations.schema.json")["$defs"]["annotation"]["properties"]["sources"]
    return str(sources["items"]["properties"]["url"]["patternErrorMessage"])


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    import jsonschema  # only to say what is wrong: its import alone costs more than a small build

    return jsonschema.Draft202012Validator(_schema(name))


def schema_problems(located: Located, schema: str, *, root: str = "the file") -> list[Problem]:
    """Validate located data with a bundled JSON Schema, one plain message per mistake, in file order."""
    return explained(located, errors_against(located.data, schema), root)


def explained(located: Located, errors: list[jsonschema.ValidationError], root: str) -> list[Problem]:
    problems = [problem for error in errors for problem in _problems(located, error, root)]
    return sorted(problems, key=lambda p: (p.where, p.message))


def errors_against(data: Any, schema: str) -> list[jsonschema.ValidationError]:
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
