"""`python -m glossator`: the command line, as the `glossator` command runs it."""

from .cli import run

run()
