"""Glossator: annotated articles, with notes in the margin, as static pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .pipeline import Result, build, check
from .problems import Problem, Where

if TYPE_CHECKING:
    from .dev.cache import Builder, Outcome, Sources

__all__ = ["Builder", "Outcome", "Problem", "Result", "Sources", "Where", "build", "check"]


def __getattr__(name: str) -> object:
    # The in-process rebuilder is imported when first asked for: `build` and `check` never need it.
    if name in ("Builder", "Outcome", "Sources"):
        from .dev import cache

        return getattr(cache, name)
    raise AttributeError(f"module 'glossator' has no attribute '{name}'")
