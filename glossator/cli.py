"""The command line: `glossator [build|check|watch|serve|pdf] [--content DIR] [--layouts DIR] [--out DIR] ...`."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .problems import Problem, summary

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glossator", description="Build annotated articles into a static site.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in (("build", "build the site (the default)"),
                            ("check", "validate the content, write nothing"),
                            ("watch", "build, then rebuild what each save changes"),
                            ("serve", "watch, and serve the site on a local address, reloading the open page")):
        command = commands.add_parser(name, help=help_text, description=help_text.capitalize() + ".")
        _add_paths(command, out=name != "check")
        if name == "serve":
            command.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
            command.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")
    from .commands.pdf import add_arguments as add_pdf_arguments

    add_pdf_arguments(commands.add_parser("pdf", help="print one article to a PDF file with headless Chromium",
                                          description="Print one article to a PDF file with headless Chromium."))
    return parser


def _add_paths(command: argparse.ArgumentParser, *, out: bool) -> None:
    command.add_argument("--content", type=Path, default=Path("content"),
                         help="articles and sidecars (default: content)")
    command.add_argument("--layouts", type=Path, default=Path("layouts"), help="Jinja layouts (default: layouts)")
    if out:
        command.add_argument("--out", type=Path, default=Path("site"), help="where the site goes (default: site)")
    command.add_argument("--config", type=Path, default=None,
                         help="site settings (default: glossator.yaml beside the content folder, if there is one)")
    command.add_argument("--base-url", type=_base_url, default=None, metavar="URL",
                         help="the address the site is published at, for the feed, sitemap and canonical links")


def _base_url(text: str) -> str:
    from .config import base_url_problem  # here, so `--help` stays instant

    problem = base_url_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port: give a number from 0 to 65535")
    return int(text)


def report(problems: Sequence[Problem]) -> None:
    """Print every problem, file by file and line by line, then a one-line summary, on stderr."""
    for problem in sorted(problems, key=lambda problem: problem.where):
        print(problem, file=sys.stderr)
    print(summary(list(problems)), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help")):
        args.insert(0, "build")
    try:
        options = _parser().parse_args(args)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    from . import pipeline  # after parsing, so `--help` stays instant

    if options.command in ("watch", "serve"):
        return _session(options)
    if options.command == "pdf":
        from .commands.pdf import pdf_command

        return pdf_command(options)
    config, base_url = pipeline.config_path(options.config, options.content), options.base_url
    with pipeline.collector_paused():
        if options.command == "check":
            result = pipeline.check(options.content, options.layouts, config=config, base_url=base_url)
        else:
            result = pipeline.build(options.content, options.layouts, options.out, config=config, base_url=base_url)
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
    from .incremental import Builder, Sources

    # The settings file is looked for again at each rebuild: one may appear while watching.
    builder = Builder(Sources(options.content, options.layouts, options.out, options.config, options.base_url))
    if options.command == "watch":
        from .watch import watch_command

        return watch_command(builder)
    from .serve import serve_command

    return serve_command(builder, options.host, options.port)
