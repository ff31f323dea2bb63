"""The look every page is rendered with: the compiled layouts, the settings, the inline style and script.

Apart from the article renderer (page.py): the site-wide pages need the look and not the Markdown parsers, and a
build with nothing changed renders only those.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from ..model import MONTHS, AnchoredArticle, LayoutFile, Look, Site
from ..problems import Problem
from .compiled_layouts import CompiledLayouts
from .layouts import LayoutFailed, Layouts, run_layout, template_problem
from .urls import is_safe_url


def make_environment(templates: Mapping[str, LayoutFile]) -> jinja2.Environment:
    """Return a Jinja environment over the layout files the load stage read, escaping everything by default."""
    env = jinja2.Environment(
        loader=Layouts(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # An environment lives for one build, or until `watch` sees a layout change and makes a new one:
        # checking each template for changes at every use (twice per note) would be wasted work.
        auto_reload=False,
        # Folding constant expressions at compile time saves nothing in layouts made of variables, and compiling
        # the layouts is most of a small build's own work: a tenth of it goes to the optimizer pass.
        optimized=False,
    )
    env.filters["long_date"] = long_date
    env.filters["safe_url"] = lambda url: url if url and is_safe_url(url) else None
    return env


def prepare_look(templates: Mapping[str, LayoutFile], folder: str, site: Site,
                 compiled: CompiledLayouts | None = None) -> tuple[Look | None, list[Problem]]:
    """Compile the layouts into what every page is rendered with, or say why they fail; `folder` names them.

    `compiled` holds the layouts compiled by an earlier build, to which this one adds what it compiles."""
    env = make_environment(templates)
    if compiled is not None:
        compiled.attach(env)
    try:
        return Look(env, page_assets(env), site, folder), []
    except jinja2.TemplateError as error:
        return None, [template_problem(error, folder)]
    except LayoutFailed as failed:
        return None, [failed.problem]


def render_layout(look: Look, name: str, page: str, **context: Any) -> str:
    """Render the layout `name` as the page `page`, with the inline style, script and policy every page has."""
    return run_layout(look.env.get_template(name), page, **look.assets, **context)


def page_assets(env: jinja2.Environment) -> dict[str, Any]:
    """Inline style and script, and a Content-Security-Policy that allows exactly them."""
    style, script = _static(env, "style.css"), _static(env, "script.js")
    csp = ("default-src 'none'; img-src 'self' data:; "
           f"style-src '{_sha256(style)}'; script-src '{_sha256(script)}'; base-uri 'none'; form-action 'none'")
    return {"style": Markup(style), "script": Markup(script), "csp": csp}


def _static(env: jinja2.Environment, name: str) -> str:
    """Render a layout file, or return it as it is when it holds no Jinja syntax (it would render as itself)."""
    source = env.loader.get_source(env, name)[0] if env.loader else ""
    marks = (env.block_start_string, env.variable_start_string, env.comment_start_string)
    if not source or any(mark in source for mark in marks):
        return run_layout(env.get_template(name), None)  # inlined in every page: no one page to name
    return source


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def counts(anchored: AnchoredArticle) -> dict[str, int]:
    """Count an article's notes and corrections."""
    kinds = [a.annotation.kind for a in anchored.anchors]
    return {"notes": kinds.count("note"), "corrections": kinds.count("correction")}


def long_date(value: str | None) -> str:
    """Format an ISO date as '16 November 2023', the same on every machine."""
    if not value:
        return ""
    date = datetime.date.fromisoformat(value[:10])
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"
