"""Which link addresses a page may hold: the parsers, the layouts and every output ask the same question."""

from __future__ import annotations

import re

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_URL_START = re.compile(r"^[\x00-\x20\s]+")


def is_safe_url(url: str) -> bool:
    """Allow relative links and the http, https and mailto schemes only."""
    # A browser drops tabs and newlines anywhere in a URL, and controls and spaces at its
    # start, before it reads the scheme: "java\tscript:" and "\x01javascript:" both run.
    match = _SCHEME.match(_URL_START.sub("", _URL_TAB_OR_NEWLINE.sub("", url)))
    return match is None or match.group(1).lower() in SAFE_SCHEMES
