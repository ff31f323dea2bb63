"""The command line: `glossator [build|check|watch|serve] [--content DIR] [--layouts DIR] [--out DIR] ...`, and the
commands beside the build (init, new, layouts, schema, fix, epub, pdf, import), each in a module of commands/."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from .problems import report

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2

# The commands beside the build, each a module of commands/ whose run(options) returns the exit status; their
# arguments are declared here (below), so that `--help` imports none of them.
TOOLS = (
    ("init", "start a new site in a folder, with an example article"),
    ("new", "add an article: its front matter, an empty sidecar, and the received text if given"),
    ("layouts", "list the theme's layouts; --copy one into the site to change it"),
    ("schema", "print where the annotations schema is, for an editor"),
    ("fix", "re-anchor quotes the text's edits lost, showing each change as a diff; write it with --write"),
    ("epub", "write an EPUB 3 e-book of each article named, or of every article"),
    ("pdf", "print one article to a PDF file with headless Chromium"),
    ("import", "add the annotations of a Hypothesis export or a W3C Web Annotation file to an article's sidecar"),
)
_MODULES = {"import": "importing"}  # a command whose name is a Python keyword, and the module that runs it


class _Version(argparse._VersionAction):
    """`--version`, which reads the installed version only when it is asked for: importlib.metadata and its look
    through the installed packages would add several milliseconds to every build's start."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        from importlib.metadata import version

        self.version = f"%(prog)s {version('glossator')}"
        super().__call__(parser, namespace, values, option_string)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glossator", description="Build annotated articles into a static site.")
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in (("build", "build the site (the default)"),
                            ("check", "validate the content, write nothing"),
                            ("watch", "build, then rebuild what each save changes"),
                            ("serve", "watch, and serve the site on a local address, reloading the open page")):
        command = commands.add_parser(name, help=help_text, description=help_text.capitalize() + ".")
        _add_paths(command, out=name != "check")
        if name == "build":
            command.add_argument("--no-cache", action="store_true",
                                 help="make every article anew: read no article kept by an earlier build, keep none")
        if name == "serve":
            command.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
            command.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")
    for name, help_text in TOOLS:
        description = help_text[0].upper() + help_text[1:] + "."  # names such as W3C keep their capitals
        _TOOL_ARGUMENTS[name](commands.add_parser(name, help=help_text, description=description))
    return parser


def _init_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
                         help="the folder for the new site, empty or not there yet (default: the current folder)")


def _new_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("slug", metavar="SLUG", help="the article's name: content/SLUG.md, published as SLUG.html")
    command.add_argument("--from", dest="received", type=Path, metavar="RECEIVED.txt",
                         help="the text as it reached you: copied in as the article's source and its first draft")
    command.add_argument("--title", help="the headline (default: made from SLUG)")
    _add_content(command)


def _layouts_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("names", nargs="*", metavar="NAME",
                         help="layouts to list or copy, such as article.html (default: all)")
    command.add_argument("--copy", action="store_true", help="copy them into the site's layouts folder, to edit")
    _add_content(command)
    command.add_argument("--layouts", type=Path, default=None,
                         help="the site's layouts folder (default: layouts beside the content folder)")


def _fix_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("slugs", nargs="*", metavar="SLUG", help="the articles to fix (default: all)")
    _add_content(command)
    command.add_argument("--write", action="store_true", help="write the changes into the sidecars")


def _epub_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("slugs", nargs="*", metavar="SLUG", help="an article's name, such as my-article for "
                         "content/my-article.md (default: every article)")
    _add_content(command)
    command.add_argument("--out", type=Path, default=Path("."), help="where the e-books go (default: this folder)")
    _add_settings(command)


def _pdf_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("slug", metavar="SLUG", help="the article to print: content/SLUG.md")
    _add_content(command)
    _add_layouts(command)
    command.add_argument("--out", type=Path, default=None, metavar="FILE",
                         help="where the PDF goes (default: SLUG.pdf here; given a folder, SLUG.pdf in it)")
    command.add_argument("--paper", type=str.lower, choices=("a4", "letter"), default="a4",
                         help="paper size (default: a4)")


def _import_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("file", type=Path, metavar="FILE",
                         help="a Hypothesis API export ({\"rows\": [...]}) or W3C Web Annotation JSON-LD")
    command.add_argument("--article", required=True, metavar="SLUG",
                         help="the article the annotations are on: content/SLUG.md")
    _add_content(command)
    command.add_argument("--partial", action="store_true",
                         help="import the annotations that can be, even if others cannot (default: all or nothing)")
    command.add_argument("--dry-run", action="store_true", help="show the sidecar's changes as a diff, write nothing")


_TOOL_ARGUMENTS = {"init": _init_arguments, "new": _new_arguments, "layouts": _layouts_arguments,
                   "schema": lambda command: None, "fix": _fix_arguments, "epub": _epub_arguments,
                   "pdf": _pdf_arguments, "import": _import_arguments}


def _add_content(command: argparse.ArgumentParser) -> None:
    command.add_argument("--content", type=Path, default=Path("content"),
                         help="articles and sidecars (default: content)")


def _add_paths(command: argparse.ArgumentParser, *, out: bool) -> None:
    _add_content(command)
    _add_layouts(command)
    if out:
        command.add_argument("--out", type=Path, default=Path("site"), help="where the site goes (default: site)")
    _add_settings(command)


def _add_layouts(command: argparse.ArgumentParser) -> None:
    command.add_argument("--layouts", type=Path, default=None,
                         help="the site's own layouts, each replacing the theme's file of its name (default: layouts "
                              "beside the content folder, if there is one)")


def _add_settings(command: argparse.ArgumentParser) -> None:
    command.add_argument("--config", type=Path, default=None,
                         help="site settings (default: glossator.yaml beside the content folder, if there is one)")
    command.add_argument("--base-url", type=_base_url, default=None, metavar="URL",
                         help="the address the site is published at, for the feed, sitemap, canonical links and "
                              "e-book identifiers")


def _base_url(text: str) -> str:
    from .load.config import base_url_problem  # here, so `--help` stays instant

    problem = base_url_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port: give a number from 0 to 65535")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help", "--version")):
        args.insert(0, "build")
    try:
        options = _parser().parse_args(args)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    if options.command in _TOOL_ARGUMENTS:
        status: int = importlib.import_module(
            f".commands.{_MODULES.get(options.command, options.command)}", __package__).run(options)
        return status
    from . import pipeline  # after parsing, so `--help` stays instant
    from .load.layouts import site_layouts

    options.layouts = site_layouts(options.layouts, options.content)
    if options.command in ("watch", "serve"):
        return _session(options)
    config, base_url = pipeline.config_path(options.config, options.content), options.base_url
    with pipeline.collector_paused():
        if options.command == "check":
            result = pipeline.check(options.content, options.layouts, config=config, base_url=base_url)
        else:
            result = pipeline.build(options.content, options.layouts, options.out, config=config, base_url=base_url,
                                    keep=not options.no_cache)
    if result.problems:
        report(result.problems)
        return EXIT_CONTENT
    articles, annotations = _count(result.articles, "article"), _count(result.annotations, "annotation")
    done = (f"checked {articles} and {annotations}: no errors" if options.command == "check"
            else f"built {len(result.files)} files into {options.out}/")
    print(f"glossator: {done}", file=sys.stderr)
    return EXIT_OK


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def run() -> NoReturn:
    """Run the command line as a process of its own, and end the process with the exit status."""
    status = main()
    if threading.active_count() > 1:  # a server's threads still winding down: leave the usual way
        sys.exit(status)
    sys.stdout.flush()
    sys.stderr.flush()
    # Every file is written, closed and in place by now: freeing each object and module one by one on the way
    # out would add a tenth to a small build, for nothing. mypy ends its runs the same way.
    os._exit(status)


def _session(options: argparse.Namespace) -> int:
    """Run `watch` or `serve` until Ctrl-C."""
    from .dev.cache import Builder, Sources

    # The settings file is looked for again at each rebuild: one may appear while watching.
    builder = Builder(Sources(options.content, options.layouts, options.out, options.config, options.base_url))
    if options.command == "watch":
        from .dev.watch import watch_command

        return watch_command(builder)
    from .dev.serve import serve_command

    return serve_command(builder, options.host, options.port)
