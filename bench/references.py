"""What markdown-it-py alone costs on run 2's Markdown: less than any build on it can take.

Each is a whole process, as the builds are: start Python, read the Markdown, render it to HTML, write the
file. The default configuration is the one the issue's targets were set against; the article parser is
Glossator's own (lean block rules, the marginalia rule with nothing to mark), without notes or layouts.
"""

from __future__ import annotations

from pathlib import Path

from bench.timing import REPO, Job, engine_python

DEFAULT_RENDER = """
import sys
from markdown_it import MarkdownIt
with open(sys.argv[1], encoding="utf-8") as source:
    html = MarkdownIt().render(source.read())
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(html)
"""

ARTICLE_PARSER_RENDER = """
import gc, sys
gc.disable()  # as build.py runs
sys.path.insert(0, sys.argv[3])
from glossator.render.markdown import article_parser, parse_article
with open(sys.argv[1], encoding="utf-8") as source:
    body = source.read()
md = article_parser()
html = md.renderer.render(parse_article(body), md.options, {})
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(html)
"""


def reference_jobs(source: Path) -> list[Job]:
    """Return the jobs that render this Markdown file with markdown-it-py alone."""
    return [Job("markdown-it-default-long", [engine_python(), "-c", DEFAULT_RENDER, str(source), "{out}"]),
            Job("markdown-it-lean-long",
                [engine_python(), "-c", ARTICLE_PARSER_RENDER, str(source), "{out}", str(REPO)], ours=True)]
