"""Build the site: `python build.py [build|check|watch|serve] [--content DIR] [--layouts DIR] [--out DIR]`."""

import gc
import sys

if __name__ == "__main__":
    # `build` and `check` are one short process whose objects all live to its end: Python's cyclic garbage
    # collector would only walk them again and again, from the first import on. `watch` and `serve` run for
    # hours and keep it. (The command is always the first argument when there is one: see cli.main.)
    if sys.argv[1:2] not in (["watch"], ["serve"]):
        gc.disable()
    from glossator.cli import run

    run()
