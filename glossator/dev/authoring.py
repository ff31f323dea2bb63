"""What `serve` adds to an article's page for its authoring mode: the token and the container in meta tags, the
script and style, and a Content-Security-Policy that lets them run. Only served pages get them, never site/."""

from __future__ import annotations

import html
from dataclasses import dataclass

AUTHORING_SCRIPT, AUTHORING_STYLE = "/__glossator/authoring.js", "/__glossator/authoring.css"


@dataclass(frozen=True)
class Authoring:
    """What an article's page needs to write annotations: the run's token and the article's annotation container."""

    token: str
    container: str


def authoring_tags(authoring: Authoring) -> str:
    """The tags of the authoring mode: its data in meta tags (never in site/), its style and script."""
    return (f'<meta name="glossator-token" content="{html.escape(authoring.token)}">'
            f'<meta name="glossator-annotations" content="{html.escape(authoring.container)}">'
            f'<link rel="stylesheet" href="{AUTHORING_STYLE}"><script src="{AUTHORING_SCRIPT}"></script>')


def allow_authoring(policy: str) -> str:
    """Return the policy, also allowing the authoring script and style from this server and the connections."""
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    found = [directive.split()[0].lower() for directive in directives]
    if "style-src" not in found and "default-src" in found:
        # A new style-src would stop the styles default-src allowed: it starts from what default-src allows.
        sources = [s for s in directives[found.index("default-src")].split()[1:] if s.lower() != "'none'"]
        directives.append(" ".join(["style-src", *sources]))
    return widened("; ".join(directives), ("script-src", "connect-src", "style-src"))


def widened(policy: str, names: tuple[str, ...]) -> str:
    """Return the policy with each directive named also allowing this server ('self'), added if missing."""
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    found = [directive.split()[0].lower() for directive in directives]
    for name in names:
        if name in found:
            directives[found.index(name)] += " 'self'"
        else:
            directives.append(f"{name} 'self'")
    return "; ".join(directives)
