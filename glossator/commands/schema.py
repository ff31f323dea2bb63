"""`glossator schema`: print where the annotations schema is, for an editor's `$schema` line."""

from __future__ import annotations

import argparse

from ..edit.sidecar import SCHEMA_FILE


def run(options: argparse.Namespace) -> int:
    """Print the installed schema's path; a sidecar's first line may name it."""
    print(SCHEMA_FILE)
    return 0
