"""Glossator: annotated articles, with notes in the margin, as static pages."""

from .incremental import Builder, Outcome, Sources
from .pipeline import Result, build, check
from .problems import BuildFailed, Problem, UsageError, Where

__all__ = ["BuildFailed", "Builder", "Outcome", "Problem", "Result", "Sources", "UsageError", "Where", "build",
           "check"]
