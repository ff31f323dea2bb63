"""The layouts as Jinja sees them: each under its own path, and run so that what goes wrong names its line."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from ..model import LayoutFile
from ..problems import Problem, Where


class Layouts(jinja2.BaseLoader):
    """The layout files the load stage read, each known to Jinja by its file: the site's own, or the theme's.

    Jinja compiles a template under the path its loader gives, and rewrites tracebacks so that a frame of template
    code carries that path and the template's line: an error in a layout can then name its file and line."""

    def __init__(self, templates: Mapping[str, LayoutFile]) -> None:
        self._templates = templates
        self.paths = frozenset(layout.path for layout in templates.values())

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        layout = self._templates.get(template)
        if layout is None:
            raise jinja2.TemplateNotFound(template)
        # Up to date for ever: an environment lives for one set of layouts (see render.make_environment).
        return layout.text, layout.path, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self._templates)


class LayoutFailed(Exception):
    """Raised when a layout fails while it renders; carries the problem, at the layout's file and line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def run_layout(template: jinja2.Template, page: str | None, **context: Any) -> str:
    """Render a layout for `page` (None: for every page); raise LayoutFailed if anything goes wrong in it."""
    try:
        return template.render(**context)
    except Exception as error:  # a layout is the user's code: whatever it raises is theirs to fix
        raise LayoutFailed(layout_problem(error, template, page)) from error


def layout_problem(error: Exception, template: jinja2.Template, page: str | None) -> Problem:
    """Place an error raised while `template` rendered at the innermost layout line it passed through."""
    loader = template.environment.loader
    paths = loader.paths if isinstance(loader, Layouts) else frozenset()
    where = Where(template.filename or str(template.name), 1, 1)
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename in paths:  # an included layout's
        where = Where(error.filename, error.lineno or 1, 1)
    else:
        lines = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(error.__traceback__)
                 if frame.filename in paths]
        if lines:
            where = Where(lines[-1][0], lines[-1][1] or 1, 1)
    during = f" (while rendering {page})" if page else ""
    return Problem(where, f"layout error: {_message(error)}{during}")


def template_problem(error: jinja2.TemplateError, layouts: str) -> Problem:
    """Turn a Jinja error met while loading a layout into a problem at the layout file and line."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = Where(error.filename or f"{layouts}/{error.name}", error.lineno or 1, 1)
        return Problem(where, f"layout error: {error.message}")
    return Problem(Where(layouts), f"layout error: {_message(error)}")


def _message(error: Exception) -> str:
    if type(error) is jinja2.TemplateNotFound:  # its message is the bare name
        return f"no layout named '{error.name}' in the layouts folder"
    text = error.message if isinstance(error, jinja2.TemplateError) else str(error)
    return text or type(error).__name__
