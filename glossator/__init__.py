"""Glossator: annotated articles, with notes in the margin, as static pages."""

from .pipeline import Result, build, check
from .problems import BuildFailed, Problem, UsageError, Where

__all__ = ["BuildFailed", "Problem", "Result", "UsageError", "Where", "build", "check"]
