"""The source audit: the page may differ from the received text only where a correction says."""

from __future__ import annotations

from .anchor import AnchoredArticle
from .problems import Problem


def audit(articles: list[AnchoredArticle]) -> list[Problem]:
    """Check each article that names a source against its received text."""
    return []
