"""Site settings: glossator.yaml, the --base-url option and SOURCE_DATE_EPOCH, as one plain value."""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..check.schema_errors import key_pattern, schema_problems
from ..model import DEFAULT_TITLE, Site
from ..problems import Problem, Where
from .files import read_file

CONFIG_NAME = "glossator.yaml"
_SCHEMA = "config.schema.json"


def base_url_problem(url: str) -> str | None:
    """Say what is wrong with a base URL, or return None if it will do."""
    if key_pattern(_SCHEMA, "base_url").search(url):  # the rule glossator.yaml follows
        return None
    return f"'{url}' is not a base URL: give an http or https address such as https://USER.github.io/REPO/"


def parse_config(text: str, file: str) -> tuple[Site, list[Problem]]:
    """Parse the text of glossator.yaml into settings; an empty file means the defaults."""
    from .located_yaml import parse_yaml  # here: most sites have no settings file, and a build then needs no YAML

    located, problems = parse_yaml(text, file)
    if located is None or located.data is None:
        return Site(), problems
    if not isinstance(located.data, dict):
        message = "the settings must be a mapping of keys to values, such as 'base_url: https://example.org/'"
        return Site(), [Problem(located.where(()), message)]
    problems = schema_problems(located, _SCHEMA, root="the settings")
    if problems:
        return Site(), problems
    data = located.data
    return Site(title=data.get("title", DEFAULT_TITLE), base_url=data.get("base_url"),
                epub=data.get("epub", False)), []


def parse_epoch(value: str | None) -> tuple[datetime.datetime | None, list[Problem]]:
    """Read SOURCE_DATE_EPOCH, whole seconds since 1970 (reproducible-builds.org)."""
    if value is None or value == "":
        return None, []
    if not value.isascii() or not value.isdigit():
        message = f"SOURCE_DATE_EPOCH is '{value[:20]}'; it must be whole seconds since 1970, such as 1700000000"
        return None, [Problem(Where("SOURCE_DATE_EPOCH"), message)]
    try:
        return datetime.datetime.fromtimestamp(int(value), datetime.UTC), []
    except (OverflowError, OSError, ValueError):
        return None, [Problem(Where("SOURCE_DATE_EPOCH"), f"SOURCE_DATE_EPOCH {value[:20]} is too far in the future")]


def load_config(path: Path | None, *, base_url: str | None = None,
                environ: Mapping[str, str] = os.environ) -> tuple[Site, list[Problem]]:
    """Read the settings file, if given, then apply a base URL from the command line and SOURCE_DATE_EPOCH."""
    site, problems = Site(), list[Problem]()
    if path is not None:
        text, problems = read_file(path, str(path))
        if text is not None:
            site, problems = parse_config(text, str(path))
    if base_url is not None:
        wrong = base_url_problem(base_url)
        problems += [Problem(Where("--base-url"), wrong)] if wrong else []
        site = replace(site, base_url=base_url)
    source_date, date_problems = parse_epoch(environ.get("SOURCE_DATE_EPOCH"))
    return replace(site, source_date=source_date), problems + date_problems
