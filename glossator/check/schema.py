"""A quick yes-or-no check of plain data against a JSON Schema, for the keywords our schemas use.

Importing jsonschema costs more than the rest of a small build, and its validator walks each value
through layers of generality: about 45 µs per annotation. Most content is valid, so `validate` asks
this check first and imports jsonschema only to explain what is wrong. A schema is compiled once
into plain functions; one that uses a keyword this check does not know, anywhere, is never judged
here (`compile_check` returns None), so a schema edit cannot make the check wave through what
jsonschema would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that only describe: they never make a value invalid. patternErrorMessage is what editors (VS Code,
# the YAML language server) say when a pattern fails, and the build says it too.
_NOTES = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default",
                    "patternErrorMessage"})
_TYPES: dict[str, Check] = {
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "integer": lambda value: (isinstance(value, int) and not isinstance(value, bool))
    or (isinstance(value, float) and value.is_integer()),
}


class _Unknown(Exception):
    """The schema uses a keyword, or a form of one, that this check does not judge."""


def is_valid(schema: dict[str, Any], data: Any) -> bool | None:
    """Tell whether data satisfies the schema; None when the schema is beyond this check."""
    check = compile_check(schema)
    return None if check is None else check(data)


def compile_check(schema: dict[str, Any]) -> Check | None:
    """Return a function that tells whether data satisfies the schema, or None when it is beyond this check."""
    try:
        return _Compiler(schema).compile(schema)
    except _Unknown:
        return None


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        """Return a function that tells whether a value satisfies the (sub)schema."""
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise _Unknown
        checks = [self.keyword(name, value, schema) for name, value in schema.items()
                  if name not in _NOTES and name not in ("then", "else")]
        return lambda value: all(check(value) for check in checks)

    def keyword(self, name: str, value: Any, schema: dict[str, Any]) -> Check:
        if name == "if":
            return _if(self.compile(value), self.compile(schema.get("then", True)),
                       self.compile(schema.get("else", True)))
        if name == "$ref":
            return self.ref(value)
        if name == "properties":
            return self.properties(value)
        if name == "additionalProperties":
            return self.additional(value, schema)
        if name == "items":
            return self.items(value, schema)
        make = _SIMPLE.get(name)
        if make is None:
            raise _Unknown
        return make(value)

    def ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#/") or "~" in ref or "%" in ref:
            raise _Unknown  # only plain references inside the same schema
        if ref not in self.refs:
            target: Any = self.root
            for step in ref[2:].split("/"):
                if not isinstance(target, dict) or step not in target:
                    raise _Unknown
                target = target[step]
            self.refs[ref] = lambda value: True  # a reference to itself, while compiling it, is never followed
            self.refs[ref] = self.compile(target)
        refs = self.refs
        return lambda value: refs[ref](value)

    def properties(self, value: Any) -> Check:
        if not isinstance(value, dict):
            raise _Unknown
        checks = {key: self.compile(sub) for key, sub in value.items()}
        return lambda data: not isinstance(data, dict) or all(checks[key](item) for key, item in data.items()
                                                              if key in checks)

    def additional(self, value: Any, schema: dict[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise _Unknown
        known, check = frozenset(schema.get("properties", {})), self.compile(value)
        return lambda data: not isinstance(data, dict) or all(check(item) for key, item in data.items()
                                                              if key not in known)

    def items(self, value: Any, schema: dict[str, Any]) -> Check:
        if "prefixItems" in schema:
            raise _Unknown
        check = self.compile(value)
        return lambda data: not isinstance(data, list) or all(check(item) for item in data)


def _if(condition: Check, then: Check, otherwise: Check) -> Check:
    return lambda value: then(value) if condition(value) else otherwise(value)


def _strings(value: Any) -> frozenset[str]:
    # Equality of other JSON values (1 against 1.0, true against 1) is where checks differ: leave it to jsonschema.
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Unknown
    return frozenset(value)


def _type(value: Any) -> Check:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or any(name not in _TYPES for name in names):
        raise _Unknown
    checks = [_TYPES[name] for name in names]
    return lambda data: any(check(data) for check in checks)


def _enum(value: Any) -> Check:
    choices = _strings(value)
    return lambda data: isinstance(data, str) and data in choices


def _pattern(value: Any) -> Check:
    if not isinstance(value, str):
        raise _Unknown
    search = re.compile(value).search
    return lambda data: not isinstance(data, str) or search(data) is not None


def _required(value: Any) -> Check:
    keys = _strings(value)
    return lambda data: not isinstance(data, dict) or all(key in data for key in keys)


_SIMPLE: dict[str, Callable[[Any], Check]] = {
    "type": _type,
    "enum": _enum,
    "const": lambda value: _enum([value]),
    "pattern": _pattern,
    "required": _required,
}
